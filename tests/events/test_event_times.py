"""The events API and times: a time without an offset in a listing filter is the wall clock
where each event happens, not the organizer's (or the server's) zone."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer

pytestmark = pytest.mark.django_db


def test_a_listing_bound_without_offset_is_each_events_local_time():
    organizer = make_organizer("alpha", timezone_name="Europe/Amsterdam")
    # Both start at 20:00 local on 4 December 2027: 07:00 UTC and 04:00 UTC the next day.
    for title, zone, starts in (
        ("Auckland", "Pacific/Auckland", datetime(2027, 12, 4, 7, 0, tzinfo=UTC)),
        ("Los Angeles", "America/Los_Angeles", datetime(2027, 12, 5, 4, 0, tzinfo=UTC)),
    ):
        on_sale_event(
            organizer, title=title, venue_zone=zone, starts_at=starts,
            ends_at=starts.replace(hour=starts.hour + 2),
        )  # fmt: skip
    client = Client(HTTP_HOST=host_of(organizer))

    def titles(query: str) -> list[str]:
        answer = client.get(f"/api/v1/events?{query}")
        assert answer.status_code == 200, answer.content
        return sorted(event["title"] for event in answer.json()["items"])

    # Local: both begin between 19:30 and 20:30 on 4 December where they happen.
    assert titles("starts_after=2027-12-04T19:30&starts_before=2027-12-04T20:30") == [
        "Auckland",
        "Los Angeles",
    ]
    assert titles("starts_after=2027-12-04T20:01") == []
    assert titles("starts_before=2027-12-04T20:00") == []
    # With an offset it is that moment, wherever the event is.
    assert titles("starts_after=2027-12-04T12:00Z") == ["Los Angeles"]
    assert titles("starts_before=2027-12-04T12:00%2B00:00") == ["Auckland"]
