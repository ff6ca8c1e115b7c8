"""Devices: pairing codes (one-time, expiring, also as QR), hashed tokens, rotation, revocation,
limits to their organizer and lists."""

from datetime import timedelta

from django.test import Client
from django_tenants.utils import schema_context

from checkin.models import Device
from tenants.roles import Role
from tests.builders.checkin import device_client, make_door, scan
from tests.builders.events import on_sale_event
from tests.builders.orders import paid_order
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client


def pair(organizer, code: str):
    return Client(HTTP_HOST=host_of(organizer)).post(
        "/api/v1/checkin/devices/pair", {"code": code}, content_type="application/json"
    )


def test_pairing_code_works_once_and_the_token_is_stored_hashed(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=2)
    admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    checkin_list = admin.post(
        "/api/v1/checkin/lists",
        {"event": event.uid, "name": "Main"},
        content_type="application/json",
    ).json()
    created = admin.post(
        "/api/v1/checkin/devices",
        {"name": "North phone", "lists": [checkin_list["id"]]},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    code = body["pairing_code"]
    assert len(code.replace("-", "")) == 12
    assert body["pairing_qr_svg"].startswith("<svg")
    assert "/checkin/pair?code=" in body["pairing_url"]

    paired = pair(organizer, code.lower().replace("-", " "))  # typed sloppily
    assert paired.status_code == 200
    token = paired.json()["token"]
    assert token.startswith("bxd_")
    assert paired.json()["lists"][0]["id"] == checkin_list["id"]
    assert paired.json()["keys"][0]["status"] == "signing"
    with schema_context(organizer.schema_name):
        device = Device.objects.get()
        assert token not in (device.token_hash, device.token_prefix)
        assert device.pairing_code_hash is None
    assert pair(organizer, code).status_code == 404  # one time only
    assert pair(organizer, "nonsense").json()["code"] == "invalid_pairing_code"

    me = device_client(organizer, token).get("/api/v1/checkin/device")
    assert me.status_code == 200 and me.json()["name"] == "North phone"


def test_expired_pairing_code_is_refused(db):
    organizer = make_organizer("alpha")
    admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    code = admin.post(
        "/api/v1/checkin/devices", {"name": "Phone"}, content_type="application/json"
    ).json()["pairing_code"]
    with schema_context(organizer.schema_name):
        device = Device.objects.get()
        Device.objects.filter(pk=device.pk).update(
            pairing_expires_at=device.pairing_expires_at - timedelta(hours=2)
        )
    assert pair(organizer, code).status_code == 404


def test_rotated_and_revoked_tokens_stop_working(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=2)
    door = make_door(organizer, event)
    old = door.device()
    rotated = old.post("/api/v1/checkin/device/token")
    assert rotated.status_code == 200
    new_token = rotated.json()["token"]
    assert old.get("/api/v1/checkin/device").status_code == 401
    new = device_client(organizer, new_token)
    assert new.get("/api/v1/checkin/device").status_code == 200

    revoked = door.admin.post(f"/api/v1/checkin/devices/{door.devices[0]}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert new.get("/api/v1/checkin/device").status_code == 401
    assert new.get(f"/api/v1/checkin/lists/{door.list_id}/manifest").status_code == 401


def test_new_pairing_code_replaces_the_token(db):
    organizer = make_organizer("alpha")
    event = on_sale_event(organizer, rows=1, seats=2)
    door = make_door(organizer, event)
    again = door.admin.post(f"/api/v1/checkin/devices/{door.devices[0]}/pairing-code")
    assert again.status_code == 200
    assert door.device().get("/api/v1/checkin/device").status_code == 401
    assert pair(organizer, again.json()["pairing_code"]).status_code == 200


def test_only_admins_manage_devices(db):
    organizer = make_organizer("alpha")
    staff = signed_in_client(organizer, make_member(organizer, Role.STAFF))
    refused = staff.post(
        "/api/v1/checkin/devices", {"name": "Phone"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert Client(HTTP_HOST=host_of(organizer)).get("/api/v1/checkin/devices").status_code == 401


def test_device_is_limited_to_its_organizer_and_its_lists(db):
    alpha = make_organizer("alpha")
    beta = make_organizer("beta")
    event = on_sale_event(alpha, rows=1, seats=4)
    door = make_door(alpha, event)
    other_list = make_door(alpha, event, devices=0, name="Side door").list_id
    _order, tickets = paid_order(alpha, event, ["stalls/A/1"])
    device = door.device()

    # Another list of the same organizer: not its list.
    assert scan(device, other_list, tickets[0].payload).status_code == 404
    assert device.get(f"/api/v1/checkin/lists/{other_list}/manifest").status_code == 404
    # Its token means nothing on another organizer's site, nor does its list id.
    on_beta = device_client(beta, door.tokens[0])
    assert on_beta.get("/api/v1/checkin/device").status_code == 401
    assert scan(on_beta, door.list_id, tickets[0].payload).status_code == 401
    beta_door = make_door(beta, on_sale_event(beta, rows=1, seats=2))
    assert scan(beta_door.device(), door.list_id, tickets[0].payload).status_code == 404
    # And a device is not a member: console endpoints refuse it.
    assert device.get("/api/v1/checkin/devices").status_code == 401
    assert device.post("/api/v1/signing-keys/rotate").status_code == 401
