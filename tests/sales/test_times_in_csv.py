"""The orders CSV writes each row's times in its event's zone, with the offset and the zone's
name, whatever the organizer's zone: one export with events in Auckland and Los Angeles."""

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.builders.events import on_sale_event
from tests.builders.organizers import owner_of, signed_in_client
from tests.builders.payments import buy, make_shop

pytestmark = pytest.mark.django_db


def test_each_rows_times_are_in_its_events_zone():
    starts_la = datetime(2027, 1, 16, 4, 0, tzinfo=UTC)  # 20:00 PST on the 15th
    starts_akl = datetime(2027, 1, 15, 7, 0, tzinfo=UTC)  # 20:00 NZDT on the 15th
    shop = make_shop(
        venue_zone="America/Los_Angeles",
        starts_at=starts_la,
        ends_at=starts_la + timedelta(hours=2),
    )
    auckland = dataclasses.replace(
        shop,
        event=on_sale_event(
            shop.organizer, title="Harbour night", venue_zone="Pacific/Auckland",
            starts_at=starts_akl, ends_at=starts_akl + timedelta(hours=2),
        ),
    )  # fmt: skip
    la_code = buy(shop, "stalls/A/1")["order_code"]
    akl_code = buy(auckland, "stalls/A/1")["order_code"]
    owner = signed_in_client(shop.organizer, owner_of(shop.organizer))
    answer = owner.get("/api/v1/orders.csv")
    assert answer.status_code == 200
    rows = {
        row["order_code"]: row
        for row in csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode()))
    }
    la, akl = rows[la_code], rows[akl_code]
    assert (la["event_starts"], la["timezone"]) == (
        "2027-01-15T20:00:00-08:00", "America/Los_Angeles",
    )  # fmt: skip
    assert (akl["event_starts"], akl["timezone"]) == (
        "2027-01-15T20:00:00+13:00", "Pacific/Auckland",
    )  # fmt: skip
    with shop.schema():
        paid = shop.order(la_code).paid_at
    assert la["paid_at"] == paid.astimezone(ZoneInfo("America/Los_Angeles")).isoformat(
        timespec="seconds"
    )
    assert la["paid_at"].endswith("-08:00") and akl["paid_at"].endswith("+13:00")
