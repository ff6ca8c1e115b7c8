"""Ticket payload v1: the bytes a ticket's QR code carries (format: boxoffice/tickets/README.md).

    version (1) | key id (4) | ticket id (8) | event id (4) | Ed25519 signature (64)

integers big-endian and unsigned, the signature over the first 17 bytes; the 81 bytes are
base45-encoded (RFC 9285) into 122 characters of the QR alphanumeric alphabet.
"""

import struct
from dataclasses import dataclass
from enum import StrEnum

import base45
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VERSION = 1
HEADER = struct.Struct(">BIQI")
SIGNATURE_BYTES = 64
PAYLOAD_BYTES = HEADER.size + SIGNATURE_BYTES  # 81
MAX_TEXT_LENGTH = 160  # anything longer is not a ticket; refuse before decoding


class MalformedPayload(ValueError):
    """Not a Boxoffice v1 ticket: bad base45, wrong length or version."""


class PayloadFailure(StrEnum):
    """Why a scanned text is not a ticket of this organizer (`selectors.check_payload`); the
    door's verdicts of the same names (`checkin.models.Scan.Verdict`) take these values."""

    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_KEY = "unknown_key"


@dataclass(frozen=True)
class TicketPayload:
    key_id: int
    ticket_id: int
    event_id: int
    signature: bytes
    version: int = VERSION

    @property
    def signed_bytes(self) -> bytes:
        return HEADER.pack(self.version, self.key_id, self.ticket_id, self.event_id)


def sign_payload(
    *, private_key: Ed25519PrivateKey, key_id: int, ticket_id: int, event_id: int
) -> str:
    """The QR text of a ticket."""
    if not (0 <= key_id <= 0xFFFFFFFF and 0 <= event_id <= 0xFFFFFFFF):
        raise ValueError("key and event ids must fit in 32 bits")
    message = HEADER.pack(VERSION, key_id, ticket_id, event_id)
    return base45.b45encode(message + private_key.sign(message)).decode("ascii")


def decode_payload(text: str) -> TicketPayload:
    """Parse (not verify) a scanned QR text."""
    if not isinstance(text, str) or len(text) > MAX_TEXT_LENGTH:
        raise MalformedPayload("not a ticket")
    try:
        # Only line ends: a space is a base45 digit, so a payload may begin or end with one.
        raw = base45.b45decode(text.strip("\r\n"))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise MalformedPayload("not base45") from exc
    if len(raw) != PAYLOAD_BYTES:
        raise MalformedPayload("wrong length")
    version, key_id, ticket_id, event_id = HEADER.unpack(raw[: HEADER.size])
    if version != VERSION:
        raise MalformedPayload(f"unknown version {version}")
    return TicketPayload(
        key_id=key_id, ticket_id=ticket_id, event_id=event_id, signature=raw[HEADER.size :]
    )
