"""Orders: from a hold to paid seats (refunds and cancellations: `refunds.py`).

These services own the order's state and its seats. They never talk to a payment provider: the
payment flows (boxoffice.payments) call them inside their own transactions and do the talking.
Every transition locks the order row first, so a webhook, the reconciliation task and an
organizer's refund on the same order take turns, and each checks the state it starts from, so a
repeated or late event changes nothing.

Seats during payment: checkout converts the hold and keeps its seats `held` (same hold id) until
the end of the payment window plus a grace period; see boxoffice/payments/README.md for why the
window is Stripe's 30-minute minimum rather than what was left of the hold.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Least
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.currencies import current_currency
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Invalid
from boxoffice.events.error_codes import ErrorCode as EventCode
from boxoffice.events.models import Event, EventSeat, TicketType
from boxoffice.events.prices import prices_in_force, resolve_price
from boxoffice.events.seat_rules import DatabaseNow, claimable_sql, still_held
from boxoffice.events.selectors import category_names, section_names
from boxoffice.sales import money
from boxoffice.sales.error_codes import ErrorCode
from boxoffice.sales.models import (
    DISPUTE_FINAL,
    Hold,
    Order,
    OrderItem,
    PromoCode,
)
from boxoffice.sales.order_access import new_order_code, new_secret_nonce
from boxoffice.sales.selectors import held_seats
from boxoffice.sales.services.holds import check_hold_live, lock_hold
from boxoffice.transactions import require_transaction

# Stripe refuses a Checkout Session that expires less than 30 minutes after it is created; one
# more minute covers the time between our clock and Stripe's.
PAYMENT_WINDOW = timedelta(minutes=31)
# Seats stay reserved this long past the window, so that a payment completed in the last
# second is confirmed (webhook or reconciliation) before its seats could go to someone else.
SEAT_GRACE = timedelta(minutes=10)
# Delayed payment methods (SEPA debit, bank transfers) settle within days; their seats wait.
PROCESSING_RESERVATION = timedelta(days=14)
# The provider an order with nothing to pay keeps (free tickets, a 100%-off code): providers
# refuse a zero total, so checkout completes such an order at once and no provider ever sees it.
NO_PAYMENT = "free"

# A paid order's seats: its own hold's (even lapsed: nobody took them) or claimable ones.
SELL_SEATS = (
    "UPDATE events_eventseat SET status = 'sold', order_id = %s, hold_id = NULL, "  # noqa: S608
    "held_until = NULL WHERE event_id = %s AND id = ANY(%s) AND ("
    f"(status = 'held' AND hold_id = %s) OR {claimable_sql()}) RETURNING id"
)


def lock_order(order: Order) -> Order:
    """The order row locked for this transaction (every transition starts here)."""
    require_transaction("lock_order")
    return Order.objects.select_for_update(of=("self",)).select_related("event").get(pk=order.pk)


# --- checkout -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketChoice:
    seat: str  # the seat's ref
    ticket_type: str  # a TicketType code


def _usable_promo(event: Event, code: str, now: datetime) -> PromoCode:
    promo = PromoCode.objects.filter(event=event, code=code.strip().upper(), active=True).first()
    if promo is None:
        raise Invalid("This promo code does not exist.", code=ErrorCode.PROMO_INVALID)
    if (promo.valid_from and now < promo.valid_from) or (
        promo.valid_until and now >= promo.valid_until
    ):
        raise Invalid("This promo code is not valid now.", code=ErrorCode.PROMO_EXPIRED)
    return promo


def _promo(event: Event, code: str, now: datetime) -> PromoCode:
    promo = _usable_promo(event, code, now)
    # Taking a use is one conditional statement, so the last use goes to exactly one order.
    taken = (
        PromoCode.objects.filter(pk=promo.pk)
        .filter(Q(max_uses__isnull=True) | Q(used__lt=F("max_uses")))
        .update(used=F("used") + 1)
    )
    if not taken:
        raise Conflict("This promo code has been used up.", code=ErrorCode.PROMO_EXHAUSTED)
    return promo


def _ticket_types(
    event: Event, seats: list[EventSeat], choices: list[TicketChoice]
) -> dict[str, TicketType]:
    types = {ticket_type.code: ticket_type for ticket_type in event.ticket_types.all()}
    if not types:
        raise Invalid("This event has no ticket types.", code=ErrorCode.NO_TICKET_TYPES)
    refs = {seat.ref for seat in seats}
    chosen: dict[str, TicketType] = {}
    for choice in choices:
        if choice.seat not in refs:
            raise Invalid(f"Seat {choice.seat} is not in this hold.", code=ErrorCode.SEAT_NOT_HELD)
        if choice.ticket_type not in types:
            raise Invalid(
                f"Unknown ticket type '{choice.ticket_type}'.",
                code=EventCode.UNKNOWN_TICKET_TYPE,
                ticket_types=sorted(types),
            )
        chosen[choice.seat] = types[choice.ticket_type]
    default = next(iter(types.values()))  # ticket types come in their display order
    return {seat.ref: chosen.get(seat.ref, default) for seat in seats}


def _seat_prices(
    event: Event, seats: list[EventSeat], tickets: list[TicketChoice] | None, now: datetime
) -> tuple[dict[str, TicketType], list[int]]:
    """Each seat's ticket type (chosen, or the first) and its price at `now`."""
    types = _ticket_types(event, seats, tickets or [])
    in_force = prices_in_force(event=event, at=now)
    prices = [
        resolve_price(
            event=event, category=seat.category, ticket_type=types[seat.ref].code, at=now,
            in_force=in_force,
        )
        for seat in seats
    ]  # fmt: skip
    return types, prices


