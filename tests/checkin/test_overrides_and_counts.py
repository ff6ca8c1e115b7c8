"""Overrides: supervisors and admins only, with a reason, audited; online, from a device with a
staff credential, and offline at sync. Live counts per list and gate."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from checkin.models import Admission, Override
from tenants.models import Membership
from tenants.roles import Role
from tests.builders.checkin import make_door, scan
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import make_member, make_organizer, signed_in_client


def override(client, scan_id, reason="VIP guest of the director", **extra):
    return client.post(
        f"/api/v1/checkin/scans/{scan_id}/override",
        {"reason": reason, **extra},
        content_type="application/json",
    )


def credential_for(organizer, user, hours=2):
    client = signed_in_client(organizer, user)
    return client.post(
        "/api/v1/checkin/staff-credentials", {"hours": hours}, content_type="application/json"
    )


def denied_scan(organizer, event, door):
    _o, (ticket,) = paid_order(organizer, event, ["stalls/A/1"])
    assert scan(door.device(), door.list_id, ticket.payload).json()["verdict"] == "ok"
    denied = scan(door.device(), door.list_id, ticket.payload).json()
    assert denied["verdict"] == "already_admitted"
    return ticket, denied


def test_plain_staff_cannot_override_a_supervisor_can_and_it_is_audited(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event)
    ticket, denied = denied_scan(organizer, event, door)
    staff = signed_in_client(organizer, make_member(organizer, Role.STAFF))
    supervisor_user = make_member(organizer, Role.STAFF, is_supervisor=True)
    supervisor = signed_in_client(organizer, supervisor_user)

    refused = override(staff, denied["id"])
    assert refused.status_code == 403 and refused.json()["details"]["required_role"] == (
        "supervisor"
    )
    assert override(supervisor, denied["id"], reason="  ").json()["code"] == "reason_required"
    done = override(supervisor, denied["id"])
    assert done.status_code == 200, done.content
    assert done.json()["original_verdict"] == "already_admitted"
    assert done.json()["scan"]["overridden"] is True and done.json()["scan"]["admitted"]
    assert done.json()["by"] == supervisor_user.email
    assert override(supervisor, denied["id"]).json()["code"] == "already_overridden"
    with schema_context(organizer.schema_name):
        entry = AuditEntry.objects.get(action="checkin.override")
        assert entry.actor_label == supervisor_user.email
        assert entry.data["reason"] == "VIP guest of the director"
        assert entry.data["original_verdict"] == "already_admitted"
        assert entry.data["device"] == door.devices[0]
        assert entry.data["ticket"] == ticket.uid
    # An admin may too; an ok scan cannot be overridden.
    _o, (fresh,) = paid_order(organizer, event, ["stalls/A/2"])
    ok = scan(door.device(), door.list_id, fresh.payload).json()
    assert override(door.admin, ok["id"]).json()["code"] == "not_denied"


def test_device_overrides_online_with_a_staff_credential(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=4)
    door = make_door(organizer, event)
    _ticket, denied = denied_scan(organizer, event, door)
    staff = make_member(organizer, Role.STAFF)
    assert credential_for(organizer, staff).status_code == 403
    supervisor = make_member(organizer, Role.STAFF, is_supervisor=True)
    issued = credential_for(organizer, supervisor)
    assert issued.status_code == 201
    credential = issued.json()["credential"]

    device = door.device()
    assert override(device, denied["id"]).json()["code"] == "credential_required"
    assert (
        override(device, denied["id"], staff_credential=credential[:-3] + "AAA").json()["code"]
        == "invalid_credential"
    )
    done = override(device, denied["id"], staff_credential=credential)
    assert done.status_code == 200 and done.json()["by"] == supervisor.email
    with schema_context(organizer.schema_name):
        record = Override.objects.get()
        assert record.device.uid == door.devices[0] and not record.offline


def test_offline_override_is_verified_at_sync(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    door = make_door(organizer, event, categories=["standard"])
    _o, (premium, premium2, premium3) = paid_order(
        organizer, event, ["stalls/A/1", "stalls/A/2", "stalls/A/3"]
    )
    supervisor = make_member(organizer, Role.STAFF, is_supervisor=True)
    credential = credential_for(organizer, supervisor).json()["credential"]
    beta = make_organizer("beta")
    beta_supervisor = make_member(beta, Role.ADMIN)
    foreign = credential_for(beta, beta_supervisor).json()["credential"]
    now = timezone.now()

    def entry(ticket, nonce, cred, at=now):
        return {
            "payload": ticket.payload,
            "nonce": nonce,
            "scanned_at": at.isoformat(),
            "device_verdict": "ok",
            "override": {"credential": cred, "reason": "wheelchair access via side door"},
        }

    results = door.device().post(
        f"/api/v1/checkin/lists/{door.list_id}/scans/batch",
        {"scans": [
            entry(premium, "off-0001", credential),
            entry(premium2, "off-0002", foreign),
            entry(premium3, "off-0003", credential, at=now - timedelta(hours=1)),
        ]},
        content_type="application/json",
    ).json()["results"]  # fmt: skip
    assert results[0]["verdict"] == "wrong_category" and results[0]["overridden"] is True
    assert results[0]["admitted"] is True and results[0]["conflict"] is False
    assert results[1]["overridden"] is False
    assert results[1]["override_error"] == "invalid_credential" and results[1]["conflict"]
    assert results[2]["overridden"] is False  # made before the credential existed
    with schema_context(organizer.schema_name):
        record = Override.objects.get()
        assert record.offline and record.actor_label == supervisor.email
        assert record.original_verdict == "wrong_category"
        assert Admission.objects.filter(ticket=premium).exists()
        audit = AuditEntry.objects.get(action="checkin.override")
        assert audit.data["offline"] is True and audit.data["credential"]

    # Losing the supervisor flag ends the credential's power at the next sync.
    Membership.objects.filter(user=supervisor).update(is_supervisor=False)
    _o2, (later,) = paid_order(organizer, event, ["stalls/A/4"])
    result = (
        door.device()
        .post(
            f"/api/v1/checkin/lists/{door.list_id}/scans/batch",
            {"scans": [entry(later, "off-0004", credential)]},
            content_type="application/json",
        )
        .json()["results"][0]
    )
    assert result["overridden"] is False and result["override_error"] == "invalid_credential"


def test_live_counts_per_list_and_gate(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    door = make_door(organizer, event, devices=2, allow_reentry=True)
    _o, tickets = paid_order(organizer, event, [f"stalls/B/{n}" for n in range(1, 5)])
    scan(door.device(0), door.list_id, tickets[0].payload)
    scan(door.device(0), door.list_id, tickets[1].payload)
    scan(door.device(1), door.list_id, tickets[2].payload)
    scan(door.device(1), door.list_id, tickets[2].payload)  # denied
    scan(door.device(1), door.list_id, tickets[1].payload, direction="exit")

    counts = door.admin.get(f"/api/v1/checkin/lists/{door.list_id}/counts")
    assert counts.status_code == 200
    body = counts.json()
    assert (body["tickets"], body["admitted"], body["inside"]) == (4, 3, 2)
    gates = {gate["gate"]: gate for gate in body["gates"]}
    assert gates["Gate 1"]["entries"] == 2 and gates["Gate 1"]["denied"] == 0
    assert gates["Gate 2"]["entries"] == 1 and gates["Gate 2"]["exits"] == 1
    assert gates["Gate 2"]["denied"] == 1
    assert door.device().get(f"/api/v1/checkin/lists/{door.list_id}/counts").status_code == 200


def test_staff_credential_expires_and_is_bound_to_its_organizer(db):
    import pytest

    from boxoffice.errors import Forbidden
    from checkin.services.credentials import verify_staff_credential

    organizer = make_organizer("alpha")
    other = make_organizer("beta")
    supervisor = make_member(organizer, Role.STAFF, is_supervisor=True)
    issued = credential_for(organizer, supervisor, hours=1).json()
    now = timezone.now()
    with schema_context(organizer.schema_name):
        credential, actor = verify_staff_credential(
            issued["credential"], organizer=organizer, at=now
        )
        assert actor.user == supervisor and credential.id == issued["id"]
        with pytest.raises(Forbidden):
            verify_staff_credential(
                issued["credential"], organizer=organizer, at=now + timedelta(hours=2)
            )
    with schema_context(other.schema_name), pytest.raises(Forbidden):
        verify_staff_credential(issued["credential"], organizer=other, at=now)


def test_the_gate_chosen_on_the_device_is_where_its_scans_count(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=2, seats=4)
    door = make_door(organizer, event, devices=1)
    _o, tickets = paid_order(organizer, event, ["stalls/B/1", "stalls/B/2"])
    phone = door.device(0)
    online = phone.post(
        f"/api/v1/checkin/lists/{door.list_id}/scans",
        {"payload": tickets[0].payload, "nonce": "n-online-1", "gate": "North door",
         "scanned_at": timezone.now().isoformat()},
        content_type="application/json",
    )  # fmt: skip
    assert online.json()["verdict"] == "ok"
    batch = phone.post(
        f"/api/v1/checkin/lists/{door.list_id}/scans/batch",
        {"scans": [{"payload": tickets[1].payload, "nonce": "n-offline-1", "gate": "South door",
                    "scanned_at": timezone.now().isoformat()}]},
        content_type="application/json",
    )  # fmt: skip
    assert batch.json()["results"][0]["verdict"] == "ok"
    gates = {
        gate["gate"]: gate["entries"]
        for gate in door.admin.get(f"/api/v1/checkin/lists/{door.list_id}/counts").json()["gates"]
    }
    assert gates == {"North door": 1, "South door": 1}
