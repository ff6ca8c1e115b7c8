"""Holds: the reservation engine. See boxoffice/sales/README.md for the locking story.

Every claim of seats is ONE conditional statement on events_eventseat — it takes a seat only if
it is available or its hold has lapsed — so two customers can never both get a seat, without
any event-wide or advisory lock. The only lock taken is the customer's own hold row, which
serializes requests on one hold (to keep the per-order maximum) and nothing else.
"""

import json
import secrets
from contextlib import nullcontext
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, ExpressionWrapper

from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Gone, Invalid, NotFound
from boxoffice.events.error_codes import ErrorCode as EventCode
from boxoffice.events.models import Event, EventSeat
from boxoffice.events.seat_rules import (
    DatabaseNow,
    claimable,
    claimable_sql,
    lapsed_sql,
    still_held,
)
from boxoffice.events.selectors import PUBLIC_STATUSES
from boxoffice.events.services.events import refuse_unavailable_seats
from boxoffice.sales.best_available import Candidate, choose_accessible, choose_best
from boxoffice.sales.error_codes import ErrorCode
from boxoffice.sales.hold_rules import LIFETIME_FACTOR, expiry_sql
from boxoffice.sales.models import Hold
from boxoffice.sales.selectors import event_for_holds_at, held_seats, token_hash
from boxoffice.transactions import require_transaction
from seatmaps.error_codes import ErrorCode as SeatMapCode

TOKEN_PREFIX = "hold_"
# Best available: how many times to pick again when a concurrent claim took a chosen seat.
PICK_ATTEMPTS = 10

# The claim statements, built from the one claim condition (events.seat_rules); each takes all
# it can in one go and says which rows it got. A seat's `held_until` is its hold's `expires_at`.
# A pick (best available) skips seats another claim has locked at this instant instead of
# waiting for it, so a loser learns at once which seats to leave out and picks again.
_TAKE = "UPDATE events_eventseat SET status = 'held', hold_id = %s, held_until = %s "
CLAIM_BY_ID = (
    f"{_TAKE}WHERE id IN (SELECT id FROM events_eventseat "  # noqa: S608 (fixed fragments)
    f"WHERE event_id = %s AND id = ANY(%s) AND {claimable_sql()} "
    "ORDER BY id FOR UPDATE SKIP LOCKED) RETURNING id"
)
CLAIM_BY_REF = (
    f"{_TAKE}WHERE event_id = %s AND ref = ANY(%s) AND kind = 'seat' AND {claimable_sql()} "
    "RETURNING ref"
)
CLAIM_SPOTS = (
    f"{_TAKE}WHERE id IN (SELECT id FROM events_eventseat "  # noqa: S608 (fixed fragments)
    f"WHERE event_id = %s AND section = %s AND kind = 'spot' AND {claimable_sql()} "
    "ORDER BY position LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id"
)
# Every new hold, in one round trip and no transaction around it when it comes with chosen seats
# (the on-sale rush's request): migration sales/0008 has the function (find the event, check its
# sales window on the database's clock, insert the hold, claim as CLAIM_BY_REF; short of a seat it
# raises REFUSED_SEATS, undoing it all).
START_HOLD = "SELECT * FROM sales_start_hold(%s, %s, %s, %s, %s, %s)"
REFUSED_SEATS = "BX409"
# Attempts at START_HOLD when the event refused it and then turns out fine (it just went on sale).
START_ATTEMPTS = 2
# "Another hold_minutes from now, never past the hold's lifetime", refused (no row) when that is
# no later than the hold's expiry now.
_EXTENDED = f"LEAST({expiry_sql('%s')}, max_expires_at)"
EXTEND_HOLD = (
    f"UPDATE sales_hold SET expires_at = {_EXTENDED}, "  # noqa: S608 (fixed fragments)
    "extensions = extensions + 1, "
    f"updated_at = now() WHERE id = %s AND {_EXTENDED} > expires_at "
    "RETURNING expires_at, extensions, updated_at"
)
SWEEP = (
    "UPDATE events_eventseat SET status = 'available', hold_id = NULL, held_until = NULL "  # noqa: S608
    f"WHERE id IN (SELECT id FROM events_eventseat WHERE {lapsed_sql()} FOR UPDATE SKIP LOCKED) "
    f"AND {lapsed_sql()}"
)


