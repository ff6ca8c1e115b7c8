"""Reads about tickets and keys, checking a scanned payload's signature, reading a ticket
code a person typed at the door, and the tickets of an event as the door sees them."""

import re

from django.db import connection
from django.db.models import QuerySet

from boxoffice.sales.models import Order, item_line
from boxoffice.tickets import keys
from boxoffice.tickets.models import SigningKey, Ticket
from boxoffice.tickets.payload import (
    MalformedPayload,
    PayloadFailure,
    TicketPayload,
    decode_payload,
)
from seatmaps.models import UID_ALPHABET

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


def check_payload(text: str) -> tuple[PayloadFailure | None, TicketPayload | None]:
    """(None, payload) when `text` is a v1 payload signed by a trusted key of this organizer;
    otherwise (`invalid_signature` or `unknown_key`, what could be parsed)."""
    try:
        payload = decode_payload(text)
    except MalformedPayload:
        return PayloadFailure.INVALID_SIGNATURE, None
    public = (
        SigningKey.objects.exclude(status=SigningKey.Status.RETIRED)
        .filter(key_id=payload.key_id)
        .values_list("public_key", flat=True)
        .first()
    )
    if public is None:
        return PayloadFailure.UNKNOWN_KEY, payload
    if not keys.verify(bytes(public), payload.signature, payload.signed_bytes):
        return PayloadFailure.INVALID_SIGNATURE, payload
    return None, payload


def order_tickets(order: Order) -> QuerySet[Ticket]:
    """An order's tickets for its ticket page, per item; a reissued item's newest first."""
    return Ticket.objects.filter(order=order).select_related("item").order_by("item_id", "-id")


# --- the door's copy (the check-in manifest) ----------------------------------------------------

# Changed by a transaction the snapshot (the check-in manifest's cursor) did not see: the
# `change_xid` this app's trigger writes on every row of `table` (tickets, check-in admissions).
# The first test lets the (…, change_xid) index skip everything older than the snapshot's xmin.
CHANGED_SINCE = (
    "AND {table}.change_xid >= %(xmin)s AND NOT pg_visible_in_snapshot("
    "{table}.change_xid::text::xid8, %(snapshot)s::pg_snapshot)"
)

# "category" is the key check-in lists name (the wrong-entrance rule compares it);
# "category_name" and "description" (OrderItem.line: place · category · ticket type, names
# only) are what the door screen shows.
DOOR_FIELDS = ["id", "seat", "category", "name", "status", "code", "category_name", "description"]

# What the door reads of a ticket is the ticket's row (with its item's fixed seat and category):
# a change of any of it is a write of that row, so a delta by change_xid misses none.
DOOR_TICKETS_SQL = """
SELECT t.id, i.label, i.category, t.holder_name,
       CASE WHEN t.status = 'revoked' THEN 'revoked'
            WHEN t.payment = 'paid' THEN 'valid'
            ELSE t.payment END,
       t.uid, i.category_name, i.ticket_type_name
FROM tickets_ticket t
JOIN sales_orderitem i ON i.id = t.item_id
WHERE t.event_id = %(event)s {since}
ORDER BY t.id
"""


def door_tickets(*, event_id: int, since: tuple[int, str] | None = None) -> list[list]:
    """The event's tickets as rows of DOOR_FIELDS, `status` being `valid`, `revoked`,
    `not_paid` or `disputed`; with `since` (xmin, snapshot text), only those changed by a
    transaction that snapshot did not see."""
    params: dict = {"event": event_id}
    condition = ""
    if since is not None:
        condition = CHANGED_SINCE.format(table="t")
        params |= {"xmin": since[0], "snapshot": since[1]}
    with connection.cursor() as cursor:
        cursor.execute(DOOR_TICKETS_SQL.format(since=condition), params)
        return [
            [*row[:7], item_line(place=row[1], category=row[6], ticket_type=row[7])]
            for row in cursor.fetchall()
        ]
