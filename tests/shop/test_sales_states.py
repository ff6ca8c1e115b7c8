"""What the shop says when nothing can be bought: before sales open (the opening time and a
countdown instead of a map), after they close, and when every place is sold (seated and
standing) — on the event page and in the listing."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import Event, EventSeat
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import host_of, make_organizer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    organizer = make_organizer("shopstates", name="State Hall")
    event = on_sale_event(organizer, rows=2, seats=3, title="Night Concert", with_floor=True)
    connection.set_schema_to_public()
    return organizer, event, Client(HTTP_HOST=host_of(organizer))


def change(organizer, **fields):
    with schema_context(organizer.schema_name):
        Event.objects.update(**fields)


def sell(organizer, **which):
    """Mark places sold to one real paid order (no need for an item per place here)."""
    with schema_context(organizer.schema_name):
        event = Event.objects.get()
        first = EventSeat.objects.filter(event=event, status="available", **which).first()
    order, _tickets = paid_order(organizer, event, [first.ref])
    with schema_context(organizer.schema_name):
        EventSeat.objects.filter(**which).exclude(status="sold").update(
            status=EventSeat.Status.SOLD, order_id=order.pk
        )


def page_of(client, event) -> str:
    answer = client.get(f"/events/{event.slug}/")
    assert answer.status_code == 200
    return answer.content.decode()


def listing_badge(client) -> str:
    html = client.get("/").content.decode()
    card = html[html.index('class="event-card"') :]
    found = re.search(r'<span class="badge">(.*?)</span>', card, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def assert_no_map(html: str) -> None:
    assert "data-seat-map" not in html and 'id="shop-config"' not in html
    assert "shop/event.js" not in html


def test_before_sales_open_the_page_counts_down_instead_of_showing_the_map(shop):
    organizer, event, client = shop
    opens = timezone.now() + timedelta(days=2, hours=3)
    change(organizer, sales_start=opens)
    html = page_of(client, event)
    assert_no_map(html)
    assert 'data-sales-state="not_started"' in html and "Tickets go on sale" in html
    local = timezone.localtime(opens, timezone=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    assert f"{local:%H:%M %Z}</time>" in html and "(Europe/Amsterdam)" in html
    seconds = int(re.search(r'data-seconds-left="(\d+)"', html).group(1))
    assert abs(seconds - (2 * 86400 + 3 * 3600)) < 5
    assert "shop/opening.js" in html
    assert listing_badge(client).startswith("On sale ")
    # The API agrees: no hold before the opening.
    refused = client.post(
        f"/api/v1/events/{event.uid}/holds", {"seats": ["stalls/A/1"]},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 409 and refused.json()["code"] == "sales_not_started"


def test_after_sales_end_the_page_says_sales_ended(shop):
    organizer, event, client = shop
    now = timezone.now()
    change(organizer, sales_start=now - timedelta(days=3), sales_end=now - timedelta(minutes=1))
    html = page_of(client, event)
    assert_no_map(html)
    assert 'data-sales-state="ended"' in html and "Sales ended" in html
    assert "shop/opening.js" not in html
    assert listing_badge(client) == "Sales ended"


def test_a_seated_event_with_every_seat_sold_is_sold_out(shop):
    organizer, event, client = shop
    sell(organizer, kind="seat")
    # Standing places are left: still on sale, with the map.
    assert 'id="shop-config"' in page_of(client, event)
    assert listing_badge(client) == ""
    sell(organizer)
    html = page_of(client, event)
    assert_no_map(html)
    assert 'data-sales-state="sold_out"' in html and "Sold out" in html
    assert listing_badge(client) == "Sold out"


def test_places_held_by_others_are_not_sold_out_yet(shop):
    organizer, event, client = shop
    sell(organizer, kind="spot")
    refs = [f"stalls/{row}/{number}" for row in "AB" for number in (1, 2, 3)]
    held = Client(HTTP_HOST=host_of(organizer)).post(
        f"/api/v1/events/{event.uid}/holds", {"seats": refs}, content_type="application/json"
    )
    assert held.status_code == 201, held.json()
    assert 'id="shop-config"' in page_of(client, event)  # a hold may lapse
    assert listing_badge(client) == ""


def test_a_standing_only_event_with_every_spot_sold_is_sold_out(db):
    organizer = make_organizer("shopga", name="Field")
    event = on_sale_event(organizer, rows=1, seats=1, title="Open Air", with_floor=True)
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=host_of(organizer))
    sell(organizer, kind="seat")
    with schema_context(organizer.schema_name):
        spots = list(EventSeat.objects.filter(kind="spot").values_list("pk", flat=True))
    assert spots
    sell(organizer, pk__in=spots[:-1])  # an order takes the first free spots, as the shop does
    assert 'id="shop-config"' in page_of(client, event)
    sell(organizer, pk=spots[-1])
    assert 'data-sales-state="sold_out"' in page_of(client, event)
    assert listing_badge(client) == "Sold out"
