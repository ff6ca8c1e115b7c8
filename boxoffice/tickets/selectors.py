"""Reads about tickets and keys, and checking a scanned payload's signature."""

from django.db.models import QuerySet

from boxoffice.sales.models import Order
from boxoffice.tickets import keys
from boxoffice.tickets.models import SigningKey, Ticket
from boxoffice.tickets.payload import MalformedPayload, TicketPayload, decode_payload

INVALID_SIGNATURE = "invalid_signature"
UNKNOWN_KEY = "unknown_key"


def trusted_keys() -> dict[int, bytes]:
    """Public keys that verify tickets (signing and verifying ones; not retired), by key id."""
    return {
        key_id: bytes(public)
        for key_id, public in SigningKey.objects.exclude(
            status=SigningKey.Status.RETIRED
        ).values_list("key_id", "public_key")
    }


def public_keys() -> list[SigningKey]:
    """The keys a check-in device needs (retired ones excluded), newest first."""
    return list(
        SigningKey.objects.exclude(status=SigningKey.Status.RETIRED).only(
            "key_id", "public_key", "status", "created_at"
        )
    )


def check_payload(text: str) -> tuple[str | None, TicketPayload | None]:
    """(None, payload) when `text` is a v1 payload signed by a trusted key of this organizer;
    otherwise (`invalid_signature` or `unknown_key`, what could be parsed)."""
    try:
        payload = decode_payload(text)
    except MalformedPayload:
        return INVALID_SIGNATURE, None
    public = (
        SigningKey.objects.exclude(status=SigningKey.Status.RETIRED)
        .filter(key_id=payload.key_id)
        .values_list("public_key", flat=True)
        .first()
    )
    if public is None:
        return UNKNOWN_KEY, payload
    if not keys.verify(bytes(public), payload.signature, payload.signed_bytes):
        return INVALID_SIGNATURE, payload
    return None, payload


def order_tickets(order: Order) -> QuerySet[Ticket]:
    """An order's tickets for its ticket page, per item; a reissued item's newest first."""
    return Ticket.objects.filter(order=order).select_related("item").order_by("item_id", "-id")
