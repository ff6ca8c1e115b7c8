"""Reads about tickets and keys, checking a scanned payload's signature, and reading a ticket
code a person typed at the door."""

import re

from django.db.models import QuerySet

from boxoffice.sales.models import Order
from boxoffice.tickets import keys
from boxoffice.tickets.models import SigningKey, Ticket
from boxoffice.tickets.payload import MalformedPayload, TicketPayload, decode_payload
from seatmaps.models import UID_ALPHABET

INVALID_SIGNATURE = "invalid_signature"
UNKNOWN_KEY = "unknown_key"

# A ticket's code as the ticket page prints it ("tkt_" + 12 of seatmaps.models.UID_ALPHABET),
# for door staff to type when a QR code will not scan (a cracked screen, a smudged print). It is
# as secret as the QR code: only the ticket page and the check-in manifest carry it, and 12
# characters of a 31-letter alphabet (59 bits) are not guessed. The check-in app keeps a copy of
# this rule for offline use (checkin/static/checkin/verify.js, checked by a test).
TICKET_CODE_PREFIX = "tkt"
TICKET_CODE_LENGTH = 12
_TYPED_CODE = re.compile(rf"^(?:{TICKET_CODE_PREFIX})?([{UID_ALPHABET}]{{{TICKET_CODE_LENGTH}}})$")


def typed_ticket_code(text: str) -> str | None:
    """The ticket uid a person typed (any case, with or without the prefix, separators and
    spaces ignored), or None when `text` is not one (e.g. a scanned payload)."""
    if len(text) > 40:
        return None
    squashed = "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())
    match = _TYPED_CODE.match(squashed)
    return f"{TICKET_CODE_PREFIX}_{match.group(1)}" if match else None


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
