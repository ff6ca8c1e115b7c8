"""A ticket's code typed at the door when its QR code will not scan: the ticket page prints it,
online scans and offline batches accept it as they accept the QR payload, the manifest carries
it for the app's offline check, and the app's copy of the rule (verify.js) agrees with ours."""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.sales.order_access import order_secret
from boxoffice.tickets.selectors import typed_ticket_code
from boxoffice.tickets.services import revoke_tickets
from checkin.models import Scan
from tests.builders.checkin import body_of, make_door, manifest, offline, scan, upload
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import host_of, make_organizer

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [
    "tkt_abcdefghjkmn", "TKT_ABCDEFGHJKMN", "tkt-abcd-efgh-jkmn", " abcd efgh jkmn ",
    "TKTABCDEFGHJKMN", "tkt_abcdefghjkm", "tkt_abcdefghjkmnp", "tkt_abcdefghjkm0",
    "tkt_abcdefghjklm", "HELLO", "", "tkt_" + "a" * 40, "tkt_ábcdefghjkmn",
]  # fmt: skip


def test_typed_codes_are_read_one_way():
    assert [typed_ticket_code(text) for text in SAMPLES[:5]] == ["tkt_abcdefghjkmn"] * 5
    # too short, too long, letters the alphabet leaves out (0, l), other text
    assert {typed_ticket_code(text) for text in SAMPLES[5:]} == {None}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_check_in_apps_copy_of_the_rule_agrees():
    script = """
import { typedTicketCode } from "./checkin/static/checkin/verify.js";
console.log(JSON.stringify(JSON.parse(process.env.SAMPLES).map(typedTicketCode)));
"""
    result = subprocess.run(
        [shutil.which("node"), "--input-type=module", "-e", script],
        cwd=ROOT, env={**os.environ, "SAMPLES": json.dumps(SAMPLES)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [typed_ticket_code(text) for text in SAMPLES]


@pytest.fixture
def door_with_tickets(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    door = make_door(organizer, event)
    order, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/A/2", "stalls/B/1"])
    return organizer, event, door, order, tickets


def spoken(uid: str) -> str:
    """How door staff type what they read off a phone: upper case, hyphens."""
    code = uid.removeprefix("tkt_").upper()
    return f"TKT-{code[:4]}-{code[4:8]}-{code[8:]}"


def test_the_ticket_page_prints_each_code(door_with_tickets):
    organizer, _event, _door, order, tickets = door_with_tickets
    with schema_context(organizer.schema_name):
        secret = order_secret(order)
    page = Client(HTTP_HOST=host_of(organizer)).get(f"/orders/{order.code}/tickets?secret={secret}")
    assert page.status_code == 200
    for ticket in tickets:
        assert ticket.uid in page.content.decode()


def test_an_online_scan_of_a_typed_code_admits_once(door_with_tickets):
    organizer, _event, door, _order, tickets = door_with_tickets
    first = scan(door.device(), door.list_id, spoken(tickets[0].uid))
    assert first.status_code == 200, first.json()
    assert first.json()["verdict"] == "ok"
    again = scan(door.device(), door.list_id, tickets[0].uid)
    assert again.json()["verdict"] == "already_admitted"
    # the QR payload of the same ticket is the same ticket
    assert scan(door.device(), door.list_id, tickets[0].payload).json()["verdict"] == (
        "already_admitted"
    )
    with schema_context(organizer.schema_name):
        assert Scan.objects.filter(ticket=tickets[0], verdict="ok").count() == 1


def test_a_typed_code_is_refused_as_its_ticket_would_be(door_with_tickets):
    organizer, _event, door, _order, tickets = door_with_tickets
    with schema_context(organizer.schema_name):
        revoke_tickets(items=[tickets[1].item], reason="refunded")
    assert scan(door.device(), door.list_id, tickets[1].uid).json()["verdict"] == "revoked"
    unknown = scan(door.device(), door.list_id, "tkt_abcdefghjkmn").json()["verdict"]
    assert unknown == "not_found"
    other = on_sale_event(organizer, rows=1, seats=2, title="Matinee", slug="matinee")
    _o, elsewhere = paid_order(organizer, other, ["stalls/A/1"])
    assert scan(door.device(), door.list_id, elsewhere[0].uid).json()["verdict"] == "wrong_event"


def test_the_manifest_and_offline_batches_carry_typed_codes(door_with_tickets):
    _organizer, _event, door, _order, tickets = door_with_tickets
    body = body_of(manifest(door.device(), door.list_id))
    codes = {row[0]: row[body["ticket_fields"].index("code")] for row in body["tickets"]}
    assert codes == {ticket.pk: ticket.uid for ticket in tickets}
    at = timezone.now() - timedelta(minutes=2)
    answer = upload(
        door.device(), door.list_id, [offline(spoken(tickets[2].uid), "nonce-typed-1", at)]
    )
    assert answer.status_code == 200, answer.json()
    assert [result["verdict"] for result in answer.json()["results"]] == ["ok"]
