"""One definition per seat and hold rule (events/seat_rules.py, sales/hold_rules.py): every form
of a rule agrees with the others, the frozen copies in migrations say the module's text,
what PostgreSQL runs (`pg_proc`) is what the latest migration wrote, and no module writes the rule
by hand again."""

import re
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from boxoffice.errors import Conflict, Invalid
from boxoffice.events.models import Event, EventSeat
from boxoffice.events.seat_rules import (
    LETTERS,
    claimable,
    claimable_sql,
    held_now,
    lapsed_sql,
    letter_sql,
)
from boxoffice.events.selectors import availability
from boxoffice.sales import selectors as sales_selectors
from boxoffice.sales.hold_rules import LIFETIME_FACTOR, expiry_sql
from boxoffice.sales.services import holds
from tests.builders.events import on_sale_event
from tests.builders.orders import make_order
from tests.builders.organizers import make_organizer

ROOT = Path(__file__).resolve().parents[2]
START_HOLD = import_module("boxoffice.sales.migrations.0008_start_hold_on_the_database_clock")
LETTERS_TRIGGER = import_module("boxoffice.shop.migrations.0002_seat_letters_from_seat_rules")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _body(create: str) -> str:
    """What PostgreSQL stores as the function's source: the text between the $$ quotes."""
    return create.split("$$", 2)[1]


# --- the frozen copies say the module's text --------------------------------------------------


def test_the_start_hold_function_claims_and_expires_by_the_rules():
    body = _squeeze(_body(START_HOLD.CREATE))
    assert claimable_sql("s") in body
    assert expiry_sql("found_event.hold_minutes") in body
    assert expiry_sql("p_lifetime_factor * found_event.hold_minutes") in body
    # One clock: the function never takes the application's time.
    assert "p_now" not in body


def test_the_notify_trigger_letters_are_the_snapshot_letters():
    assert letter_sql("new_rows") in _squeeze(_body(LETTERS_TRIGGER.CREATE))


@pytest.mark.parametrize(
    ("name", "create"),
    [
        ("sales_start_hold", START_HOLD.CREATE),
        ("shop_announce_seat_changes", LETTERS_TRIGGER.CREATE),
    ],
)
def test_what_postgresql_runs_is_what_the_latest_migration_wrote(db, name, create):
    organizer = make_organizer("rules")
    with schema_context(organizer.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname = %s AND n.nspname = %s",
            [name, organizer.schema_name],
        )
        sources = [row[0] for row in cursor.fetchall()]
    assert sources == [_body(create)]


def test_no_module_writes_the_claim_rule_by_hand():
    """`held_until` compared with a clock appears only in the rules modules and the migrations'
    frozen copies (checked above)."""
    allowed = {ROOT / "boxoffice/events/seat_rules.py"}
    pattern = re.compile(
        r"held_until\s*[<>]=?\s*now\(\)|held_until__(?:gt|gte|lt|lte)\b"
        r"|\bNow\(\)"  # Django's Now() is statement_timestamp(): another clock
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("boxoffice", "checkin", "seatmaps", "tenants")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        and path not in allowed
        and pattern.search(path.read_text())
    ]
    assert offenders == []


# --- every form of the rule agrees, on the database's clock -----------------------------------


@pytest.fixture
def seats(db):
    """Six seats of one event, one per state, `held_until` set on the database's clock; the test
    runs in one transaction, so `now()` is one instant throughout and "held until exactly now"
    is the boundary."""
    organizer = make_organizer("clock")
    event = on_sale_event(organizer, rows=1, seats=6)
    with schema_context(organizer.schema_name):
        hold, _token = holds.create_hold(event=event)
        states = {
            "stalls/A/1": ("available", None),
            "stalls/A/2": ("held", "now() - interval '1 second'"),
            "stalls/A/3": ("held", "now()"),
            "stalls/A/4": ("held", "now() + interval '1 second'"),
            "stalls/A/6": ("blocked", None),
        }
        with connection.cursor() as cursor:
            for ref, (status, until) in states.items():
                cursor.execute(
                    f"UPDATE events_eventseat SET status = %s, hold_id = %s, "  # noqa: S608
                    f"held_until = {until or 'NULL'} WHERE event_id = %s AND ref = %s",
                    [status, hold.pk if status == "held" else None, event.pk, ref],
                )
        make_order(event, ["stalls/A/5"])
        yield event, hold


