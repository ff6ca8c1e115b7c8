"""The console shows an event's times (its start, its orders, its scans) in the event's zone
and names it, even when the organizer sits in another zone; the organizer's own things
(tokens, devices) are in the organizer's zone, named too."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkin.models import Scan
from tests.builders.checkin import make_door, scan
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import make_organizer, owner_of, signed_in_client

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")


def shown(moment: datetime, zone: ZoneInfo, pattern: str) -> str:
    local = moment.astimezone(zone)
    return local.strftime(pattern.replace("%-d", str(local.day)))


def test_console_pages_show_the_events_zone_not_the_organizers():
    organizer = make_organizer("alpha", timezone_name="Pacific/Auckland")
    starts = datetime(2027, 1, 16, 4, 0, tzinfo=UTC)  # 20:00 PST on 15 January
    event = on_sale_event(
        organizer, rows=1, seats=4, venue_zone="America/Los_Angeles", starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )  # fmt: skip
    order, (ticket,) = paid_order(organizer, event, ["stalls/A/1"])
    door = make_door(organizer, event)
    assert scan(door.device(), door.list_id, ticket.payload).json()["verdict"] == "ok"
    owner = signed_in_client(organizer, owner_of(organizer))

    for path in ("/console/", "/console/events/", f"/console/events/{event.uid}/"):
        html = owner.get(path).content.decode()
        assert "15 Jan" in html and "20:00 PST" in html, path
        assert "04:00" not in html and "16 Jan" not in html, path

    created = shown(order.created_at, LA, "%-d %b %Y %H:%M %Z")
    assert created.endswith(("PST", "PDT"))
    assert created in owner.get("/console/orders/").content.decode()
    order_page = owner.get(f"/console/orders/{order.code}/").content.decode()
    assert created in order_page
    assert shown(order.paid_at, LA, "%-d %b %Y %H:%M %Z") in order_page

    scanned = Scan.objects.get(ticket=ticket).scanned_at
    scans = owner.get(f"/console/checkin/lists/{door.list_id}/").content.decode()
    assert shown(scanned, LA, "%-d %b %H:%M:%S %Z") in scans
    assert re.search(r"Live counts <span class=\"muted\">\d+ \w+ \d\d:\d\d:\d\d P[SD]T", scans)

    devices = owner.get("/console/checkin/").content.decode()
    assert re.search(r"\d\d:\d\d NZ[SD]T", devices)  # the device's last seen, organizer's zone
