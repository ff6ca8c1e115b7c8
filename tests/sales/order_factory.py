"""Orders in a given state, written directly (no checkout, no provider), for reading tests.

Call inside the organizer's schema. The seats end as the real flows leave them: sold to the order
for its active items of a paid order, held by its hold while payment is pending, back on sale
otherwise. Amounts per ticket: the price (adult 5000, child 2500, as tests/builders/events.py prices
them) less `discount`, plus `fee`; tax is included in the price.
"""

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from boxoffice.events.models import Event, EventSeat
from boxoffice.events.selectors import category_names
from boxoffice.sales.models import Hold, Order, OrderItem
from boxoffice.sales.order_access import new_order_code
from boxoffice.sales.services.orders import seat_label

PRICES = {"adult": 5000, "child": 2500}
TYPE_NAMES = {"adult": "Adult", "child": "Child"}
PAID = (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED)
EVER_PAID = (*PAID, Order.Status.REFUNDED, Order.Status.CANCELLED)


def make_order(
    event: Event,
    seats: Sequence[str],
    *,
    status: str = Order.Status.PAID,
    children: Iterable[str] = (),
    refunded_seats: Iterable[str] = (),
    refunded: int | None = None,
    discount: int = 0,
    fee: int = 0,
    tax: int = 0,
    email: str = "ann@example.com",
    name: str = "Ann Example",
    code: str | None = None,
    paid_at: datetime | None = None,
    created_at: datetime | None = None,
    currency: str = "EUR",
) -> Order:
    """An order for the seats with refs `seats`. Items in `refunded_seats` are refunded (all of
    them when the order is refunded or cancelled); `refunded` defaults to what they cost."""
    now = timezone.now()
    children, refunded_seats = set(children), set(refunded_seats)
    if status in (Order.Status.REFUNDED, Order.Status.CANCELLED):
        refunded_seats = set(seats)
    places = {seat.ref: seat for seat in EventSeat.objects.filter(event=event, ref__in=seats)}
    assert set(places) == set(seats), f"unknown seats {set(seats) - set(places)}"
    hold = Hold.objects.create(
        event=event,
        token_hash=secrets.token_hex(32),
        status=Hold.Status.CONVERTED,
        expires_at=now + timedelta(minutes=40),
        max_expires_at=now + timedelta(minutes=40),
    )
    lines = []
    for ref in seats:
        ticket_type = "child" if ref in children else "adult"
        price = PRICES[ticket_type]
        lines.append((places[ref], ticket_type, price, price - discount + fee))
    total = sum(line[3] for line in lines)
    if refunded is None:
        refunded = sum(line[3] for line in lines if line[0].ref in refunded_seats)
    paid = status in EVER_PAID
    order = Order.objects.create(
        code=code or new_order_code(),
        secret_nonce=secrets.token_hex(8),
        event=event,
        hold=hold,
        email=email,
        name=name,
        status=status,
        currency=currency,
        subtotal=sum(line[2] for line in lines),
        discount=discount * len(lines),
        fees=fee * len(lines),
        tax=tax * len(lines),
        total=total,
        refunded=refunded,
        provider="sandbox",
        expires_at=now + timedelta(minutes=31),
        paid_at=(paid_at or now) if paid else None,
        cancelled_at=now if status == Order.Status.CANCELLED else None,
    )
    if created_at is not None:
        Order.objects.filter(pk=order.pk).update(created_at=created_at)
        order.created_at = created_at
    item_status = (
        OrderItem.Status.CANCELLED
        if status == Order.Status.CANCELLED
        else OrderItem.Status.REFUNDED
    )
    categories = category_names(event)
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order, seat=seat, ref=seat.ref, label=seat_label(seat), category=seat.category,
            category_name=categories[seat.category], ticket_type=ticket_type,
            ticket_type_name=TYPE_NAMES[ticket_type], price=price, discount=discount, fee=fee,
            tax=tax, total=line_total,
            status=item_status if seat.ref in refunded_seats else OrderItem.Status.ACTIVE,
        )
        for seat, ticket_type, price, line_total in lines
    )  # fmt: skip
    kept = [seat.pk for seat, *_ in lines if seat.ref not in refunded_seats]
    if status in PAID:
        EventSeat.objects.filter(pk__in=kept).update(
            status=EventSeat.Status.SOLD, order_id=order.pk, hold_id=None, held_until=None
        )
    elif order.is_open:
        EventSeat.objects.filter(pk__in=kept).update(
            status=EventSeat.Status.HELD, hold_id=hold.pk, held_until=order.expires_at
        )
    return order
