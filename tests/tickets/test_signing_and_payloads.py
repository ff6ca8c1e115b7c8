"""Signing keys, payload v1, QR images (decoded by a real decoder), rotation and retirement."""

import io
import string

import pytest
import zxingcpp
from django.core.exceptions import ImproperlyConfigured
from django_tenants.utils import schema_context
from PIL import Image

from boxoffice.actors import Actor
from boxoffice.audit.models import AuditEntry
from boxoffice.tickets import keys
from boxoffice.tickets.models import SigningKey, Ticket
from boxoffice.tickets.payload import PAYLOAD_BYTES, decode_payload, sign_payload
from boxoffice.tickets.qr import ticket_qr_png, ticket_qr_svg
from boxoffice.tickets.selectors import check_payload
from boxoffice.tickets.services import (
    reissue_ticket,
    retire_signing_key,
    revoke_tickets,
    rotate_signing_key,
    signing_key,
)
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import make_organizer

ACTOR = Actor.system("test")
QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")


@pytest.fixture
def sold(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    order, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/B/2"])
    return organizer, event, order, tickets


def decode_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def flip_bit(text: str, bit: int) -> str:
    import base45

    raw = bytearray(base45.b45decode(text))
    raw[bit // 8] ^= 1 << (bit % 8)
    return base45.b45encode(bytes(raw)).decode()


def test_the_first_ticket_makes_one_encrypted_signing_key(db):
    organizer = make_organizer("alpha")
    with schema_context(organizer.schema_name):
        # Provisioning knows nothing of tickets: the key is made on first use, once.
        assert not SigningKey.objects.exists()
    event = on_sale_event(organizer, rows=1, seats=4)
    paid_order(organizer, event, ["stalls/A/1"])
    paid_order(organizer, event, ["stalls/A/2"])
    with schema_context(organizer.schema_name):
        key = SigningKey.objects.get()
        assert key.status == SigningKey.Status.SIGNING
        assert 0 < key.key_id <= 0xFFFFFFFF
        assert len(bytes(key.public_key)) == 32
        encrypted = bytes(key.encrypted_private_key)
        private = keys.decrypt_private_key(
            schema_name=organizer.schema_name, key_id=key.key_id, encrypted=encrypted
        )
        assert private.private_bytes_raw() not in encrypted
        assert AuditEntry.objects.filter(action="signing_key.created").count() == 1
    # The ciphertext is bound to its organizer and key id.
    with pytest.raises(ImproperlyConfigured):
        keys.decrypt_private_key(schema_name="org_other", key_id=key.key_id, encrypted=encrypted)
    with pytest.raises(ImproperlyConfigured):
        keys.decrypt_private_key(
            schema_name=organizer.schema_name, key_id=key.key_id + 1, encrypted=encrypted
        )


def test_payload_is_compact_alphanumeric_and_verifies(sold):
    organizer, event, _order, tickets = sold
    with schema_context(organizer.schema_name):
        key = SigningKey.objects.get()
        for ticket in tickets:
            assert len(ticket.payload) == 122  # 81 bytes in base45
            assert set(ticket.payload) <= QR_ALPHANUMERIC
            decoded = decode_payload(ticket.payload)
            assert (decoded.key_id, decoded.ticket_id, decoded.event_id) == (
                key.key_id,
                ticket.pk,
                event.pk,
            )
            assert check_payload(ticket.payload) == (None, decoded)
            assert Ticket.objects.get(pk=ticket.pk).signing_key_id == key.pk


def test_qr_png_decodes_with_zxing_and_verifies_and_a_flipped_bit_fails(sold):
    organizer, _event, _order, tickets = sold
    with schema_context(organizer.schema_name):
        ticket = tickets[0]
        png = ticket_qr_png(ticket)
        assert png.startswith(b"\x89PNG")
        text = decode_png(png)
        assert text == ticket.payload
        failure, decoded = check_payload(text)
        assert failure is None and decoded.ticket_id == ticket.pk
        # Any flipped bit breaks it: in the header (ids) and in the signature.
        for bit in (0, 8 * 5 + 3, 8 * 13, 8 * 20 + 1, 8 * PAYLOAD_BYTES - 1):
            assert check_payload(flip_bit(text, bit))[0] in ("invalid_signature", "unknown_key")
        assert check_payload(flip_bit(text, 8 * 20 + 1))[0] == "invalid_signature"
        assert check_payload("HELLO")[0] == "invalid_signature"
        assert check_payload("x" * 1000)[0] == "invalid_signature"
        svg = ticket_qr_svg(ticket)
        assert svg.startswith("<svg") and "path" in svg


def test_rotation_keeps_old_tickets_valid_and_retirement_resigns_them(sold):
    organizer, event, _order, tickets = sold
    with schema_context(organizer.schema_name):
        old_key = SigningKey.objects.get()
        old_payload = tickets[0].payload
        new_key = rotate_signing_key(actor=ACTOR)
        assert new_key.key_id != old_key.key_id
        old_key.refresh_from_db()
        assert old_key.status == SigningKey.Status.VERIFYING
        assert check_payload(old_payload)[0] is None  # old tickets keep verifying

    _order2, newer = paid_order(organizer, event, ["stalls/A/2"])
    with schema_context(organizer.schema_name):
        assert decode_payload(newer[0].payload).key_id == new_key.key_id
        assert check_payload(newer[0].payload)[0] is None

        retire_signing_key(key_id=old_key.key_id, actor=ACTOR)
        assert check_payload(old_payload)[0] == "unknown_key"
        resigned = Ticket.objects.get(pk=tickets[0].pk)
        assert resigned.payload != old_payload
        assert decode_payload(resigned.payload).key_id == new_key.key_id
        assert check_payload(resigned.payload)[0] is None
        assert AuditEntry.objects.filter(action="signing_key.retired").get().data == {
            "resigned_tickets": 2
        }


def test_the_signing_key_cannot_be_retired(sold):
    organizer, *_ = sold
    with schema_context(organizer.schema_name):
        from boxoffice.errors import Conflict

        with pytest.raises(Conflict):
            retire_signing_key(key_id=SigningKey.objects.get().key_id, actor=ACTOR)


def test_a_foreign_key_is_unknown_and_another_organizers_ticket_does_not_verify(sold):
    organizer, event, _order, tickets = sold
    other = make_organizer("beta")
    with schema_context(organizer.schema_name):
        assert check_payload(tickets[0].payload)[0] is None
    with schema_context(other.schema_name):
        assert check_payload(tickets[0].payload)[0] == "unknown_key"
        # Even with a key id that happens to be one of ours, a foreign signature fails.
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        beta_key = signing_key()  # beta's own, made on first use
        forged = sign_payload(
            private_key=Ed25519PrivateKey.generate(),
            key_id=beta_key.key_id,
            ticket_id=1,
            event_id=event.pk,
        )
        assert check_payload(forged)[0] == "invalid_signature"


def test_issue_is_repeatable_and_reissue_revokes_the_old_payload(sold):
    organizer, _event, order, tickets = sold
    from boxoffice.tickets.services import issue_tickets

    with schema_context(organizer.schema_name):
        assert issue_tickets(order=order) == []
        new = reissue_ticket(ticket=tickets[0], actor=ACTOR)
        old = Ticket.objects.get(pk=tickets[0].pk)
        assert old.status == Ticket.Status.REVOKED and old.revoke_reason == "reissued"
        assert new.payload != old.payload and new.item_id == old.item_id
        assert check_payload(new.payload)[0] is None
        assert revoke_tickets(items=[old.item], reason="refund") == 1


def test_payloads_starting_with_a_space_decode(db):
    """A space is a base45 digit: a payload must never be trimmed. Every payload of a key whose
    top byte is 5 starts with one ((1 * 256 + 5) % 45 is the space's value, 36)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    text = sign_payload(private_key=private, key_id=0x05ABCDEF, ticket_id=42, event_id=1)
    assert text.startswith(" ")
    assert decode_payload(text).ticket_id == 42
    assert decode_payload(text + "\r\n").key_id == 0x05ABCDEF


def test_the_readme_test_vector():
    """boxoffice/tickets/README.md's example, for third-party scanners: keep the two in step."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    text = (
        "W50KB0YM0000000000.D50000+03XD%-0YU2YUB9301C1G/37Y6%XODPK:GN23B08U-IJ0V5X*MXYD0BPL4G55"
        "WOIA0SIHFWE519AU.9E3EWO7SVK1H$714DB0"
    )
    private = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    assert sign_payload(private_key=private, key_id=0x01020304, ticket_id=42, event_id=7) == text
    decoded = decode_payload(text)
    assert (decoded.key_id, decoded.ticket_id, decoded.event_id) == (0x01020304, 42, 7)
    public = base64.b64decode("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=")
    assert keys.verify(public, decoded.signature, decoded.signed_bytes)
