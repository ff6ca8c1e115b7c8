"""Every time a customer reads is the event's local time and names its zone: the shop's list and
event page, the order page, the tickets page, the emails and the calendar file. Events far
from UTC on both sides, in summer and winter time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from boxoffice.payments.tasks import send_order_email
from tests.builders.events import on_sale_event
from tests.builders.payments import buy, jobs_run_inline, make_shop

pytestmark = pytest.mark.django_db

# (venue zone, the start in UTC, the zone's abbreviation then, that moment's UTC clock): each
# starts at 20:00 local.
CASES = [
    ("Pacific/Auckland", datetime(2027, 1, 15, 7, 0, tzinfo=UTC), "NZDT", "07:00"),
    ("Pacific/Auckland", datetime(2027, 4, 10, 8, 0, tzinfo=UTC), "NZST", "08:00"),
    ("America/Los_Angeles", datetime(2027, 1, 16, 4, 0, tzinfo=UTC), "PST", "04:00"),
    ("America/Los_Angeles", datetime(2027, 4, 11, 3, 0, tzinfo=UTC), "PDT", "03:00"),
]


def assert_local(text: str, abbreviation: str, utc_clock: str) -> None:
    assert f"20:00 {abbreviation}" in text
    assert utc_clock not in text
    assert "UTC" not in text and "+00:00" not in text


@pytest.mark.parametrize(("zone", "starts", "abbreviation", "utc_clock"), CASES)
def test_customers_read_the_events_local_time_everywhere(
    django_capture_on_commit_callbacks, zone, starts, abbreviation, utc_clock
):
    shop = make_shop(venue_zone=zone, starts_at=starts, ends_at=starts + timedelta(hours=2))
    event = shop.event
    assert event.timezone == zone

    listing = shop.client.get("/").content.decode()
    assert_local(listing, abbreviation, utc_clock)
    page = shop.client.get(f"/events/{event.slug}/").content.decode()
    assert_local(page, abbreviation, utc_clock)
    assert zone in page

    with jobs_run_inline(django_capture_on_commit_callbacks):
        placed = buy(shop, "stalls/B/1")
    code, secret = placed["order_code"], placed["order_secret"]
    (confirmation,) = [m for m in mail.outbox if "Your tickets" in m.subject]
    assert_local(confirmation.body, abbreviation, utc_clock)
    assert zone in confirmation.body

    order_page = shop.client.get(f"/orders/{code}/", {"secret": secret}).content.decode()
    assert_local(order_page, abbreviation, utc_clock)
    tickets = shop.client.get(f"/orders/{code}/tickets", {"secret": secret})
    assert tickets.status_code == 200
    assert_local(tickets.content.decode(), abbreviation, utc_clock)
    assert zone in tickets.content.decode()

    calendar = shop.client.get(f"/orders/{code}/event.ics", {"secret": secret}).content.decode()
    unfolded = calendar.replace("\r\n ", "")
    # The moment itself in UTC form (no VTIMEZONE needed), and the local time in words.
    assert f"DTSTART:{starts:%Y%m%dT%H%M%S}Z" in unfolded
    assert f"20:00 {abbreviation} ({zone})" in unfolded

    mail.outbox.clear()
    with shop.schema():
        order = shop.order(code)
        send_order_email(order.pk, "event_cancelled")
    assert_local(mail.outbox[0].body, abbreviation, utc_clock)


def test_the_listing_shows_each_event_in_its_own_zone():
    shop = make_shop(
        venue_zone="America/Los_Angeles",
        starts_at=datetime(2027, 1, 16, 4, 0, tzinfo=UTC),
        ends_at=datetime(2027, 1, 16, 6, 0, tzinfo=UTC),
    )
    on_sale_event(
        shop.organizer,
        title="Harbour night",
        venue_zone="Pacific/Auckland",
        starts_at=datetime(2027, 1, 15, 7, 0, tzinfo=UTC),
        ends_at=datetime(2027, 1, 15, 9, 0, tzinfo=UTC),
    )
    listing = shop.client.get("/").content.decode()
    assert "Fri 15 Jan 2027, 20:00 NZDT" in listing
    assert "Fri 15 Jan 2027, 20:00 PST" in listing
