"""The seat map's wheelchair, companion and restricted-view flags reach the event's inventory."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.events.services.events import create_event
from seatmaps import services as seatmap_services
from seatmaps.samples import load_sample
from tests.builders.events import ACTOR
from tests.builders.organizers import make_organizer


@pytest.fixture
def theatre_event(db):
    organizer = make_organizer("alpha")
    with schema_context(organizer.schema_name):
        venue = seatmap_services.create_venue(
            actor=ACTOR, name="Playhouse", city="Leeds", country="GB",
            timezone_name="Europe/London",
        )  # fmt: skip
        seat_map = seatmap_services.create_seat_map(
            actor=ACTOR, venue=venue, name="Main", document=load_sample("theatre")
        )
        version = seatmap_services.publish_seat_map(actor=ACTOR, seat_map=seat_map)
        starts = timezone.now() + timedelta(days=30)
        event = create_event(
            actor=ACTOR, seat_map_version=version, title="Hamlet", starts_at=starts,
            ends_at=starts + timedelta(hours=3),
        )  # fmt: skip
        yield event


def flagged(event) -> dict[str, set[str]]:
    seats = EventSeat.objects.filter(event=event)
    return {
        name: set(seats.filter(**{name: True}).values_list("ref", flat=True))
        for name in ("accessible", "companion", "restricted_view")
    }


def test_an_event_made_from_a_map_carries_its_seat_flags(theatre_event):
    flags = flagged(theatre_event)
    assert flags["accessible"] == {"stalls-l/T/1", "stalls-r/T/2", "stalls-c/T/101",
                                   "stalls-c/T/116"}  # fmt: skip
    assert flags["companion"] == {"stalls-l/T/3", "stalls-r/T/4", "stalls-c/T/102",
                                  "stalls-c/T/115"}  # fmt: skip
    assert len(flags["restricted_view"]) == 8 * 6  # both ends of every balcony row
    assert all(ref.startswith("balcony/") for ref in flags["restricted_view"])


def test_events_made_before_the_flags_get_them_from_their_version(theatre_event):
    """Migration events/0003 fills in the flags of existing events from their map version."""
    before = flagged(theatre_event)
    EventSeat.objects.filter(event=theatre_event).update(
        accessible=False, companion=False, restricted_view=False
    )
    migration = importlib.import_module("boxoffice.events.migrations.0003_seat_flags")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert flagged(theatre_event) == before
