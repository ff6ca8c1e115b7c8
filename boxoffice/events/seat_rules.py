"""The rules of a seat's state, each written once, on one clock: the database's.

A place (`EventSeat`) is `available`, `held` by a hold until `held_until`, `sold` or `blocked`.
Holds lapse without anyone writing: a `held` row whose `held_until` has passed counts as
available, and the sweep tidies it later. Two rules follow, and every statement, query and
frozen copy that needs them is built from this module:

- claimable: `available`, or `held` with `held_until < now()`;
- still held: `held` with `held_until >= now()` — exactly the held rows that are not claimable,
  so at no instant can a seat be both the old hold's and up for grabs.

`now()` is PostgreSQL's transaction time, one instant for every statement of a transaction (so
a hold judged live by one statement is not lapsed by the next); the ORM's form is `DatabaseNow`,
not Django's `Now()`, which PostgreSQL reads as `statement_timestamp()`, a later instant.
The application's clock is never compared with `held_until`: app servers and the database
drift apart by whole seconds, and a hold the app thought live while the database thought it
lapsed (or the reverse) would let two people act on one seat. A hold's own `expires_at` is
written by the database too (`sales_start_hold`, `extend_hold`).

Copies that must exist — the plpgsql in sales/migrations (`sales_start_hold`) and
shop/migrations (the NOTIFY trigger's status letters) — are frozen there as migrations must be;
tests/events/test_seat_rules.py fails when one drifts from the text here or from what
`pg_proc` holds.
"""

from django.db.models import DateTimeField, Func, Q

from boxoffice.events.models import EventSeat

# The availability snapshot's letter per status (events.selectors.availability, the live map).
LETTERS = {"available": "a", "held": "h", "sold": "s", "blocked": "b"}


class DatabaseNow(Func):
    """PostgreSQL's `now()`, the clock of every seat and hold rule, in ORM expressions."""

    template = "now()"
    output_field = DateTimeField()


def _columns(table: str) -> str:
    return f"{table}." if table else ""


def lapsed_sql(table: str = "") -> str:
    """The SQL condition "held, but its hold has lapsed"; `table` qualifies the columns ("s"
    gives `s.status`)."""
    c = _columns(table)
    return f"{c}status = 'held' AND {c}held_until < now()"


def claimable_sql(table: str = "") -> str:
    """The SQL condition "this place can be claimed", for a statement's WHERE clause."""
    return f"({_columns(table)}status = 'available' OR ({lapsed_sql(table)}))"


def letter_sql(table: str = "") -> str:
    """The SQL expression for a place's snapshot letter: a lapsed hold reads as available."""
    c = _columns(table)
    return (
        f"CASE WHEN {claimable_sql(table)} THEN '{LETTERS['available']}' "
        f"WHEN {c}status = 'held' THEN '{LETTERS['held']}' "
        f"WHEN {c}status = 'sold' THEN '{LETTERS['sold']}' ELSE '{LETTERS['blocked']}' END"
    )


def claimable() -> Q:
    """The ORM form of `claimable_sql`."""
    return Q(status=EventSeat.Status.AVAILABLE) | Q(
        status=EventSeat.Status.HELD, held_until__lt=DatabaseNow()
    )


def held_now() -> Q:
    """Places some hold still has: the `held` rows that are not claimable."""
    return Q(status=EventSeat.Status.HELD, held_until__gte=DatabaseNow())


def still_held(hold_id: int) -> Q:
    """The places hold `hold_id` still has."""
    return held_now() & Q(hold_id=hold_id)
