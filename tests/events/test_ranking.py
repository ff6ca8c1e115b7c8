"""Seat rank (boxoffice/events/ranking.py): the rule on its own, and existing events ranked again
by migration events/0005 exactly as a new event's seats are ranked."""

import importlib
import math
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.events.ranking import (
    FRONT_ROW,
    MAX_ANGLE,
    Place,
    front_rows,
    rank_seats,
    seat_spacing,
    view_rank,
)
from boxoffice.events.services.events import create_event
from seatmaps.samples import load_sample
from tests.builders.events import ACTOR, published_version
from tests.builders.organizers import make_organizer

FOCAL = (500.0, 100.0)


def at(distance: float, degrees: float) -> tuple[float, float]:
    """The point `distance` from FOCAL, `degrees` off the centre line (positive: house right)."""
    angle = math.radians(degrees)
    return FOCAL[0] + distance * math.sin(angle), FOCAL[1] + distance * math.cos(angle)


def block(section: str, rows: int, seats: int, *, x: float, y: float) -> list[Place]:
    """A flat block facing the stage: rows 35 apart, seats 30 apart, front row at `y`."""
    return [
        Place(section, chr(ord("A") + row), x + seat * 30, y + row * 35)
        for row in range(rows)
        for seat in range(seats)
    ]


def test_centre_beats_corner_at_equal_distance():
    ahead = view_rank(*at(300, 0), FOCAL)
    assert ahead == pytest.approx(300)
    for degrees in (10, 30, 45, 60):
        assert view_rank(*at(300, degrees), FOCAL) > ahead


def test_a_steeper_angle_ranks_worse():
    ranks = [view_rank(*at(300, degrees), FOCAL) for degrees in range(0, 90, 5)]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    # The front corner of an angled side block (the sample theatre's stalls-l/A/1: ~305 from
    # the focal point, 68° off the centre line) ranks below the middle of a row further back.
    assert view_rank(*at(305, 68), FOCAL) > view_rank(*at(430, 2), FOCAL)


def test_seats_level_with_or_behind_the_stage_rank_worst_but_finite():
    capped = view_rank(*at(300, MAX_ANGLE), FOCAL)
    for degrees in (85, 90, 120, 180):
        rank = view_rank(*at(300, degrees), FOCAL)
        assert math.isfinite(rank)
        assert rank >= capped
    assert view_rank(*FOCAL, FOCAL) == 0


def test_rows_fill_from_the_middle_outwards():
    seats = block("stalls", 2, 11, x=350, y=250)  # seat 6 (index 5) is on the centre line
    ranks = rank_seats(seats, FOCAL)
    row_b = ranks[11:]
    assert row_b[5] == min(row_b)
    assert row_b[5:] == sorted(row_b[5:])  # outwards to the right...
    assert row_b[:6] == sorted(row_b[:6], reverse=True)  # ...and to the left


def test_the_front_row_of_a_section_is_not_its_best():
    seats = block("stalls", 3, 11, x=350, y=250)
    assert seat_spacing(seats) == 30
    assert front_rows(seats, FOCAL) == {("stalls", "A")}
    ranks = rank_seats(seats, FOCAL)
    middle = {seat.row: rank for seat, rank in zip(seats, ranks, strict=True) if seat.x == 500}
    assert middle["B"] < middle["C"] < middle["A"]  # 2.5 spacings: about two rows back
    assert middle["A"] == pytest.approx(150 + FRONT_ROW * 30)
    # A section of one row has no row behind it to be worse than.
    single = block("box", 1, 4, x=800, y=250)
    assert front_rows(single, FOCAL) == set()


def test_left_and_right_rank_alike():
    left = block("left", 4, 6, x=500 - 40 - 5 * 30, y=300)
    right = block("right", 4, 6, x=540, y=300)
    ranks = dict(zip(left + right, rank_seats(left + right, FOCAL), strict=True))
    for seat in left:
        mirror = Place("right", seat.row, 2 * FOCAL[0] - seat.x, seat.y)
        assert ranks[seat] == ranks[mirror]  # exactly: best available's ties depend on it
    assert all(rank == round(rank, 2) for rank in ranks.values())
    # The same seats in another order rank the same.
    shuffled = right[::-1] + left[::-1]
    assert dict(zip(shuffled, rank_seats(shuffled, FOCAL), strict=True)) == ranks


def test_centre_block_beats_side_block_at_the_same_depth():
    centre = block("centre", 2, 6, x=500 - 75, y=300)
    side = block("side", 2, 6, x=700, y=300)
    ranks = dict(zip(centre + side, rank_seats(centre + side, FOCAL), strict=True))
    assert max(ranks[seat] for seat in centre) < min(ranks[seat] for seat in side)


# --- existing events ----------------------------------------------------------------------------


def ranks_of(event) -> dict[str, float]:
    return dict(EventSeat.objects.filter(event=event).values_list("ref", "rank"))


@pytest.fixture
def events(db):
    organizer = make_organizer("alpha")
    with schema_context(organizer.schema_name):
        starts = timezone.now() + timedelta(days=30)
        versions = {
            "Hamlet": published_version(document=load_sample("theatre")),
            "Recital": published_version(6, 12, with_floor=True),
        }
        made = []
        for title, version in versions.items():
            event = create_event(
                actor=ACTOR, seat_map_version=version, title=title, starts_at=starts,
                ends_at=starts + timedelta(hours=3),
            )  # fmt: skip
            made.append(event)
        yield made


def test_existing_events_are_ranked_again_as_new_ones_are(events):
    fresh = [ranks_of(event) for event in events]
    assert fresh[0]["stalls-c/B/108"] < fresh[0]["stalls-c/A/108"]  # the new rule, not distance
    # As an event made before the new rule had them: the plain distance to the focal point.
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE events_eventseat s
                  SET rank = round(sqrt(power(v.x - sv.focal_x, 2) + power(v.y - sv.focal_y, 2))
                                   ::numeric, 2)
                 FROM events_event e, seatmaps_seatmapversion sv, seatmaps_versionseat v
                WHERE s.event_id = e.id AND sv.id = e.seat_map_version_id AND v.version_id = sv.id
                  AND s.kind = 'seat' AND s.ref = v.section || '/' || v."row" || '/' || v.label"""
        )
    old = [ranks_of(event) for event in events]
    assert old[0]["stalls-c/B/108"] > old[0]["stalls-c/A/108"]

    migration = importlib.import_module("boxoffice.events.migrations.0005_rerank_seats")
    # The models as the migration sees them (historical), not today's.
    state = MigrationExecutor(connection).loader.project_state(("events", "0005_rerank_seats"))
    migration.rerank(state.apps, SimpleNamespace(connection=connection))

    assert [ranks_of(event) for event in events] == fresh
    spots = EventSeat.objects.filter(event=events[1], kind=EventSeat.Kind.SPOT)
    assert set(spots.values_list("rank", flat=True)) == {0.0}
