"""A door for tests: a check-in list and paired devices, made through the API."""

import secrets
from dataclasses import dataclass, field

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
    tokens: list[str] = field(default_factory=list)

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
) -> Door:
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
        paired = Client(HTTP_HOST=host_of(organizer)).post(
            "/api/v1/checkin/devices/pair",
            {"code": device.json()["pairing_code"]},
            content_type="application/json",
        )
        assert paired.status_code == 200, paired.content
        door.devices.append(device.json()["id"])
        door.tokens.append(paired.json()["token"])
    return door


def scan(client: Client, list_id: str, payload: str, *, nonce: str | None = None,
         direction: str = "entry", scanned_at=None):  # fmt: skip
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