def _break_down(
    event: Event, prices: list[int], promo: PromoCode | None, currency: str
) -> money.Breakdown:
    return money.break_down(
        prices,
        discount=money.Discount(promo.kind, promo.value) if promo else None,
        fee_per_ticket=event.fee_per_ticket,
        tax_rate=event.tax_rate,
        tax_inclusive=event.tax_inclusive,
        currency=currency,
    )


def seat_label(seat: EventSeat, names: dict[str, str] | None = None) -> str:
    """A place as people read it: "Stalls Centre, row E, seat 108" (the section's name from
    the seat map, never its key), or "Floor, standing". Stored on the order item, so every
    surface showing the item (quotes, order and ticket pages, emails, CSV, door) says the same."""
    names = names if names is not None else section_names(seat.event)
    section = names.get(seat.section) or seat.section
    if seat.kind == EventSeat.Kind.SPOT:
        return f"{section}, standing"
    return f"{section}, row {seat.row}, seat {seat.label}"


def place_order(
    *,
    hold: Hold,
    email: str,
    name: str,
    currency: str,
    provider: str,
    tickets: list[TicketChoice] | None = None,
    promo_code: str | None = None,
) -> Order:
    """Turn a live hold into an order awaiting payment: prices resolved per seat and ticket
    type, the promo code applied, fees and tax worked out per ticket. The hold's seats stay
    reserved for the payment window. One order per hold: asking again returns the same order."""
    email, name = email.strip().lower(), name.strip()
    if not name:
        raise Invalid("Tell us the name for the tickets.", code=KernelCode.INVALID_NAME)
    with transaction.atomic():
        hold = lock_hold(hold)
        existing = Order.objects.filter(hold=hold).first()
        if existing is not None:
            return existing
        check_hold_live(hold)
        event = hold.event
        if event.status != Event.Status.ON_SALE:
            raise Conflict("Tickets for this event are not on sale.", code=ErrorCode.NOT_ON_SALE)
        seats = held_seats(hold)
        if not seats:
            raise Invalid("This hold has no seats.", code=ErrorCode.EMPTY_HOLD)
        now = hold.db_now
        types, prices = _seat_prices(event, seats, tickets, now)
        promo = _promo(event, promo_code, now) if promo_code else None
        breakdown = _break_down(event, prices, promo, currency)
        order = _create_order(
            hold=hold, email=email, name=name, currency=currency,
            provider=provider if breakdown.total else NO_PAYMENT, promo=promo,
            breakdown=breakdown, expires_at=now + PAYMENT_WINDOW,
        )  # fmt: skip
        names, categories = section_names(event), category_names(event)
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order, seat=seat, ref=seat.ref, label=seat_label(seat, names),
                category=seat.category,
                category_name=categories.get(seat.category, seat.category),
                ticket_type=types[seat.ref].code,
                ticket_type_name=types[seat.ref].name, price=amounts.price,
                discount=amounts.discount, fee=amounts.fee, tax=amounts.tax, total=amounts.total,
            )
            for seat, amounts in zip(seats, breakdown.items, strict=True)
        )  # fmt: skip
        # The seats keep their hold id; only their deadline moves to the payment window's.
        EventSeat.objects.filter(still_held(hold.pk)).update(
            held_until=order.expires_at + SEAT_GRACE
        )
        hold.status = Hold.Status.CONVERTED
        hold.save(update_fields=["status", "updated_at"])
    return order


