"""The shop's "Today" and "Next 7 days" are each event's own days, in its zone (times.zone_of's
rule), not the organizer's: checked on a frozen clock with venues far from UTC on both sides,
across the United States' change to summer time (14 March 2027)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client

from boxoffice.times import zone_of
from tests.builders.events import on_sale_event
from tests.builders.organizers import host_of, make_organizer

pytestmark = pytest.mark.django_db

# 10:00 on Wednesday 10 March in Los Angeles, 19:00 in Amsterdam (the organizer's zone), and
# already 07:00 on Thursday 11 March in Auckland.
NOW = datetime(2027, 3, 10, 18, 0, tzinfo=zone_of("UTC"))
LOS_ANGELES, AUCKLAND = "America/Los_Angeles", "Pacific/Auckland"


@pytest.fixture
def shop():
    organizer = make_organizer("daysa", timezone_name="Europe/Amsterdam")
    for title, zone, wall_clock in [
        # today where it happens, though 11 March in UTC and in Amsterdam
        ("LA tonight", LOS_ANGELES, datetime(2027, 3, 10, 23, 30)),
        ("LA tomorrow", LOS_ANGELES, datetime(2027, 3, 11, 0, 30)),
        ("LA in six days", LOS_ANGELES, datetime(2027, 3, 16, 23, 30)),  # after the change
        ("LA in seven days", LOS_ANGELES, datetime(2027, 3, 17, 0, 30)),
        # today where it happens, though still 10 March in UTC and in Amsterdam
        ("Auckland tonight", AUCKLAND, datetime(2027, 3, 11, 19, 0)),
        ("Auckland yesterday", AUCKLAND, datetime(2027, 3, 10, 20, 0)),
        ("Auckland in six days", AUCKLAND, datetime(2027, 3, 17, 23, 30)),
        ("Auckland in seven days", AUCKLAND, datetime(2027, 3, 18, 0, 30)),
    ]:
        starts = wall_clock.replace(tzinfo=zone_of(zone))
        on_sale_event(organizer, rows=1, seats=2, title=title, venue_zone=zone,
                      starts_at=starts, ends_at=starts + timedelta(hours=2))  # fmt: skip
    connection.set_schema_to_public()
    return Client(HTTP_HOST=host_of(organizer))


def listed(client: Client, when: str) -> set[str]:
    with time_machine.travel(NOW, tick=False):
        page = client.get("/", {"when": when}, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    return {title for title in TITLES if f"<h2>{title}</h2>" in page.content.decode()}


TITLES = [
    "LA tonight", "LA tomorrow", "LA in six days", "LA in seven days", "Auckland tonight",
    "Auckland yesterday", "Auckland in six days", "Auckland in seven days",
]  # fmt: skip


def test_today_is_the_day_where_each_event_happens(shop):
    assert listed(shop, "today") == {"LA tonight", "Auckland tonight"}


def test_the_next_seven_days_are_the_events_own(shop):
    assert listed(shop, "week") == {
        "LA tonight", "LA tomorrow", "LA in six days", "Auckland tonight", "Auckland in six days",
    }  # fmt: skip
