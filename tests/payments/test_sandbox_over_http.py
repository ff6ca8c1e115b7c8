"""The whole sandbox flow over real HTTP on a live server: hold -> checkout -> the hosted page
pays -> a background job delivers the signed event to the webhook endpoint -> paid, tickets."""

import re
from unittest import mock

import pytest
import requests
from django.db import connection
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from tests.builders.events import on_sale_event
from tests.builders.organizers import make_organizer


@pytest.fixture
def live_shop(transactional_db, live_server):
    organizer = make_organizer("liveshop")
    event = on_sale_event(organizer, rows=3, seats=6)
    connection.set_schema_to_public()
    port = live_server.url.rsplit(":", 1)[1]
    yield live_server.url, f"liveshop.localhost:{port}", f"localhost:{port}", event
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_liveshop CASCADE")


def run_now(func, *args, **options):
    """django-q2's broker stood in for by running the job at once, in the committing thread."""
    return func(*args)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_buys_two_seats_through_the_sandbox(live_shop):
    base, shop_host, platform_host, event = live_shop
    shop = requests.Session()
    shop.headers["Host"] = shop_host
    hold = shop.post(f"{base}/api/v1/events/{event.uid}/holds",
                     json={"seats": ["stalls/B/1", "stalls/B/2"]})  # fmt: skip
    assert hold.status_code == 201, hold.text
    checkout = shop.post(
        f"{base}/api/v1/holds/{hold.json()['token']}/checkout",
        json={"email": "ana@example.com", "name": "Ana Lima"},
    ).json()
    payment_url = checkout["payment_url"]
    assert payment_url.startswith(f"http://{platform_host}/sandbox/checkout/")

    browser = requests.Session()  # the customer's browser on the payment page
    browser.headers["Host"] = platform_host
    page_url = payment_url.replace(f"http://{platform_host}", base)
    page = browser.get(page_url)
    assert page.status_code == 200 and "Pay €100.00" in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    with mock.patch("boxoffice.jobs.async_task", side_effect=run_now):
        paid = browser.post(page_url, data={"csrfmiddlewaretoken": token, "outcome": "pay"},
                            allow_redirects=False)  # fmt: skip
    assert paid.status_code == 302
    assert paid.headers["Location"].startswith(
        f"http://{shop_host}/orders/{checkout['order_code']}/?secret="
    )
    order = shop.get(
        f"{base}/api/v1/orders/{checkout['order_code']}",
        params={"secret": checkout["order_secret"]},
    ).json()
    assert order["status"] == "paid"
    assert sorted(ticket["seat"] for ticket in order["tickets"]) == ["stalls/B/1", "stalls/B/2"]
    with schema_context("org_liveshop"):
        sold = EventSeat.objects.filter(status="sold").values_list("ref", flat=True)
        assert sorted(sold) == ["stalls/B/1", "stalls/B/2"]