@dataclass(frozen=True)
class Quote:
    """What checkout would charge for a hold now: its seats, their ticket types and the money."""

    seats: list[EventSeat]
    ticket_types: dict[str, TicketType]
    breakdown: money.Breakdown
    promo: PromoCode | None


def quote_order(
    *, hold: Hold, tickets: list[TicketChoice] | None = None, promo_code: str | None = None
) -> Quote:
    """The same prices, promo rules and arithmetic as `place_order`, writing nothing (a promo
    code's use is only taken at checkout, so a used-up code shows here as exhausted only if
    it already is)."""
    check_hold_live(hold)
    event = hold.event
    seats = held_seats(hold)
    if not seats:
        raise Invalid("This hold has no seats.", code=ErrorCode.EMPTY_HOLD)
    now = hold.db_now
    types, prices = _seat_prices(event, seats, tickets, now)
    promo = _usable_promo(event, promo_code, now) if promo_code else None
    if promo is not None and promo.max_uses is not None and promo.used >= promo.max_uses:
        raise Conflict("This promo code has been used up.", code=ErrorCode.PROMO_EXHAUSTED)
    breakdown = _break_down(event, prices, promo, current_currency())
    return Quote(seats=seats, ticket_types=types, breakdown=breakdown, promo=promo)


def _create_order(**fields) -> Order:
    breakdown: money.Breakdown = fields.pop("breakdown")
    promo = fields.pop("promo")
    hold = fields["hold"]
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a clashing code only costs a retry
                return Order.objects.create(
                    code=new_order_code(), secret_nonce=new_secret_nonce(), event=hold.event,
                    promo_code=promo, subtotal=breakdown.subtotal, discount=breakdown.discount,
                    fees=breakdown.fees, tax=breakdown.tax,
                    tax_inclusive=hold.event.tax_inclusive, total=breakdown.total, **fields,
                )  # fmt: skip
        except IntegrityError:
            continue
    raise RuntimeError("no free order code after 5 attempts")


def attach_payment_session(*, order: Order, session_id: str, payment_url: str) -> Order:
    Order.objects.filter(pk=order.pk).update(
        provider_session_id=session_id, payment_url=payment_url, updated_at=timezone.now()
    )
    order.provider_session_id, order.payment_url = session_id, payment_url
    return order


# --- payment outcomes -----------------------------------------------------------------------


class Outcome(StrEnum):
    """What a payment or refund notice did to an order (the webhook answers with it)."""

    PAID = "paid"
    ALREADY = "already"  # nothing to do: a repeat, or an event that arrived too late to matter
    PROCESSING = "processing"
    SEATS_LOST = "seats_lost"  # paid, but its seats went to someone else: refund it
    EXPIRED = "expired"
    FAILED = "failed"


def _give_back_promo(order: Order) -> None:
    if order.promo_code_id:
        PromoCode.objects.filter(pk=order.promo_code_id, used__gt=0).update(used=F("used") - 1)


def _release_reserved(order: Order) -> None:
    EventSeat.objects.filter(hold_id=order.hold_id, status=EventSeat.Status.HELD).update(
        status=EventSeat.Status.AVAILABLE, hold_id=None, held_until=None
    )


