"""Tickets: what a paid seat becomes, and what the door scans. In each organizer's schema."""

from django.db import models
from django.db.models import Q

from boxoffice.events.models import Event, EventSeat
from boxoffice.sales.models import Order, OrderItem
from seatmaps.models import new_uid


def ticket_uid() -> str:
    return new_uid("tkt_")


class SigningKey(models.Model):
    """One of the organizer's Ed25519 key pairs. Exactly one signs new tickets; older ones keep
    verifying until retired. The private key is AES-GCM-encrypted under SIGNING_MASTER_KEY
    (boxoffice.tickets.keys); the public key is handed to paired check-in devices."""

    class Status(models.TextChoices):
        SIGNING = "signing", "Signs new tickets"
        VERIFYING = "verifying", "Verifies only"
        RETIRED = "retired", "Retired"

    key_id = models.PositiveBigIntegerField(
        unique=True, help_text="Random 32-bit id carried in every payload it signs."
    )
    public_key = models.BinaryField(max_length=32)
    encrypted_private_key = models.BinaryField(help_text="12-byte nonce + AES-GCM ciphertext.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SIGNING)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="signing"), name="one_signing_key"
            ),
            models.CheckConstraint(
                condition=Q(key_id__gte=0, key_id__lte=0xFFFFFFFF), name="signing_key_id_32_bit"
            ),
        ]

    def __str__(self) -> str:
        return f"key {self.key_id:08x} ({self.status})"


class Ticket(models.Model):
    """One admission for one seat of a paid order. A refund, cancellation or reissue revokes it
    (a reissue makes a new ticket for the same item); at most one valid ticket per item.

    `payload` is the signed QR text (boxoffice/tickets/README.md), made once at issue so the QR
    in the customer's email and on the ticket page stay the same across key rotations.
    `change_xid` is set by a database trigger to the writing transaction's id: the check-in
    manifest's delta cursor (checkin/README.md).

    `payment` is what the door needs of the order, kept in step with it by the payment flows
    (`services.track_order_payment`): paid, not paid, or paid with a chargeback open or lost
    since `disputed_at`. Check-in reads it here and never the order, and as every change of it
    is a write of this row, the manifest's delta carries it."""

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"

    class Payment(models.TextChoices):
        PAID = "paid", "Paid"
        NOT_PAID = "not_paid", "Not paid"
        DISPUTED = "disputed", "Payment disputed"

    uid = models.CharField(max_length=24, unique=True, default=ticket_uid, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tickets")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="tickets")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="tickets")
    seat = models.ForeignKey(EventSeat, on_delete=models.PROTECT, related_name="tickets")
    holder_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    signing_key = models.ForeignKey(
        SigningKey, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    payload = models.CharField(max_length=160, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=32, blank=True)
    payment = models.CharField(max_length=16, choices=Payment.choices, default=Payment.PAID)
    disputed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    change_xid = models.BigIntegerField(default=0, editable=False)

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
            models.CheckConstraint(
                condition=~Q(payment="disputed") | Q(disputed_at__isnull=False),
                name="ticket_disputed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["event", "change_xid"], name="ticket_event_change"),
        ]

    def __str__(self) -> str:
        return self.uid

    # Why a ticket was revoked, as its holder reads it (revoke_reason keeps the machine's word).
    REVOKE_REASONS = {
        "refunded": "refunded",
        "cancelled": "the order was cancelled",
        "reissued": "replaced by a new ticket",
    }

    @property
    def revoke_reason_text(self) -> str:
        return self.REVOKE_REASONS.get(self.revoke_reason, "")
