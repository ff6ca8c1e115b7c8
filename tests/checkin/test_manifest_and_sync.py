"""The offline manifest (full, delta by cursor, gzip, ETag) and batch upload of offline scans."""

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.tickets import keys
from boxoffice.tickets.payload import decode_payload
from boxoffice.tickets.services import revoke_tickets
from checkin.models import Scan
from tests.builders.checkin import body_of, make_door, manifest, offline, scan, upload
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import make_organizer


def test_full_manifest_lets_a_device_verify_offline(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    door = make_door(organizer, event)
    _o, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/B/1"], name="Ada")

    response = manifest(door.device(), door.list_id, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["ETag"].startswith('W/"')
    body = body_of(response)
    assert body["full"] is True
    assert body["list"]["event"]["id"] == event.pk
    assert body["ticket_fields"] == [
        "id", "seat", "category", "name", "status", "code", "category_name", "description",
    ]  # fmt: skip
    assert body["tickets"] == [
        [tickets[0].pk, "Stalls, row A, seat 1", "premium", "Ada", "valid", tickets[0].uid,
         "Premium", "Stalls, row A, seat 1 · Premium · Adult"],
        [tickets[1].pk, "Stalls, row B, seat 1", "standard", "Ada", "valid", tickets[1].uid,
         "Standard", "Stalls, row B, seat 1 · Standard · Adult"],
    ]  # fmt: skip
    assert body["revoked"] == [] and body["admitted"] == []
    # What a device does offline: check the signature with the manifest's public key.
    decoded = decode_payload(tickets[0].payload)
    public = {key["key_id"]: base64.b64decode(key["public_key"]) for key in body["keys"]}
    assert keys.verify(public[decoded.key_id], decoded.signature, decoded.signed_bytes)

    same = manifest(door.device(), door.list_id, HTTP_IF_NONE_MATCH=response["ETag"])
    assert same.status_code == 304
    assert manifest(door.device(), door.list_id, cursor="bogus").status_code == 422


@pytest.fixture
def deltas_organizer(committed_organizer):
    """Deltas follow committed transactions, so this test commits for real (the usual test
    transaction never ends, and its rows would come back in every delta)."""
    return committed_organizer("deltas")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_delta_carries_revocations_and_admissions_since_the_cursor(deltas_organizer):
    organizer = deltas_organizer
    event = on_sale_event(organizer, rows=2, seats=4)
    door = make_door(organizer, event)
    _o, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/A/2", "stalls/A/3"])
    cursor = body_of(manifest(door.device(), door.list_id))["cursor"]

    nothing = body_of(manifest(door.device(), door.list_id, cursor))
    assert nothing["full"] is False
    assert nothing["tickets"] == [] and nothing["admitted"] == []

    with schema_context(organizer.schema_name):
        revoke_tickets(items=[tickets[0].item], reason="refund")
    assert scan(door.device(), door.list_id, tickets[1].payload).json()["verdict"] == "ok"
    _o2, (newcomer,) = paid_order(organizer, event, ["stalls/B/1"])

    delta = body_of(manifest(door.device(), door.list_id, cursor))
    assert delta["revoked"] == [tickets[0].pk]
    changed = {row[0]: row[4] for row in delta["tickets"]}
    assert changed == {tickets[0].pk: "revoked", newcomer.pk: "valid"}
    assert [row[0] for row in delta["admitted"]] == [tickets[1].pk]
    assert delta["admitted"][0][1] is True and delta["admitted"][0][3] == "Gate 1"

    # The revoked ticket is refused online too.
    assert scan(door.device(), door.list_id, tickets[0].payload).json()["verdict"] == "revoked"
    later = body_of(manifest(door.device(), door.list_id, delta["cursor"]))
    assert later["revoked"] == [] and later["tickets"] == []


def test_two_devices_admitting_one_ticket_offline_one_wins_one_conflicts(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event, devices=2)
    _o, (ticket,) = paid_order(organizer, event, ["stalls/A/1"])
    now = timezone.now()
    early, late = now - timedelta(minutes=3), now - timedelta(minutes=2)

    # The later entry syncs first, then the earlier one: the earliest still wins.
    second = upload(door.device(1), door.list_id, [offline(ticket.payload, "dev2-0001", late)])
    assert second.status_code == 200
    assert second.json()["results"][0]["verdict"] == "ok"
    first = upload(door.device(0), door.list_id, [offline(ticket.payload, "dev1-0001", early)])
    result = first.json()["results"][0]
    assert result["verdict"] == "ok" and result["conflict"] is False

    with schema_context(organizer.schema_name):
        loser = Scan.objects.get(nonce="dev2-0001")
        winner = Scan.objects.get(nonce="dev1-0001")
        assert loser.conflict and loser.verdict == "already_admitted"
        assert loser.conflict_with_id == winner.pk
        assert Scan.objects.filter(conflict=True).count() == 1
    conflicts = door.admin.get(f"/api/v1/checkin/lists/{door.list_id}/scans?conflicts=true")
    assert [row["nonce"] for row in conflicts.json()] == ["dev2-0001"]

    # Re-uploading (a retry after a lost answer) changes nothing.
    again = upload(door.device(1), door.list_id, [offline(ticket.payload, "dev2-0001", late)])
    assert again.json()["results"][0]["replay"] is True
    with schema_context(organizer.schema_name):
        assert Scan.objects.count() == 2


def test_later_offline_entry_is_a_conflict_and_uploads_are_flagged_late(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event, devices=2)
    _o, (ticket, other) = paid_order(organizer, event, ["stalls/A/1", "stalls/A/2"])
    assert scan(door.device(0), door.list_id, ticket.payload).json()["verdict"] == "ok"
    # After the online scan: the offline entries below happened later than it however slowly
    # the scan ran (within the clock tolerance, their times are taken as the device says).
    now = timezone.now()
    results = upload(
        door.device(1),
        door.list_id,
        [
            offline(ticket.payload, "dev2-aaaa", now + timedelta(seconds=1)),
            offline(
                ticket.payload,
                "dev2-bbbb",
                now + timedelta(seconds=2),
                device_verdict="already_admitted",
            ),
            offline(other.payload, "dev2-cccc", now - timedelta(hours=2)),
        ],
        device_time=now,
    ).json()["results"]
    assert [r["nonce"] for r in results] == ["dev2-aaaa", "dev2-bbbb", "dev2-cccc"]
    assert results[0]["verdict"] == "already_admitted" and results[0]["conflict"] is True
    # The device refused that one itself: nobody got in, so no conflict.
    assert results[1]["verdict"] == "already_admitted" and results[1]["conflict"] is False
    assert results[2]["verdict"] == "ok" and results[2]["late"] is True
    assert results[0]["late"] is False


def test_device_clock_offset_is_corrected(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event)
    _o, (ticket,) = paid_order(organizer, event, ["stalls/A/1"])
    skew = timedelta(hours=1)  # the device's clock is an hour behind
    now = timezone.now()
    upload(door.device(), door.list_id, [offline(ticket.payload, "skewed-01", now - skew)],
           device_time=now - skew)  # fmt: skip
    with schema_context(organizer.schema_name):
        stored = Scan.objects.get()
        assert abs(stored.effective_at - now) < timedelta(seconds=30)
        assert stored.late is False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committing_after_the_manifest_is_in_the_next_delta(deltas_organizer):
    """A revocation in flight while the manifest is read (its transaction began earlier and
    commits later) is not lost: the cursor is a snapshot, not a clock."""
    import threading

    from django.db import connections, transaction

    organizer = deltas_organizer
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event)
    _o, tickets = paid_order(organizer, event, ["stalls/A/1", "stalls/A/2"])
    connection.set_schema_to_public()
    revoked, release = threading.Event(), threading.Event()

    def slow_refund() -> None:
        try:
            with schema_context(organizer.schema_name), transaction.atomic():
                revoke_tickets(items=[tickets[0].item], reason="refund")
                revoked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    refund = threading.Thread(target=slow_refund)
    refund.start()
    assert revoked.wait(timeout=30)
    during = body_of(manifest(door.device(), door.list_id))
    assert {row[4] for row in during["tickets"]} == {"valid"}  # not committed yet
    release.set()
    refund.join(timeout=30)

    delta = body_of(manifest(door.device(), door.list_id, during["cursor"]))
    assert delta["revoked"] == [tickets[0].pk]
    assert [row[0] for row in delta["tickets"]] == [tickets[0].pk]