def _check_on_sale(event: Event, now: datetime) -> None:
    state = event.sales_state(now)
    if state == Event.Sales.NOT_ON_SALE:
        raise Conflict("Tickets for this event are not on sale.", code=ErrorCode.NOT_ON_SALE)
    if state == Event.Sales.NOT_STARTED:
        raise Conflict("Sales have not started yet.", code=ErrorCode.SALES_NOT_STARTED)
    if state == Event.Sales.ENDED:
        raise Conflict("Sales have ended.", code=ErrorCode.SALES_ENDED)


def create_hold(*, event: Event) -> tuple[Hold, str]:
    """A new, empty hold on an on-sale event; returns it and its token (shown once)."""
    if event.status not in PUBLIC_STATUSES:  # START_HOLD would not find it: say why
        _check_on_sale(event, _database_now())
    hold, token, _seats = _start_hold(event.uid, [])
    hold.event = event
    return hold, token


def _database_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def start_hold_with_seats(*, event_id: str, refs: list[str]) -> tuple[Hold, str, list[dict]]:
    """A new hold with these seats on the event with this id or slug, all or nothing: the on-sale
    rush's one request. Returns the hold, its token and its seats (ref, kind, section, row,
    label, category) in map order.

    One statement (START_HOLD), held or refused: nobody else knows the new hold's token and it has
    no seats yet, so there is nothing to lock or read first. The refusals are those of
    `create_hold` and `hold_seats`: 404 no such event, 409 not on sale, 422 too many or unknown
    seats, 409 `seats_unavailable` naming the seats someone else has."""
    refs = list(dict.fromkeys(refs))
    if not refs:
        raise Invalid("Choose at least one seat.", code=ErrorCode.NO_SEATS)
    return _start_hold(event_id, refs)


def _start_hold(event_id: str, refs: list[str]) -> tuple[Hold, str, list[dict]]:
    for _attempt in range(START_ATTEMPTS):
        token = TOKEN_PREFIX + secrets.token_urlsafe(24)
        values = [event_id, list(PUBLIC_STATUSES), Event.Status.ON_SALE, refs, token_hash(token),
                  LIFETIME_FACTOR]  # fmt: skip
        try:
            # Inside a caller's transaction (tests, scripts, a hold filled next), a savepoint
            # keeps a refusal from aborting it; on its own the statement is its own transaction.
            with (
                transaction.atomic() if connection.in_atomic_block else nullcontext(),
                connection.cursor() as cursor,
            ):
                cursor.execute(START_HOLD, values)
                rows = cursor.fetchall()
        except DatabaseError as error:
            _refuse_seats(error)
            raise
        if rows:
            return _started(rows, token)
        _refuse_event(event_id, wanted=len(refs))
    raise Conflict("The event changed meanwhile; try again.", code=KernelCode.CONTENTION)


