"""A door for tests, made through the organizer API as an admin would: a check-in list and its
devices (paired, or with their one-time pairing codes left for the app to use), and the device
calls the tests make (online scans, the offline manifest, batch uploads)."""

import gzip
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from tenants.roles import Role
from tests.builders.organizers import host_of, make_member, signed_in_client


@dataclass
class Door:
    organizer: object
    list_id: str
    admin: Client
    devices: list[str] = field(default_factory=list)  # device ids
    tokens: list[str] = field(default_factory=list)  # paired devices' tokens
    pairing_codes: list[str] = field(default_factory=list)  # unpaired devices' codes

    def device(self, index: int = 0) -> Client:
        return device_client(self.organizer, self.tokens[index])


def device_client(organizer, token: str) -> Client:
    return Client(HTTP_HOST=host_of(organizer), HTTP_AUTHORIZATION=f"Device {token}")


def make_door(
    organizer,
    event,
    *,
    devices: int = 1,
    categories: list[str] | None = None,
    allow_reentry: bool = False,
    name: str = "Main door",
    paired: bool = True,
) -> Door:
    """A check-in list for `event` and `devices` devices on it, paired unless `paired` is False
    (then their pairing codes are kept, for a test that pairs as the door app does)."""
    admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    created = admin.post(
        "/api/v1/checkin/lists",
        {"event": event.uid, "name": name, "categories": categories or [],
         "allow_reentry": allow_reentry},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    door = Door(organizer=organizer, list_id=created.json()["id"], admin=admin)
    for number in range(devices):
        device = admin.post(
            "/api/v1/checkin/devices",
            {"name": f"Phone {number + 1}", "gate": f"Gate {number + 1}", "lists": [door.list_id]},
            content_type="application/json",
        )
        assert device.status_code == 201, device.content
        door.devices.append(device.json()["id"])
        if not paired:
            door.pairing_codes.append(device.json()["pairing_code"])
            continue
        answer = Client(HTTP_HOST=host_of(organizer)).post(
            "/api/v1/checkin/devices/pair",
            {"code": device.json()["pairing_code"]},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        door.tokens.append(answer.json()["token"])
    return door


def scan(client: Client, list_id: str, payload: str, *, nonce: str | None = None,
         direction: str = "entry", scanned_at=None):  # fmt: skip
    """An online scan of `payload` at the list, as a device sends it."""
    return client.post(
        f"/api/v1/checkin/lists/{list_id}/scans",
        {
            "payload": payload,
            "nonce": nonce or secrets.token_hex(8),
            "scanned_at": (scanned_at or timezone.now()).isoformat(),
            "direction": direction,
        },
        content_type="application/json",
    )


def manifest(client: Client, list_id: str, cursor: str | None = None, **headers):
    """The list's offline manifest, in full or the delta after `cursor`."""
    params = {"cursor": cursor} if cursor else {}
    return client.get(f"/api/v1/checkin/lists/{list_id}/manifest", params, **headers)


def body_of(response: HttpResponse) -> dict:
    """A manifest answer's JSON, gzipped or not."""
    content = response.content
    if response.get("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    return json.loads(content)


def upload(client: Client, list_id: str, scans: list[dict], device_time: datetime | None = None):
    """A batch of offline scans, as a device syncs them."""
    return client.post(
        f"/api/v1/checkin/lists/{list_id}/scans/batch",
        {"scans": scans, **({"device_time": device_time.isoformat()} if device_time else {})},
        content_type="application/json",
    )


def offline(payload: str, nonce: str, at: datetime, **extra) -> dict:
    """One offline scan for `upload`."""
    return {"payload": payload, "nonce": nonce, "scanned_at": at.isoformat(), **extra}
