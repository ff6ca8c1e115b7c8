"""The seat-change trigger and the per-process fan-out: NOTIFY per statement and event, at
commit only, per organizer schema; one LISTEN connection for any number of streams."""

import asyncio

import psycopg
import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from boxoffice.events.models import EventSeat
from boxoffice.sales import selectors as sales_selectors
from boxoffice.sales.services import holds
from boxoffice.shop.live import CHANNEL, RESET, SeatChanges, listen_params, parse
from tests.builders.events import on_sale_event
from tests.builders.organizers import make_organizer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener():
    conn = psycopg.connect(**listen_params(), autocommit=True)
    conn.execute(f"LISTEN {CHANNEL}")

    def received(timeout: float = 2.0) -> list[str]:
        return [notify.payload for notify in conn.notifies(timeout=timeout, stop_after=50)]

    yield received
    conn.close()


@pytest.fixture
def shop():
    organizer = make_organizer("livea")
    event = on_sale_event(organizer, rows=3, seats=6)
    yield organizer, event
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_livea CASCADE")


def positions(event, *refs):
    return [EventSeat.objects.get(event=event, ref=ref).position for ref in refs]


def test_a_hold_announces_its_seats_once_with_schema_and_event(shop, listener):
    organizer, event = shop
    with schema_context(organizer.schema_name):
        first, second = positions(event, "stalls/A/1", "stalls/A/2")
        hold, _token, _seats = holds.start_hold_with_seats(
            event_id=event.uid, refs=["stalls/A/1", "stalls/A/2"]
        )
    assert listener(1.0) == [f"{organizer.schema_name} {event.pk} {first}h,{second}h"]
    with schema_context(organizer.schema_name):
        holds.release_hold(hold=hold)
    assert listener(1.0) == [f"{organizer.schema_name} {event.pk} {first}a,{second}a"]


def test_a_refused_claim_announces_nothing(shop, listener):
    organizer, event = shop
    with schema_context(organizer.schema_name):
        holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/3"])
        listener(0.5)
        with pytest.raises(Exception, match=r"just taken"):
            holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/4", "stalls/A/3"])
    assert listener(0.5) == []


def test_changes_that_keep_the_letters_are_not_announced(shop, listener):
    organizer, event = shop
    with schema_context(organizer.schema_name):
        _hold, token, _seats = holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/B/1"])
        listener(0.5)
        holds.extend_hold(hold=sales_selectors.find_hold(token))
    assert listener(0.5) == []


def test_a_big_change_says_fetch_the_snapshot(shop, listener):
    organizer, event = shop
    with schema_context(organizer.schema_name), transaction.atomic():
        # Many places at once (a sweep, a cancelled event): listed until the payload limit.
        EventSeat.objects.filter(event=event).update(status="blocked")
    (payload,) = listener(1.0)
    key, places = parse(payload)
    assert key == (organizer.schema_name, event.pk)
    assert places.count("b") == 18


def test_parse_rejects_malformed_payloads():
    assert parse("org_x 12 3h") == (("org_x", 12), "3h")
    assert parse("org_x twelve 3h") is None
    assert parse("garbage") is None


def test_one_connection_fans_out_to_the_streams_of_that_event_only(shop):
    organizer, event = shop
    schema = organizer.schema_name

    async def scenario():
        hub = SeatChanges()
        async with (
            hub.subscribe((schema, event.pk)) as first,
            hub.subscribe((schema, event.pk)) as second,
            hub.subscribe(("org_other", event.pk)) as other,
        ):
            await asyncio.wait_for(hub.connected.wait(), 5)
            for queue in (first, second, other):  # everyone resyncs on (re)connect
                assert await asyncio.wait_for(queue.get(), 1) == RESET
            assert hub.stream_count == 3

            def claim():
                with schema_context(schema):
                    holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/C/1"])
                connection.close()

            await asyncio.to_thread(claim)
            got = [await asyncio.wait_for(queue.get(), 2) for queue in (first, second)]
            assert got[0] == got[1] and got[0].endswith("h")
            assert other.empty()
            backends = await asyncio.to_thread(count_listeners)
            assert backends == 1
        assert hub.stream_count == 0

    asyncio.run(scenario())


def count_listeners() -> int:
    with psycopg.connect(**(listen_params() | {"application_name": "counting"})) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'boxoffice-live' "
            "AND datname = current_database()"
        ).fetchone()
    return count