def _refuse_seats(error: DatabaseError) -> None:
    """The customer's error for a START_HOLD short of seats; returns for any other error."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) != REFUSED_SEATS:
        return
    refused = json.loads(cause.diag.message_detail)
    if refused["unknown"]:
        raise Invalid(
            "These seats do not exist.",
            code=SeatMapCode.UNKNOWN_SEATS,
            seats=refused["unknown"],
        )
    raise Conflict(
        "Some of these seats were just taken.",
        code=EventCode.SEATS_UNAVAILABLE,
        seats=refused["unavailable"],
    )


def _started(rows: list[tuple], token: str) -> tuple[Hold, str, list[dict]]:
    hold_id, event_pk, event_uid, expires_at, max_expires_at, created_at = rows[0][:6]
    hold = Hold(
        event=Event.from_db(connection.alias, ["id", "uid"], [event_pk, event_uid]),
        token_hash=token_hash(token),
        status=Hold.Status.ACTIVE,
        expires_at=expires_at,
        max_expires_at=max_expires_at,
        extensions=0,
        created_at=created_at,
        updated_at=created_at,
    )
    hold.pk = hold_id
    hold._state.adding = False
    hold._state.db = connection.alias
    hold.db_now = created_at
    fields = ("ref", "kind", "section", "row", "label", "category")
    seats = sorted((row for row in rows if row[6] is not None), key=lambda row: row[-1])
    return hold, token, [dict(zip(fields, row[6 : 6 + len(fields)], strict=True)) for row in seats]


def _refuse_event(event_id: str, *, wanted: int) -> None:
    """Why START_HOLD answered no rows, as the customer's error; returns when nothing is wrong
    any more (the event changed after the statement looked)."""
    event, now = event_for_holds_at(event_id)
    _check_on_sale(event, now)
    _check_room(event, held=0, wanted=wanted)


def check_hold_live(hold: Hold) -> None:
    """410 for a hold that was released, converted or has expired, judged at the database's
    time of reading it (`find_hold`, `lock_hold`)."""
    if hold.status == Hold.Status.RELEASED:
        raise Gone("This hold was released.", code=ErrorCode.HOLD_RELEASED)
    if hold.status == Hold.Status.CONVERTED:
        raise Gone("This hold became an order.", code=ErrorCode.HOLD_CONVERTED)
    # Expired at `expires_at` itself: its seats stay out of reach until just after (held_until
    # < now() makes them claimable), so there is no instant where both the hold and another
    # customer could take them.
    if getattr(hold, "db_now", None) is None:
        # A hold read some other way is judged at the database's time now (one more statement).
        hold.db_now = _database_now()
    if hold.expires_at <= hold.db_now:
        raise Gone(
            "This hold has expired; its seats may have been taken.",
            code=ErrorCode.HOLD_EXPIRED,
        )


def lock_hold(hold: Hold) -> Hold:
    """This customer's hold row locked for the transaction (never the event), read with the
    database's time (`db_now`)."""
    require_transaction("lock_hold")
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("event")
        .annotate(db_now=DatabaseNow())
        .get(pk=hold.pk)
    )


def _lock_live(hold: Hold) -> Hold:
    """Lock this customer's hold row and check it is usable."""
    locked = lock_hold(hold)
    check_hold_live(locked)
    _check_on_sale(locked.event, locked.db_now)
    return locked


def _room(hold: Hold, wanted: int) -> None:
    held = EventSeat.objects.filter(still_held(hold.pk)).count()
    _check_room(hold.event, held=held, wanted=wanted)


def _check_room(event: Event, *, held: int, wanted: int) -> None:
    limit = event.max_seats_per_order
    if held + wanted > limit:
        raise Invalid(
            f"At most {limit} seats per order; this hold has {held}.",
            code=SeatMapCode.TOO_MANY_SEATS,
            limit=limit,
            held=held,
        )


def _claim_ids(hold: Hold, ids: list[int]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_BY_ID, [hold.pk, hold.expires_at, hold.event_id, ids])
        return [row[0] for row in cursor.fetchall()]


def hold_seats(*, hold: Hold, refs: list[str]) -> list[EventSeat]:
    """Add these seats to the hold, all or nothing: 409 `seats_unavailable` names the ones
    someone else has."""
    refs = list(dict.fromkeys(refs))
    if not refs:
        raise Invalid("Choose at least one seat.", code=ErrorCode.NO_SEATS)
    with transaction.atomic():
        hold = _lock_live(hold)
        # Seats already in this hold are fine to ask for again.
        own = held_seats(hold)
        refs = [ref for ref in refs if ref not in {seat.ref for seat in own}]
        if not refs:
            return own
        _check_room(hold.event, held=len(own), wanted=len(refs))
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_BY_REF, [hold.pk, hold.expires_at, hold.event_id, refs])
            claimed = {row[0] for row in cursor.fetchall()}
        if len(claimed) != len(refs):
            # Raising inside the atomic block undoes the seats this statement did claim.
            refuse_unavailable_seats(hold.event, [ref for ref in refs if ref not in claimed])
    return held_seats(hold)


