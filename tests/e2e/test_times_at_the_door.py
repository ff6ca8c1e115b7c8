"""The door screens show times in the event's zone, named, whatever zone the device is set to:
a device in Amsterdam checking in a Los Angeles event reads Los Angeles times."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from boxoffice.events.models import Event
from tests.e2e.conftest import in_database, make_door, screenshot
from tests.e2e.test_checkin_app import expect_result, next_scan, pair_and_start, scan

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_a_device_elsewhere_shows_the_events_local_times(shop, new_page):
    def move_event() -> Event:
        Event.objects.filter(pk=shop.event.pk).update(timezone="America/Los_Angeles")
        return Event.objects.get(pk=shop.event.pk)

    event = in_database(shop.organizer, move_event)
    door = make_door(shop, devices=1)
    page = new_page(timezone_id="Europe/Amsterdam", locale="en-US")
    pair_and_start(page, door, door.pairing_codes[0])

    local = event.starts_at.astimezone(ZoneInfo("America/Los_Angeles"))
    abbreviation = local.tzname()  # PST or PDT
    title = page.locator("[data-event-title]")
    expect(title).to_contain_text(f"{local:%H:%M} {abbreviation}")
    expect(title).not_to_contain_text("CET")
    expect(page.locator("[data-last-sync]")).to_contain_text(abbreviation)

    now = datetime.now(ZoneInfo("America/Los_Angeles"))
    hours = "|".join({f"{now:%H}", f"{now + timedelta(minutes=2):%H}"})  # the clock in LA
    scan(page, door.payloads["stalls/A/1"])
    expect_result(page, "ok")
    next_scan(page)
    scan(page, door.payloads["stalls/A/1"])
    expect_result(page, "already_admitted")
    message = page.locator("[data-result-message]")
    expect(message).to_contain_text(re.compile(rf"First entry ({hours}):\d\d:\d\d {abbreviation}"))
    screenshot(page, "checkin-times-in-event-zone")