def confirm_payment(*, order: Order, payment_id: str) -> str:
    """The provider says the money is in. Sell the order's seats (one conditional statement:
    ours while reserved, or still free); if any went to someone else, nothing is sold and the
    answer is SEATS_LOST, for the caller to refund. Call inside a transaction."""
    require_transaction("confirm_payment")
    order = lock_order(order)
    if order.status in (
        Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED, Order.Status.REFUNDED,
        Order.Status.CANCELLED,
    ):  # fmt: skip
        return Outcome.ALREADY
    seat_ids = list(order.items.values_list("seat_id", flat=True))
    with transaction.atomic():  # a savepoint: a partial sale is undone
        with connection.cursor() as cursor:
            cursor.execute(SELL_SEATS, [order.pk, order.event_id, seat_ids, order.hold_id])
            sold = cursor.rowcount
        if sold != len(seat_ids):
            transaction.set_rollback(True)
    now = timezone.now()
    order.provider_payment_id = payment_id or order.provider_payment_id
    order.paid_at = now
    if sold != len(seat_ids):
        # The money came after the seats were released and taken: give it all back.
        _release_reserved(order)
        if order.is_open:
            _give_back_promo(order)
        order.status = Order.Status.REFUNDED
        order.save(update_fields=["status", "paid_at", "provider_payment_id", "updated_at"])
        order.items.update(status=OrderItem.Status.REFUNDED)
        return Outcome.SEATS_LOST
    if not order.is_open and order.promo_code_id:
        # Paid after lapsing: the promo use given back then is taken again (if any is left).
        PromoCode.objects.filter(pk=order.promo_code_id).filter(
            Q(max_uses__isnull=True) | Q(used__lt=F("max_uses"))
        ).update(used=F("used") + 1)
    order.status = Order.Status.PAID
    order.save(update_fields=["status", "paid_at", "provider_payment_id", "updated_at"])
    return Outcome.PAID


def mark_processing(*, order: Order, payment_id: str) -> str:
    """Checkout completed with a delayed method: keep the seats until it settles.
    Call inside a transaction."""
    require_transaction("mark_processing")
    order = lock_order(order)
    if order.status != Order.Status.PENDING_PAYMENT:
        return Outcome.ALREADY
    until = Least(
        ExpressionWrapper(DatabaseNow() + PROCESSING_RESERVATION, output_field=DateTimeField()),
        Value(order.event.ends_at),
    )
    EventSeat.objects.filter(hold_id=order.hold_id, status=EventSeat.Status.HELD).update(
        held_until=until
    )
    order.status = Order.Status.PROCESSING
    order.provider_payment_id = payment_id
    order.save(update_fields=["status", "provider_payment_id", "updated_at"])
    return Outcome.PROCESSING


def close_unpaid(*, order: Order, failed: bool = False) -> str:
    """The session expired or the delayed payment failed: seats back on sale, promo use back.
    Call inside a transaction."""
    require_transaction("close_unpaid")
    order = lock_order(order)
    allowed = (Order.Status.PROCESSING,) if failed else (Order.Status.PENDING_PAYMENT,)
    if order.status not in allowed:
        return Outcome.ALREADY
    _release_reserved(order)
    _give_back_promo(order)
    order.status = Order.Status.PAYMENT_FAILED if failed else Order.Status.EXPIRED
    order.save(update_fields=["status", "updated_at"])
    return Outcome.FAILED if failed else Outcome.EXPIRED


def record_dispute(*, order: Order, reason: str, status: str, amount: int) -> str:
    """The provider reports a dispute (chargeback) on the order's payment, opened or changed.
    The first report flags the order; later ones keep its status and amount current, except
    that a final status (won, lost, closed) is never replaced by an open one arriving late.
    Call inside a transaction."""
    require_transaction("record_dispute")
    order = lock_order(order)
    status = status[:32]
    if order.disputed_at is None:
        order.disputed_at, order.dispute_reason = timezone.now(), reason[:64]
        order.dispute_status, order.dispute_amount = status, amount
        order.save(update_fields=["disputed_at", "dispute_reason", "dispute_status",
                                  "dispute_amount", "updated_at"])  # fmt: skip
        record_audit(
            actor=Actor.system("payment provider"), action="order.disputed", target_type="order",
            target_id=order.code, data={"reason": reason, "status": status, "amount": amount},
        )  # fmt: skip
        return "flagged"
    if order.dispute_status in DISPUTE_FINAL and status not in DISPUTE_FINAL:
        return Outcome.ALREADY
    if (order.dispute_status, order.dispute_amount) == (status, amount):
        return Outcome.ALREADY
    before = order.dispute_status
    order.dispute_status, order.dispute_amount = status, amount
    order.save(update_fields=["dispute_status", "dispute_amount", "updated_at"])
    record_audit(
        actor=Actor.system("payment provider"), action="order.dispute_updated",
        target_type="order", target_id=order.code,
        data={"from": before, "to": status, "amount": amount},
    )  # fmt: skip
    return f"dispute {status}"