def _candidates(hold: Hold, category: str, *, accessible: bool) -> list[Candidate]:
    """Every seat of the category, free or not, as the chooser sees it: restricted-view seats
    rank below every unrestricted one; for a general request, wheelchair spaces and companion
    seats still kept for accessible seating count as taken (so no block spans them)."""
    # Seat order makes the chooser's grouping by row nearly free.
    rows = list(
        EventSeat.objects.filter(
            event_id=hold.event_id, category=category, kind=EventSeat.Kind.SEAT
        )
        .annotate(free=ExpressionWrapper(claimable(), output_field=BooleanField()))
        .order_by("section", "row", "seat_index")
        .values_list("id", "section", "row", "seat_index", "rank", "free",
                     "accessible", "companion", "restricted_view", "access_released")
    )  # fmt: skip
    if not rows:
        return []
    ranks = [row[4] for row in rows]
    # Larger than any difference a block of up to the per-order limit can make (at most 50
    # seats), so a block with fewer restricted-view seats always ranks better.
    restricted = 50 * (max(ranks) - min(ranks)) + 1.0
    return [
        Candidate(
            id=seat_id, section=section, row=row, seat_index=index,
            rank=rank + restricted if restricted_view else rank,
            available=free and (accessible or released or not (wheelchair or companion)),
            wheelchair=wheelchair, companion=companion,
        )
        for (seat_id, section, row, index, rank, free, wheelchair, companion,
             restricted_view, released) in rows
    ]  # fmt: skip


def hold_best_available(
    *,
    hold: Hold,
    category: str,
    quantity: int,
    allow_split: bool = True,
    accessible: bool = False,
) -> tuple[list[EventSeat], bool]:
    """Pick the best `quantity` seats of `category` (see best_available.py for the rules) and
    claim them; returns the hold's seats and whether the pick sat together. `accessible` asks
    for a wheelchair space with `quantity - 1` seats beside it (companion seats first)."""
    if quantity < 1:
        raise Invalid("Ask for at least one seat.", code=ErrorCode.INVALID_QUANTITY)
    with transaction.atomic():
        hold = _lock_live(hold)
        _room(hold, quantity)
        candidates = _candidates(hold, category, accessible=accessible)
        if not candidates:
            raise Invalid(f"No seats in category '{category}'.", code=SeatMapCode.UNKNOWN_CATEGORY)
        if accessible and not any(seat.wheelchair for seat in candidates):
            raise Invalid(
                f"There are no wheelchair spaces in '{category}'.",
                code=ErrorCode.NO_WHEELCHAIR_SPACES,
                category=category,
            )
        taken: set[int] = set()
        for attempt in range(PICK_ATTEMPTS):
            if attempt:
                # Others have been claiming meanwhile: choose from what is free now.
                candidates = _candidates(hold, category, accessible=accessible)
            if accessible:
                choice = choose_accessible(candidates, quantity, exclude=taken)
            else:
                choice = choose_best(candidates, quantity, exclude=taken, allow_split=allow_split)
            if choice is None:
                raise Conflict(
                    _none_left(category, quantity, accessible=accessible),
                    code=EventCode.SEATS_UNAVAILABLE,
                    category=category,
                    quantity=quantity,
                )
            with transaction.atomic():  # a savepoint: a partial claim is undone
                claimed = _claim_ids(hold, list(choice.ids))
                if len(claimed) == len(choice.ids):
                    return held_seats(hold), choice.together
                taken.update(set(choice.ids) - set(claimed))
                transaction.set_rollback(True)
        raise Conflict(
            "Seats are going fast; try again.", code=EventCode.SEATS_UNAVAILABLE, category=category
        )


