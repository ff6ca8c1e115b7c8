"""Tickets: what a paid seat becomes, and what the door scans. In each organizer's schema."""

from django.db import models
from django.db.models import Q

from boxoffice.events.models import Event, EventSeat
from boxoffice.sales.models import Order, OrderItem
from seatmaps.models import new_uid


def ticket_uid() -> str:
    return new_uid("tkt_")


class Ticket(models.Model):
    """One admission for one seat of a paid order. A refund, cancellation or reissue revokes it
    (a reissue makes a new ticket for the same item); at most one valid ticket per item."""

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"

    uid = models.CharField(max_length=24, unique=True, default=ticket_uid, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tickets")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="tickets")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="tickets")
    seat = models.ForeignKey(EventSeat, on_delete=models.PROTECT, related_name="tickets")
    holder_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="valid"), name="one_valid_ticket_per_item"
            ),
            models.CheckConstraint(
                condition=Q(status="valid") | Q(revoked_at__isnull=False),
                name="ticket_revoked_has_time",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"]), models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return self.uid
