"""Many customers racing for overlapping seats on the real database: no seat is ever held twice,
every seat ends in at most one hold, and every hold is all or nothing."""

import random
from collections import Counter

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.sales.models import Hold
from boxoffice.sales.services import holds
from tests.builders.events import on_sale_event
from tests.builders.races import race


@pytest.fixture
def racing_event(committed_organizer):
    organizer = committed_organizer("racers")
    event = on_sale_event(organizer, rows=4, seats=10, max_seats_per_order=6)
    connection.set_schema_to_public()
    return organizer, event


def assert_no_double_holds(organizer, event, won: list[tuple[int, list[str]]]) -> None:
    claimed = Counter(ref for _hold, refs in won for ref in refs)
    assert all(count == 1 for count in claimed.values()), claimed.most_common(3)
    with schema_context(organizer.schema_name):
        held = dict(
            EventSeat.objects.filter(event=event, status="held").values_list("ref", "hold_id")
        )
    assert set(held) == set(claimed)
    for hold_id, refs in won:
        assert all(held[ref] == hold_id for ref in refs)  # all or nothing, and still its own


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_racing_for_overlapping_seats_never_share_a_seat(racing_event):
    organizer, event = racing_event
    rng = random.Random(7)
    hot = [f"stalls/A/{n}" for n in range(1, 11)] + [f"stalls/B/{n}" for n in range(1, 11)]
    wishes = [rng.sample(hot, rng.randint(2, 4)) for _ in range(24)]

    def want(index: int):
        with schema_context(organizer.schema_name):
            hold, _token = holds.create_hold(event=event)
            seats = holds.hold_seats(hold=hold, refs=wishes[index])
            return hold.pk, [seat.ref for seat in seats]

    results = race(want, contenders=len(wishes))
    won = [r for r in results if isinstance(r, tuple)]
    assert len(won) >= 1
    assert {r for r in results if isinstance(r, str)} <= {"seats_unavailable"}
    assert_no_double_holds(organizer, event, won)
    for _hold_id, refs in won:
        assert sorted(refs) == sorted(next(w for w in wishes if sorted(w) == sorted(refs)))
    with schema_context(organizer.schema_name):
        assert Hold.objects.count() == len(results)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_holds_racing_for_overlapping_seats_never_share_a_seat(racing_event):
    """The endpoint's one-statement path (hold INSERT + claim): a refused claim leaves no hold."""
    organizer, event = racing_event
    rng = random.Random(11)
    hot = [f"stalls/C/{n}" for n in range(1, 11)] + [f"stalls/D/{n}" for n in range(1, 11)]
    wishes = [rng.sample(hot, rng.randint(2, 4)) for _ in range(24)]

    def want(index: int):
        with schema_context(organizer.schema_name):
            hold, _token, seats = holds.start_hold_with_seats(
                event_id=event.uid, refs=wishes[index]
            )
            return hold.pk, [seat["ref"] for seat in seats]

    results = race(want, contenders=len(wishes))
    won = [r for r in results if isinstance(r, tuple)]
    assert len(won) >= 1
    assert {r for r in results if isinstance(r, str)} <= {"seats_unavailable"}
    assert_no_double_holds(organizer, event, won)
    for _hold_id, refs in won:
        assert sorted(refs) in [sorted(wish) for wish in wishes]
    with schema_context(organizer.schema_name):
        assert sorted(Hold.objects.values_list("pk", flat=True)) == sorted(h for h, _ in won)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_best_available_under_contention_hands_out_distinct_seats(racing_event):
    organizer, event = racing_event

    def best(index: int):
        with schema_context(organizer.schema_name):
            hold, _token = holds.create_hold(event=event)
            seats, _together = holds.hold_best_available(hold=hold, category="standard", quantity=3)
            return hold.pk, [seat.ref for seat in seats]

    # 30 standard seats, 12 customers wanting 3 each: at most 10 can win.
    results = race(best, contenders=12)
    won = [r for r in results if isinstance(r, tuple)]
    assert 8 <= len(won) <= 10
    assert {r for r in results if isinstance(r, str)} <= {"seats_unavailable"}
    assert_no_double_holds(organizer, event, won)
