"""Issuing and revoking tickets. Called by the payment flows (boxoffice.payments) inside their
transaction; signing the payload a ticket carries is boxoffice.tickets' own business."""

from collections.abc import Iterable

from django.utils import timezone

from boxoffice.sales.models import Order, OrderItem
from boxoffice.tickets.models import Ticket


def issue_tickets(*, order: Order) -> list[Ticket]:
    """One valid ticket per active item of a paid order that has none yet (repeatable)."""
    have = set(
        Ticket.objects.filter(order=order, status=Ticket.Status.VALID).values_list(
            "item_id", flat=True
        )
    )
    tickets = [
        Ticket(
            order=order,
            item=item,
            event_id=order.event_id,
            seat_id=item.seat_id,
            holder_name=order.name,
        )
        for item in order.items.filter(status=OrderItem.Status.ACTIVE)
        if item.pk not in have
    ]
    return Ticket.objects.bulk_create(tickets)


def revoke_tickets(*, items: Iterable[OrderItem], reason: str) -> int:
    """Revoke the valid tickets of these items (refund, cancellation); returns how many."""
    return Ticket.objects.filter(
        item__in=[item.pk for item in items], status=Ticket.Status.VALID
    ).update(status=Ticket.Status.REVOKED, revoked_at=timezone.now(), revoke_reason=reason)