def _none_left(category: str, quantity: int, *, accessible: bool) -> str:
    if not accessible:
        return f"Not enough seats left in '{category}'."
    if quantity == 1:
        return f"No wheelchair space is left in '{category}'."
    return f"No wheelchair space with {quantity - 1} seat(s) beside it is left in '{category}'."


def hold_general_admission(*, hold: Hold, section: str, quantity: int) -> list[EventSeat]:
    """Claim `quantity` spots of a general-admission area: one statement that skips spots other
    transactions are claiming at this instant (FOR UPDATE SKIP LOCKED)."""
    if quantity < 1:
        raise Invalid("Ask for at least one place.", code=ErrorCode.INVALID_QUANTITY)
    with transaction.atomic():
        hold = _lock_live(hold)
        _room(hold, quantity)
        with connection.cursor() as cursor:
            cursor.execute(
                CLAIM_SPOTS, [hold.pk, hold.expires_at, hold.event_id, section, quantity]
            )
            claimed = cursor.fetchall()
        if len(claimed) < quantity:
            if not EventSeat.objects.filter(
                event_id=hold.event_id, section=section, kind=EventSeat.Kind.SPOT
            ).exists():
                raise Invalid(
                    f"'{section}' is not a general-admission area.",
                    code=SeatMapCode.UNKNOWN_SECTION,
                )
            transaction.set_rollback(True)
            raise Conflict(
                f"Not enough places left in '{section}'.",
                code=EventCode.SEATS_UNAVAILABLE,
                section=section,
                quantity=quantity,
            )
    return held_seats(hold)


def release_seat(*, hold: Hold, ref: str) -> list[EventSeat]:
    with transaction.atomic():
        hold = _lock_live(hold)
        released = EventSeat.objects.filter(
            hold_id=hold.pk, ref=ref, status=EventSeat.Status.HELD
        ).update(status=EventSeat.Status.AVAILABLE, hold_id=None, held_until=None)
        if not released:
            raise NotFound(f"Seat {ref} is not in this hold.", code=ErrorCode.SEAT_NOT_HELD)
    return held_seats(hold)


def extend_hold(*, hold: Hold) -> Hold:
    """Another `hold_minutes` from now, never past the hold's total lifetime."""
    with transaction.atomic():
        hold = _lock_live(hold)
        minutes = hold.event.hold_minutes
        with connection.cursor() as cursor:
            cursor.execute(EXTEND_HOLD, [minutes, hold.pk, minutes])
            extended = cursor.fetchone()
        if extended is None:
            raise Invalid(
                "This hold cannot be extended any further.",
                code=ErrorCode.HOLD_LIFETIME_EXCEEDED,
                max_expires_at=hold.max_expires_at.isoformat(),
            )
        hold.expires_at, hold.extensions, hold.updated_at = extended
        EventSeat.objects.filter(still_held(hold.pk)).update(held_until=hold.expires_at)
    return hold


def release_hold(*, hold: Hold) -> None:
    """Give every seat back at once. Releasing twice is harmless."""
    with transaction.atomic():
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        if locked.status != Hold.Status.ACTIVE:
            return
        EventSeat.objects.filter(hold_id=locked.pk, status=EventSeat.Status.HELD).update(
            status=EventSeat.Status.AVAILABLE, hold_id=None, held_until=None
        )
        locked.status = Hold.Status.RELEASED
        locked.save(update_fields=["status", "updated_at"])


def sweep_expired_holds() -> int:
    """Make lapsed seats plainly available again (they already count as available; this keeps
    the table tidy and the snapshot cheap). Returns the number of seats freed."""
    # SKIP LOCKED: a lapsed seat that a customer is claiming right now is theirs to take; the
    # sweeper never waits for (or deadlocks with) a claim locking rows in another order.
    with connection.cursor() as cursor:
        cursor.execute(SWEEP)
        return cursor.rowcount
