"""Paid orders with issued tickets, built straight in the database (no payment flow): a
converted hold, a paid order, its items and sold seats, then the real `issue_tickets`."""

import secrets
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.events.models import Event, EventSeat
from boxoffice.events.selectors import category_names
from boxoffice.sales.models import Hold, Order, OrderItem
from boxoffice.sales.order_access import new_order_code, new_secret_nonce
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.services import issue_tickets, track_order_payment

PRICE = 5000


def paid_order(
    organizer,
    event: Event,
    refs: list[str],
    *,
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    status: str = Order.Status.PAID,
) -> tuple[Order, list[Ticket]]:
    """An order for the seats `refs` of `event`, paid, with its tickets issued."""
    now = timezone.now()
    with schema_context(organizer.schema_name):
        hold = Hold.objects.create(
            event=event,
            token_hash=secrets.token_hex(32),
            status=Hold.Status.CONVERTED,
            expires_at=now + timedelta(minutes=10),
            max_expires_at=now + timedelta(minutes=30),
        )
        seats = list(EventSeat.objects.filter(event=event, ref__in=refs).order_by("position"))
        assert len(seats) == len(refs), "unknown seat refs"
        order = Order.objects.create(
            code=new_order_code(),
            secret_nonce=new_secret_nonce(),
            event=event,
            hold=hold,
            email=email,
            name=name,
            status=Order.Status.PAID,
            currency="EUR",
            subtotal=PRICE * len(seats),
            total=PRICE * len(seats),
            provider="sandbox",
            expires_at=now + timedelta(minutes=10),
            paid_at=now,
        )
        categories = category_names(event)
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                seat=seat,
                ref=seat.ref,
                label=f"{seat.section.title()} row {seat.row} seat {seat.label}",
                category=seat.category,
                category_name=categories[seat.category],
                ticket_type="adult",
                ticket_type_name="Adult",
                price=PRICE,
                total=PRICE,
            )
            for seat in seats
        )
        EventSeat.objects.filter(pk__in=[seat.pk for seat in seats]).update(
            status=EventSeat.Status.SOLD, order_id=order.pk, hold_id=None, held_until=None
        )
        tickets = issue_tickets(order=order)
        if status != Order.Status.PAID:
            Order.objects.filter(pk=order.pk).update(status=status)
            order.status = status
            track_order_payment(order=order)  # as the payment flows keep its tickets in step
    return order, tickets
