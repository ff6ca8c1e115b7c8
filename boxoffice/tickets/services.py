"""Issuing, signing, reissuing and revoking tickets, and the organizer's signing keys.

`issue_tickets`, `revoke_tickets` and `track_order_payment` are called by the payment flows
(boxoffice.payments) inside their transaction. Key handling: boxoffice/tickets/README.md.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.errors import Conflict, NotFound
from boxoffice.sales.models import PAID_STATUSES, Order, OrderItem
from boxoffice.tickets import keys
from boxoffice.tickets.error_codes import ErrorCode
from boxoffice.tickets.models import SigningKey, Ticket
from boxoffice.tickets.payload import sign_payload

REISSUED = "reissued"


# --- signing keys -------------------------------------------------------------------------------


def _new_key(status: str) -> SigningKey:
    key_id = keys.new_key_id()
    public, encrypted = keys.generate_key_pair(schema_name=connection.schema_name, key_id=key_id)
    return SigningKey.objects.create(
        key_id=key_id, public_key=public, encrypted_private_key=encrypted, status=status
    )


def rotate_signing_key(*, actor: Actor) -> SigningKey:
    """A new key signs from now on; the old one keeps verifying tickets it signed until it is
    retired."""
    with transaction.atomic():
        old = list(SigningKey.objects.select_for_update().filter(status=SigningKey.Status.SIGNING))
        now = timezone.now()
        SigningKey.objects.filter(pk__in=[key.pk for key in old]).update(
            status=SigningKey.Status.VERIFYING, rotated_at=now
        )
        key = _new_key(SigningKey.Status.SIGNING)
        record_audit(
            actor=actor,
            action="signing_key.rotated",
            target_type="signing_key",
            target_id=f"{key.key_id:08x}",
            data={"previous": [f"{k.key_id:08x}" for k in old]},
        )
    return key


def retire_signing_key(*, key_id: int, actor: Actor) -> SigningKey:
    """Stop trusting a rotated-out key. Valid tickets it signed are re-signed with the current
    key first (their old QR codes then fail as `unknown_key`; customers see the new ones on
    their ticket page)."""
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(key_id=key_id).first()
        if key is None:
            raise NotFound("No such signing key.")
        if key.status == SigningKey.Status.SIGNING:
            raise Conflict(
                "This key signs new tickets; rotate to a new key before retiring it.",
                code=ErrorCode.KEY_IN_USE,
            )
        if key.status == SigningKey.Status.RETIRED:
            return key
        signer, private = _signer()
        resigned = 0
        tickets = list(Ticket.objects.filter(signing_key=key, status=Ticket.Status.VALID))
        for ticket in tickets:
            _sign(ticket, signer, private)
            resigned += 1
        Ticket.objects.bulk_update(tickets, ["payload", "signing_key", "updated_at"])
        key.status = SigningKey.Status.RETIRED
        key.retired_at = timezone.now()
        key.save(update_fields=["status", "retired_at"])
        record_audit(
            actor=actor,
            action="signing_key.retired",
            target_type="signing_key",
            target_id=f"{key.key_id:08x}",
            data={"resigned_tickets": resigned},
        )
    return key


def signing_key() -> SigningKey:
    """The key that signs new tickets. The organizer's first key is made here, on first use (the
    first ticket, staff credential or paired device that needs one): the one path that makes
    it, so provisioning an organizer needs nothing of tickets."""
    key = SigningKey.objects.filter(status=SigningKey.Status.SIGNING).first()
    if key is None:
        try:
            with transaction.atomic():
                key = _new_key(SigningKey.Status.SIGNING)
                record_audit(
                    actor=Actor.system("tickets"),
                    action="signing_key.created",
                    target_type="signing_key",
                    target_id=f"{key.key_id:08x}",
                )
        except IntegrityError:  # another transaction made it first
            key = SigningKey.objects.get(status=SigningKey.Status.SIGNING)
    return key


def _signer() -> tuple[SigningKey, Ed25519PrivateKey]:
    """The key that signs new tickets and its private half."""
    key = signing_key()
    private = keys.decrypt_private_key(
        schema_name=connection.schema_name, key_id=key.key_id, encrypted=key.encrypted_private_key
    )
    return key, private


def _sign(ticket: Ticket, key: SigningKey, private: Ed25519PrivateKey) -> None:
    ticket.payload = sign_payload(
        private_key=private, key_id=key.key_id, ticket_id=ticket.pk, event_id=ticket.event_id
    )
    ticket.signing_key = key
    ticket.updated_at = timezone.now()


# --- tickets ------------------------------------------------------------------------------------


def payment_standing(order: Order) -> tuple[str, datetime | None]:
    """What the door needs of an order, and since when a chargeback counts: not paid (or not
    any more), paid with a chargeback open or lost (`Order.payment_disputed`), or paid."""
    if order.status not in PAID_STATUSES:
        return Ticket.Payment.NOT_PAID, None
    if order.payment_disputed:
        return Ticket.Payment.DISPUTED, order.disputed_at
    return Ticket.Payment.PAID, None


def _standing_now(order: Order) -> tuple[str, datetime | None]:
    # Read afresh: callers may hold the order from before its change (the sales services lock
    # and change their own copy).
    return payment_standing(
        Order.objects.only("status", "disputed_at", "dispute_status").get(pk=order.pk)
    )


def track_order_payment(*, order: Order) -> int:
    """Bring the order's tickets in step with it after its payment changed (refund,
    cancellation, a dispute opened or settled); returns how many tickets changed. Each changed
    ticket is a written row, so the check-in manifest's next delta carries it (change trigger)."""
    payment, disputed_at = _standing_now(order)
    return (
        Ticket.objects.filter(order_id=order.pk)
        .exclude(payment=payment, disputed_at=disputed_at)
        .update(payment=payment, disputed_at=disputed_at, updated_at=timezone.now())
    )


