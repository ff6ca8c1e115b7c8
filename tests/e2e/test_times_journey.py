"""An organizer in Amsterdam runs an event at a Los Angeles venue, in a real browser: creates it
at 20:00 local in the console, puts it on sale, and 20:00 (PST) is what the shop, the
confirmation email and the tickets say; saving the edit form unchanged moves nothing."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from boxoffice.events.models import Event
from seatmaps import services as seatmap_services
from tests.builders.events import ACTOR, price_everything
from tests.builders.organizers import PASSWORD
from tests.builders.seatmaps import grid_document
from tests.e2e.conftest import in_database, screenshot
from tests.e2e.test_organizer_journeys import buy

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

STARTS_UTC = datetime(2027, 1, 16, 4, 0, tzinfo=UTC)  # 20:00 PST on Friday 15 January 2027


def los_angeles_venue() -> None:
    venue = seatmap_services.create_venue(
        actor=ACTOR, name="Sunset Hall", city="Los Angeles", country="US",
        timezone_name="America/Los_Angeles",
    )  # fmt: skip
    seat_map = seatmap_services.create_seat_map(
        actor=ACTOR, venue=venue, name="Main", document=grid_document(3, 4)
    )
    seatmap_services.publish_seat_map(actor=ACTOR, seat_map=seat_map)


def test_an_event_typed_at_20_local_reads_20_everywhere_and_a_plain_save_moves_nothing(
    shop, new_page
):
    assert shop.organizer.timezone != "America/Los_Angeles"  # the organizer is elsewhere
    in_database(shop.organizer, los_angeles_venue)

    console = new_page(timezone_id="Europe/Amsterdam")
    console.goto(f"{shop.url}/console/events/new/")
    console.get_by_label("Email").fill(f"owner@{shop.organizer.slug}.example.com")
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.wait_for_url("**/console/events/new/")
    console.get_by_label("Title").fill("Sunset Session")
    console.get_by_label("Seat map").select_option(label="Sunset Hall — Main (America/Los_Angeles)")
    # The note by the time fields names the zone a typed time means.
    expect(console.locator(".field:has(#id_starts_at) .helptext")).to_have_text(
        "In America/Los_Angeles, the venue's time zone."
    )
    console.get_by_label("Starts").fill("2027-01-15T20:00")
    console.get_by_label("Ends").fill("2027-01-15T23:00")
    console.get_by_role("button", name="Create draft").click()
    console.wait_for_url("**/prices/")

    def created() -> Event:
        event = Event.objects.get(title="Sunset Session")
        price_everything(event)
        return event

    event = in_database(shop.organizer, created)
    assert (event.timezone, event.starts_at) == ("America/Los_Angeles", STARTS_UTC)
    console.goto(f"{shop.url}/console/events/{event.uid}/")
    expect(console.get_by_text("Friday 15 January 2027, 20:00 PST")).to_be_visible()
    console.get_by_role("button", name="Put on sale").click()
    expect(console.locator("[data-event-status]")).to_have_attribute("data-event-status", "on_sale")

    # The shop: 20:00 PST, not Amsterdam's 05:00 nor UTC's 04:00.
    customer = new_page(timezone_id="Europe/Amsterdam")
    customer.goto(f"{shop.url}/events/{event.slug}/")
    expect(customer.locator(".event-when")).to_contain_text("Friday 15 January 2027, 20:00 PST")
    expect(customer.locator(".event-when")).to_contain_text("America/Los_Angeles")
    mail.outbox.clear()
    shop.event = event
    order_url = buy(customer, shop, ["stalls/B/2"])
    expect(customer.locator(".event-when")).to_contain_text("20:00 PST")
    screenshot(customer, "times-order-page")

    (confirmation,) = [m for m in mail.outbox if m.subject.startswith("Your tickets")]
    assert "Starts Friday 15 January 2027, 20:00 PST (America/Los_Angeles)" in confirmation.body
    assert "04:00" not in confirmation.body and "05:00" not in confirmation.body

    code = urlparse(order_url).path.strip("/").split("/")[-1]
    secret = parse_qs(urlparse(order_url).query)["secret"][0]
    customer.goto(f"{shop.url}/orders/{code}/tickets?secret={secret}")
    expect(customer.locator("main, body").first).to_contain_text(
        "Friday 15 January 2027, 20:00 PST"
    )
    expect(customer.locator(".ticket .qr svg")).to_have_count(1)
    screenshot(customer, "times-tickets-page")

    # The edit form shows 20:00 (the event's zone) and saving it unchanged moves nothing.
    console.goto(f"{shop.url}/console/events/{event.uid}/edit/")
    expect(console.get_by_label("Starts")).to_have_value("2027-01-15T20:00")
    expect(console.locator(".field:has(#id_starts_at) .helptext")).to_have_text(
        "In America/Los_Angeles, the event's time zone."
    )
    for _ in range(2):
        console.get_by_role("button", name="Save").click()
        expect(console.get_by_text("Saved.")).to_be_visible()
        console.goto(f"{shop.url}/console/events/{event.uid}/edit/")

    def stored():
        return Event.objects.values_list("starts_at", "ends_at").get(pk=event.pk)

    assert in_database(shop.organizer, stored) == (
        STARTS_UTC,
        datetime(2027, 1, 16, 7, 0, tzinfo=UTC),
    )
