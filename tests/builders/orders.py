"""Orders in a given state, and paid orders with their tickets, made through the real services:
a hold on the seats (`start_hold_with_seats`), the order (`place_order`), the money in
(`fulfil_order`: seats sold, tickets issued), then a refund, a cancellation or the payment window
closing as the flows do them. Amounts are the event's prices (adult 5000, child 2500, as
tests/builders/events.py prices them), fees and tax.

Only what no service produces is written directly, each place saying why.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django_tenants.utils import schema_context

from boxoffice.actors import Actor
from boxoffice.currencies import current_currency
from boxoffice.events.models import Event, EventSeat
from boxoffice.payments.services.checkout import fulfil_order
from boxoffice.payments.services.refunds import revoke_inactive_tickets
from boxoffice.sales.models import Hold, Order, Refund
from boxoffice.sales.selectors import held_seats
from boxoffice.sales.services.holds import (
    create_hold,
    hold_general_admission,
    start_hold_with_seats,
)
from boxoffice.sales.services.orders import TicketChoice, close_unpaid, place_order
from boxoffice.sales.services.refunds import refund_items
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.services import track_order_payment

ACTOR = Actor.system("test")
# Where a paid order ends up when some or all of its items go back.
REFUNDS = (Order.Status.PARTIALLY_REFUNDED, Order.Status.REFUNDED, Order.Status.CANCELLED)


def make_order(
    event: Event,
    seats: Sequence[str],
    *,
    status: str = Order.Status.PAID,
    children: Iterable[str] = (),
    refunded_seats: Iterable[str] = (),
    refunded: int | None = None,
    email: str = "ann@example.com",
    name: str = "Ann Example",
    code: str | None = None,
    paid_at: datetime | None = None,
    created_at: datetime | None = None,
) -> Order:
    """An order for the seats with refs `seats` of `event` (on sale), in `status`. Call inside
    the organizer's schema; it pays in the organizer's currency, through the sandbox provider.

    `children` get the child ticket type. A partially refunded order gives back
    `refunded_seats`; a refunded or cancelled one all of its seats. `refunded` is the amount
    returned (default: what those seats cost; a cancellation under a partial policy keeps some).
    `code`, `paid_at` and `created_at` fix what the flows choose themselves (a random code, now).
    """
    hold = _hold(event, seats)
    tickets = [TicketChoice(seat=ref, ticket_type="child") for ref in children]
    with transaction.atomic():
        order = place_order(
            hold=hold, email=email, name=name, currency=current_currency(), provider="sandbox",
            tickets=tickets,
        )  # fmt: skip
        fixed = {"code": code} if code else {}
        if (order.email, order.name) != (email, name):
            # Checkout trims and lower-cases what a customer typed; tests of what reads orders
            # back (the CSV's formula guard) need the raw text an older order could hold.
            fixed |= {"email": email, "name": name}
        if created_at is not None:
            fixed["created_at"] = created_at  # orders are created now; reports read past days
        _write(order, fixed)
        if status == Order.Status.PENDING_PAYMENT:
            return order
        if status == Order.Status.EXPIRED:
            close_unpaid(order=order)
            order.refresh_from_db()
            return order
        fulfil_order(order=order, payment_id=f"pi_test_{order.code}")
        if paid_at is not None:
            _write(order, {"paid_at": paid_at})  # the money comes in now; reports read past days
        if status in REFUNDS:
            back = None if status != Order.Status.PARTIALLY_REFUNDED else list(refunded_seats)
            refund_items(
                order=order, actor=ACTOR,
                reason=Refund.Reason.CUSTOMER_CANCELLATION
                if status == Order.Status.CANCELLED else Refund.Reason.ORGANIZER,
                seat_refs=back, amount=refunded,
                final_status=Order.Status.CANCELLED if status == Order.Status.CANCELLED else None,
            )  # fmt: skip
            revoke_inactive_tickets(order)
    order.refresh_from_db()
    assert order.status == status, f"built a {order.status} order, not {status}"
    return order


def paid_order(
    organizer,
    event: Event,
    refs: list[str],
    *,
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    status: str = Order.Status.PAID,
) -> tuple[Order, list[Ticket]]:
    """An order for the seats `refs` of `event`, paid, with its tickets issued (in map order).

    With another `status`, the paid order is then set to it with its tickets kept in step, as
    the door sees an order whose payment changed after its tickets were issued."""
    with schema_context(organizer.schema_name):
        order = make_order(event, refs, name=name, email=email)
        if status != Order.Status.PAID:
            # No flow takes a paid order back to e.g. pending payment; the door's refusal of
            # tickets whose order is not paid is tested on that state all the same.
            _write(order, {"status": status})
            track_order_payment(order=order)
        tickets = list(Ticket.objects.filter(order=order).order_by("seat__position"))
    return order, tickets


def _hold(event: Event, refs: Sequence[str]) -> Hold:
    """A hold on the places `refs`, taken as the shop takes them: seats by ref, standing spots by
    how many of an area (the next free ones by position, so a test asks for those)."""
    places = {
        ref: (kind, section)
        for ref, kind, section in EventSeat.objects.filter(event=event, ref__in=refs).values_list(
            "ref", "kind", "section"
        )
    }
    assert set(places) == set(refs), f"unknown places {set(refs) - set(places)}"
    spots = [places[ref][1] for ref in refs if places[ref][0] == EventSeat.Kind.SPOT]
    chosen = [ref for ref in refs if places[ref][0] != EventSeat.Kind.SPOT]
    if chosen:
        hold, _token, _seats = start_hold_with_seats(event_id=event.uid, refs=chosen)
    else:
        hold, _token = create_hold(event=event)
    for section, quantity in Counter(spots).items():
        hold_general_admission(hold=hold, section=section, quantity=quantity)
    held = {seat.ref for seat in held_seats(hold)}
    assert held == set(refs), f"asked for {sorted(refs)}, the shop would give {sorted(held)}"
    return hold


def _write(order: Order, fields: dict) -> None:
    """Set `fields` on the order directly (only for what no service lets a test choose)."""
    if fields:
        Order.objects.filter(pk=order.pk).update(**fields)
        for field, value in fields.items():
            setattr(order, field, value)