EXPECTED = {
    "stalls/A/1": "a",  # available
    "stalls/A/2": "a",  # its hold lapsed a second ago
    "stalls/A/3": "h",  # held until this very instant: not yet anyone else's
    "stalls/A/4": "h",
    "stalls/A/5": "s",
    "stalls/A/6": "b",
}


def test_claimable_still_held_and_the_letters_agree(seats):
    event, hold = seats
    places = EventSeat.objects.filter(event=event)
    by_q = set(places.filter(claimable()).values_list("ref", flat=True))
    held = set(places.filter(held_now()).values_list("ref", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ref, {letter_sql()}, {claimable_sql()}, {lapsed_sql()} "  # noqa: S608
            "FROM events_eventseat WHERE event_id = %s ORDER BY position",
            [event.pk],
        )
        rows = cursor.fetchall()
    assert {ref: letter for ref, letter, _c, _l in rows} == EXPECTED
    assert (
        {ref for ref, _letter, free, _l in rows if free}
        == by_q
        == {ref for ref, letter in EXPECTED.items() if letter == LETTERS["available"]}
    )
    assert {ref for ref, *_rest, lapsed in rows if lapsed} == {"stalls/A/2"}
    # Still held is exactly "held and not claimable".
    assert held == {"stalls/A/3", "stalls/A/4"}
    assert {seat.ref for seat in sales_selectors.held_seats(hold)} == held
    statuses, _etag = availability(event)
    assert statuses == "".join(EXPECTED.values())


def test_the_claims_take_exactly_the_claimable_seats(seats):
    event, _hold = seats
    newcomer, _token = holds.create_hold(event=event)
    with pytest.raises(Conflict) as refused:
        holds.hold_seats(hold=newcomer, refs=list(EXPECTED))
    assert sorted(refused.value.details["seats"]) == [
        "stalls/A/3", "stalls/A/4", "stalls/A/5", "stalls/A/6"
    ]  # fmt: skip
    taken = holds.hold_seats(hold=newcomer, refs=["stalls/A/1", "stalls/A/2"])
    assert [seat.ref for seat in taken] == ["stalls/A/1", "stalls/A/2"]


# --- the hold's lifetime and the sales window, on the database's clock ----------------------


def test_a_hold_lives_hold_minutes_by_the_database_clock(db):
    organizer = make_organizer("life")
    event = on_sale_event(organizer, rows=1, seats=4, hold_minutes=7)
    with schema_context(organizer.schema_name):
        hold, _token = holds.create_hold(event=event)
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            now = cursor.fetchone()[0]
        assert hold.created_at == now
        assert hold.expires_at == now + timedelta(minutes=7)
        assert hold.max_expires_at == now + LIFETIME_FACTOR * timedelta(minutes=7)
        seats = holds.hold_seats(hold=hold, refs=["stalls/A/1"])
        assert seats[0].held_until == hold.expires_at
        # Inside one transaction the database's clock stands still: extending gives nothing.
        with pytest.raises(Invalid) as refused:
            holds.extend_hold(hold=hold)
        assert refused.value.code == "hold_lifetime_exceeded"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),
        ("-1 hour", None),
        ("+1 hour", None),
        (None, "+1 hour"),
        (None, "-1 hour"),
        ("0", None),  # opens at this instant: open
        (None, "0"),  # closes at this instant: closed
    ],
)
def test_the_functions_sales_window_is_event_sales_state(db, start, end):
    """The frozen copy of the sales window in `sales_start_hold` agrees with
    `Event.sales_state` at the database's time, at the boundaries too."""
    organizer = make_organizer("window")
    event = on_sale_event(organizer, rows=1, seats=2)
    with schema_context(organizer.schema_name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            now = cursor.fetchone()[0]

        def at(offset: str | None):
            if offset is None:
                return None
            return now + {"0": timedelta(0), "-1 hour": -timedelta(hours=1),
                          "+1 hour": timedelta(hours=1)}[offset]  # fmt: skip

        Event.objects.filter(pk=event.pk).update(sales_start=at(start), sales_end=at(end))
        event.refresh_from_db()
        expected_open = event.sales_state(now) == Event.Sales.OPEN
        try:
            holds.start_hold_with_seats(event_id=event.uid, refs=["stalls/A/1"])
            opened = True
        except Conflict as refusal:
            assert refusal.code in {"sales_not_started", "sales_ended"}
            opened = False
        assert opened == expected_open
