"""Online scans: every verdict, with what the door screen needs; replays change nothing."""

import base45
from django_tenants.utils import schema_context

from boxoffice.sales.models import Order
from boxoffice.tickets.models import SigningKey
from boxoffice.tickets.payload import sign_payload
from boxoffice.tickets.services import _signer, revoke_tickets, rotate_signing_key
from checkin.models import Admission, Scan
from tests.builders.checkin import make_door, scan
from tests.builders.events import ACTOR, on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import make_organizer


def test_first_entry_is_ok_then_already_admitted_with_when_and_where(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    door = make_door(organizer, event, devices=2)
    _order, tickets = paid_order(organizer, event, ["stalls/A/1"], name="Ada Lovelace")

    first = scan(door.device(0), door.list_id, tickets[0].payload)
    assert first.status_code == 200
    body = first.json()
    assert body["verdict"] == "ok" and body["admitted"] is True
    assert body["ticket"] == {
        "id": tickets[0].pk,
        "uid": tickets[0].uid,
        "seat": "Stalls, row A, seat 1",
        "category": "premium",
        "category_name": "Premium",
        "description": "Stalls, row A, seat 1 · Premium · Adult",
        "holder_name": "Ada Lovelace",
    }
    second = scan(door.device(1), door.list_id, tickets[0].payload).json()
    assert second["verdict"] == "already_admitted" and second["admitted"] is False
    assert second["first_entry"]["gate"] == "Gate 1"
    assert second["first_entry"]["device"] == "Phone 1"
    assert second["first_entry"]["scan"] == body["id"]
    assert second["ticket"]["seat"] == "Stalls, row A, seat 1"


def test_nonce_replay_returns_the_stored_answer_and_changes_nothing(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event)
    _order, tickets = paid_order(organizer, event, ["stalls/A/1"])
    first = scan(door.device(), door.list_id, tickets[0].payload, nonce="nonce-0001").json()
    again = scan(door.device(), door.list_id, tickets[0].payload, nonce="nonce-0001").json()
    assert again["verdict"] == "ok" and again["replay"] is True and again["id"] == first["id"]
    with schema_context(organizer.schema_name):
        assert Scan.objects.count() == 1
        assert Admission.objects.get().entries == 1
    bad = scan(door.device(), door.list_id, tickets[0].payload, nonce="short")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_nonce"


def test_every_denial(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    other_event = on_sale_event(organizer, rows=1, seats=2, title="Other night")
    door = make_door(organizer, event, categories=["standard"])
    _o1, (premium,) = paid_order(organizer, event, ["stalls/A/1"])
    _o2, (revoked, unpaid_ok) = paid_order(organizer, event, ["stalls/B/1", "stalls/B/2"])
    _o3, (unpaid,) = paid_order(
        organizer, event, ["stalls/B/3"], status=Order.Status.PENDING_PAYMENT
    )
    _o4, (elsewhere,) = paid_order(organizer, other_event, ["stalls/A/1"])
    with schema_context(organizer.schema_name):
        revoke_tickets(items=[revoked.item], reason="refund")
        key, private = _signer()
        ghost = sign_payload(private_key=private, key_id=key.key_id, ticket_id=999999,
                             event_id=event.pk)  # fmt: skip
    raw = bytearray(base45.b45decode(unpaid_ok.payload))
    raw[-1] ^= 0x40
    forged = base45.b45encode(bytes(raw)).decode()
    raw = bytearray(base45.b45decode(unpaid_ok.payload))
    raw[1:5] = b"\x00\x00\x00\x07"
    unknown_key = base45.b45encode(bytes(raw)).decode()

    device = door.device()
    verdicts = {
        name: scan(device, door.list_id, payload).json()["verdict"]
        for name, payload in {
            "premium": premium.payload,
            "revoked": revoked.payload,
            "unpaid": unpaid.payload,
            "elsewhere": elsewhere.payload,
            "ghost": ghost,
            "forged": forged,
            "unknown_key": unknown_key,
            "garbage": "not a ticket at all",
        }.items()
    }
    assert verdicts == {
        "premium": "wrong_category",
        "revoked": "revoked",
        "unpaid": "not_paid",
        "elsewhere": "wrong_event",
        "ghost": "not_found",
        "forged": "invalid_signature",
        "unknown_key": "unknown_key",
        "garbage": "invalid_signature",
    }
    assert scan(device, door.list_id, unpaid_ok.payload).json()["verdict"] == "ok"
    with schema_context(organizer.schema_name):
        assert Admission.objects.count() == 1
        assert Scan.objects.filter(verdict="ok").count() == 1


def test_old_key_tickets_scan_after_rotation(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event)
    _o, (old,) = paid_order(organizer, event, ["stalls/A/1"])
    with schema_context(organizer.schema_name):
        rotate_signing_key(actor=ACTOR)
        assert SigningKey.objects.count() == 2
    _o, (new,) = paid_order(organizer, event, ["stalls/A/2"])
    assert scan(door.device(), door.list_id, old.payload).json()["verdict"] == "ok"
    assert scan(door.device(), door.list_id, new.payload).json()["verdict"] == "ok"


def test_exit_and_reentry(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    loose = make_door(organizer, event, allow_reentry=True, name="Loose")
    strict = make_door(organizer, event, name="Strict")
    _o, (ticket,) = paid_order(organizer, event, ["stalls/A/1"])
    for door, back_in in ((loose, "ok"), (strict, "already_admitted")):
        device = door.device()
        assert scan(device, door.list_id, ticket.payload, direction="exit").json()["verdict"] == (
            "not_inside"
        )
        assert scan(device, door.list_id, ticket.payload).json()["verdict"] == "ok"
        out = scan(device, door.list_id, ticket.payload, direction="exit").json()
        assert out["verdict"] == "ok" and out["admitted"] is False
        assert scan(device, door.list_id, ticket.payload).json()["verdict"] == back_in
