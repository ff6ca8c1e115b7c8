"""The scheduled sweep frees lapsed seats in every organizer's schema."""

from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.sales.services import holds
from boxoffice.sales.tasks import sweep_expired_holds_everywhere
from tests.builders.events import on_sale_event
from tests.builders.organizers import make_organizer


def test_sweep_frees_lapsed_seats_in_every_organizer_and_keeps_live_ones(db):
    organizers = [make_organizer("alpha"), make_organizer("beta")]
    for organizer in organizers:
        event = on_sale_event(organizer, rows=1, seats=4)
        with schema_context(organizer.schema_name):
            lapsed, _ = holds.create_hold(event=event)
            holds.hold_seats(hold=lapsed, refs=["stalls/A/1", "stalls/A/2"])
            live, _ = holds.create_hold(event=event)
            holds.hold_seats(hold=live, refs=["stalls/A/3"])
            # Before the test's transaction began: the sweep compares with PostgreSQL's now(),
            # the start of that transaction, and building two organizers takes seconds.
            EventSeat.objects.filter(hold_id=lapsed.pk).update(
                held_until=timezone.now() - timedelta(minutes=5)
            )

    assert sweep_expired_holds_everywhere() == 4

    for organizer in organizers:
        with schema_context(organizer.schema_name):
            states = dict(EventSeat.objects.values_list("ref", "status"))
            assert states == {"stalls/A/1": "available", "stalls/A/2": "available",
                              "stalls/A/3": "held", "stalls/A/4": "available"}  # fmt: skip
            assert not EventSeat.objects.filter(status="available", hold_id__isnull=False)


def test_the_sweep_is_scheduled_every_thirty_seconds(db):
    schedules = Schedule.objects.filter(func=sweep_expired_holds_everywhere.__module__
                                        + ".sweep_expired_holds_everywhere")  # fmt: skip
    assert schedules.count() == 2
    assert {s.minutes for s in schedules} == {1}
    first, second = sorted(s.next_run for s in schedules)
    assert (second - first) == timedelta(seconds=30)
