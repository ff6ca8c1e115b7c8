"""Reads of holds and orders (the sales selectors): the hold endpoints' event lookup, a hold by
its token, the seats a hold still has, an order by its typed code, orders past their payment
window."""

import hashlib
from datetime import datetime

from django.db import connection

from boxoffice.errors import NotFound
from boxoffice.events.error_codes import ErrorCode as EventCode
from boxoffice.events.models import Event, EventSeat
from boxoffice.events.seat_rules import DatabaseNow, still_held
from boxoffice.events.selectors import PUBLIC_STATUSES
from boxoffice.sales.error_codes import ErrorCode
from boxoffice.sales.models import Hold, Order
from boxoffice.sales.order_access import normalize_order_code

# What the hold endpoints read of an event (see find_event_for_holds), in the model's column
# order, which Model.from_db() expects.
EVENT_FIELDS = tuple(
    field.attname
    for field in Event._meta.concrete_fields
    if field.attname in {"id", "uid", "slug", "status", "sales_start", "sales_end",
                         "max_seats_per_order", "hold_minutes"}
)  # fmt: skip


FIND_EVENT = (
    f"SELECT {', '.join(EVENT_FIELDS)}, now() FROM events_event "  # noqa: S608 (fixed names)
    "WHERE status = ANY(%s) AND (uid = %s OR slug = %s) LIMIT 2"
)


def token_hash(token: str) -> str:
    """How a hold's token is stored: only its SHA-256 is kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_event_for_holds(identifier: str) -> Event:
    """A public event by id (`evt_…`) or slug, as `events.selectors.event_by_id` finds it, with
    only the fields the hold endpoints read (one short statement: this is every hold request's
    lookup). Any other field loads when touched."""
    return event_for_holds_at(identifier)[0]


def event_for_holds_at(identifier: str) -> tuple[Event, datetime]:
    """The event and the database's time of reading it."""
    with connection.cursor() as cursor:
        cursor.execute(FIND_EVENT, [list(PUBLIC_STATUSES), identifier, identifier])
        rows = cursor.fetchall()
    if not rows:
        raise NotFound("No such event.", code=EventCode.EVENT_NOT_FOUND)
    # An id wins over another event's slug that happens to spell it.
    row = min(rows, key=lambda row: row[EVENT_FIELDS.index("uid")] != identifier)
    return Event.from_db(connection.alias, EVENT_FIELDS, row[:-1]), row[-1]


def find_hold(token: str) -> Hold:
    """The hold with this token, and (as `db_now`) the database's time of reading it, which
    `check_hold_live` judges it by."""
    hold = (
        Hold.objects.select_related("event")
        .annotate(db_now=DatabaseNow())
        .filter(token_hash=token_hash(token))
        .first()
    )
    if hold is None:
        raise NotFound("No such hold.", code=ErrorCode.HOLD_NOT_FOUND)
    return hold


def held_seats(hold: Hold) -> list[EventSeat]:
    """The seats this hold still has (a lapsed seat may have gone to someone else)."""
    return list(EventSeat.objects.filter(still_held(hold.pk)).order_by("position"))


def order_by_code(code: str) -> Order:
    """The order with this code as a person typed it (see `normalize_order_code`), or 404."""
    order = (
        Order.objects.select_related("event", "event__venue", "promo_code")
        .filter(code=normalize_order_code(code))
        .first()
    )
    if order is None:
        raise NotFound("No such order.", code=ErrorCode.ORDER_NOT_FOUND)
    return order


def orders_past_window(now: datetime | None = None) -> list[Order]:
    """Orders still waiting for the provider after their payment window closed."""
    return list(
        Order.objects.filter(
            status=Order.Status.PENDING_PAYMENT, expires_at__lt=now or DatabaseNow()
        ).order_by("expires_at")[:500]
    )