def issue_tickets(*, order: Order) -> list[Ticket]:
    """One valid, signed ticket per active item of a paid order that has none yet
    (repeatable), standing at the door as the order does now (a dispute may have come first)."""
    payment, disputed_at = _standing_now(order)
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
            payment=payment,
            disputed_at=disputed_at,
        )
        for item in order.items.filter(status=OrderItem.Status.ACTIVE)
        if item.pk not in have
    ]
    if not tickets:
        return []
    with transaction.atomic():
        tickets = Ticket.objects.bulk_create(tickets)
        key, private = _signer()
        for ticket in tickets:
            _sign(ticket, key, private)
        Ticket.objects.bulk_update(tickets, ["payload", "signing_key", "updated_at"])
    return tickets


def revoke_tickets(*, items: Iterable[OrderItem], reason: str) -> int:
    """Revoke the valid tickets of these items (refund, cancellation); returns how many. Their
    payloads go on the revocation list of the check-in manifest (by the change trigger)."""
    return Ticket.objects.filter(
        item__in=[item.pk for item in items], status=Ticket.Status.VALID
    ).update(status=Ticket.Status.REVOKED, revoked_at=timezone.now(), revoke_reason=reason)


def reissue_ticket(*, ticket: Ticket, actor: Actor) -> Ticket:
    """A new ticket (new id, new QR) for the same seat; the old payload is revoked. For a
    forwarded or leaked QR code."""
    with transaction.atomic():
        old = Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        if old is None or old.status != Ticket.Status.VALID:
            raise Conflict("Only a valid ticket can be reissued.", code=ErrorCode.TICKET_NOT_VALID)
        old.status = Ticket.Status.REVOKED
        old.revoked_at = timezone.now()
        old.revoke_reason = REISSUED
        old.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
        new = Ticket.objects.create(
            order_id=old.order_id,
            item_id=old.item_id,
            event_id=old.event_id,
            seat_id=old.seat_id,
            holder_name=old.holder_name,
            payment=old.payment,
            disputed_at=old.disputed_at,
        )
        key, private = _signer()
        _sign(new, key, private)
        new.save(update_fields=["payload", "signing_key", "updated_at"])
        record_audit(
            actor=actor,
            action="ticket.reissued",
            target_type="ticket",
            target_id=new.uid,
            data={"previous": old.uid, "order": old.order.code},
        )
    return new


def message_signer() -> tuple[int, Callable[[bytes], bytes]]:
    """The current key's id and a function signing with it. For other short-lived credentials
    the devices check with the same public keys (checkin staff credentials); their messages
    start with a text prefix, so they can never pass for a 17-byte ticket header."""
    key, private = _signer()
    return key.key_id, private.sign
