"""Organizers in a real browser: a stranger signs up on the platform site and lands signed in on
the new console; an organizer refunds one seat (with a confirmation step) and the customer sees
it on the order page and in the email."""

import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from boxoffice.events.models import EventSeat
from boxoffice.sales.models import Order, OrderItem, Refund
from boxoffice.tickets.models import Ticket
from tenants.models import Membership, Organizer
from tests.builders.organizers import PASSWORD
from tests.e2e.conftest import in_database, screenshot

PUBLIC = SimpleNamespace(schema_name="public")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


@pytest.fixture
def platform(asgi_server):
    yield f"http://localhost:{asgi_server}"
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_e2e_signup CASCADE")


def test_a_stranger_signs_up_and_lands_signed_in_on_the_new_console(platform, new_page):
    page = new_page()
    page.goto(platform + "/")
    page.get_by_role("link", name="Create your organizer site").click()
    page.get_by_label("Organization name").fill("Signup Theatre")
    page.get_by_label("Site address").fill("e2e-signup")
    page.get_by_label("Your name").fill("Sam Stage")
    page.get_by_label("Your email").fill("sam@example.com")
    page.get_by_label("Password").fill("a long enough passphrase 42")
    page.get_by_label("Time zone").fill("Europe/Lisbon")
    page.get_by_role("button", name="Create my site").click()

    page.wait_for_url(f"http://e2e-signup.localhost:{platform.rsplit(':', 1)[1]}/console/")
    expect(page.get_by_text("sam@example.com")).to_be_visible()  # signed in, on this site
    expect(page.get_by_role("link", name="Events").first).to_be_visible()

    def created():
        organizer = Organizer.objects.get(slug="e2e-signup")
        membership = Membership.objects.select_related("user").get(organizer=organizer)
        return organizer.timezone, membership.role, membership.user.email

    assert in_database(PUBLIC, created) == ("Europe/Lisbon", "owner", "sam@example.com")

    # Back on the platform site the same person finds the way to the console again.
    page.goto(platform + "/")
    page.get_by_role("button", name="Open the console of Signup Theatre").click()
    page.wait_for_url("**e2e-signup.localhost**/console/")
    expect(page.get_by_text("sam@example.com")).to_be_visible()


def buy(page, shop, refs: list[str]) -> str:
    """A customer's purchase through the shop and the sandbox page; the order page's URL."""
    page.goto(shop.event_url())
    expect(page.locator("body[data-map-ready]")).to_have_count(1)
    for count, ref in enumerate(refs, start=1):
        page.locator(f'circle[data-seat="{ref}"]').click()
        expect(page.locator("[data-selected] li")).to_have_count(count)
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Name on the tickets").fill("Ana Lima")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/sandbox/checkout/**")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/orders/**")
    expect(page.locator("[data-order-status]")).to_have_attribute("data-order-status", "paid")
    return page.url


def test_an_organizer_refunds_one_seat_after_confirming_and_the_customer_sees_it(shop, new_page):
    customer = new_page()
    order_url = buy(customer, shop, ["stalls/C/2", "stalls/C/3"])
    code = in_database(shop.organizer, lambda: Order.objects.get().code)
    mail.outbox.clear()

    organizer = new_page()
    organizer.goto(f"{shop.url}/console/orders/{code}/")
    organizer.get_by_label("Email").fill(f"owner@{shop.organizer.slug}.example.com")
    organizer.get_by_label("Password").fill(PASSWORD)
    organizer.get_by_role("button", name="Sign in").click()
    organizer.wait_for_url(f"**/console/orders/{code}/")
    organizer.get_by_role("checkbox", name=re.compile("Refund .*C.*3")).check()
    organizer.get_by_label("Note").fill("Seat broken")
    organizer.get_by_role("button", name="Refund chosen seats").click()

    # The confirmation step: the seat and the money (50.00 + the 1.50 fee), nothing done yet.
    confirm = organizer.locator("[data-refund-confirm]")
    expect(confirm).to_contain_text("Seat broken")
    expect(confirm.locator("tbody tr")).to_have_count(1)
    expect(confirm.locator("[data-refund-amount]")).to_have_text(re.compile("51.50"))
    screenshot(organizer, "console-refund-confirm")
    assert in_database(shop.organizer, lambda: Refund.objects.count()) == 0
    assert in_database(shop.organizer, lambda: EventSeat.objects.get(ref="stalls/C/3").status) == (
        "sold"
    )
    organizer.get_by_role("button", name=re.compile("Confirm refund of")).click()
    organizer.wait_for_url(f"**/console/orders/{code}/")
    expect(organizer.get_by_text(re.compile("Refunded .*51.50.*1 seat"))).to_be_visible()
    expect(organizer.locator('[data-item-status="stalls/C/3"]')).to_have_text("refunded")

    def outcome():
        refund = Refund.objects.get()
        return {
            "order": Order.objects.values_list("status", "refunded").get(),
            "refund": (refund.amount, refund.reason, refund.status, refund.note),
            "items": dict(OrderItem.objects.values_list("ref", "status")),
            "seats": dict(
                EventSeat.objects.filter(ref__in=["stalls/C/2", "stalls/C/3"]).values_list(
                    "ref", "status"
                )
            ),
            "tickets": sorted(Ticket.objects.values_list("status", flat=True)),
        }

    assert in_database(shop.organizer, outcome) == {
        "order": ("partially_refunded", 5150),
        "refund": (5150, "organizer", "succeeded", "Seat broken"),
        "items": {"stalls/C/2": "active", "stalls/C/3": "refunded"},
        "seats": {"stalls/C/2": "sold", "stalls/C/3": "available"},
        "tickets": ["revoked", "valid"],
    }
    (email,) = [m for m in mail.outbox if m.subject == f"Refund for order {code}"]
    assert email.to == ["ana@example.com"] and "51.50" in email.body

    # The customer's page, reloaded: one ticket left, the refund shown.
    customer.goto(order_url)
    expect(customer.locator(".ticket .qr svg")).to_have_count(1)
    expect(customer.locator(".ticket.revoked")).to_have_count(1)
    expect(customer.locator("tfoot")).to_contain_text(re.compile("Refunded.*51.50"))
