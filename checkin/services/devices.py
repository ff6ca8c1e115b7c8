"""Door devices: created by an admin with a one-time pairing code, paired for a token, the
token rotated or the device revoked; and who a device is when it calls (its token)."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from boxoffice.actors import Actor, ActorKind
from boxoffice.audit.services import record_audit
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Invalid, NotFound
from boxoffice.tickets.services import signing_key
from checkin.error_codes import ErrorCode
from checkin.models import CheckinList, Device

DEVICE_TOKEN_PREFIX = "bxd_"
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a screen
PAIRING_CODE_LENGTH = 12
PAIRING_CODE_LIFETIME = timedelta(hours=1)
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_pairing_code() -> str:
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))


def normalize_pairing_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_pairing_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _lists_by_uid(uids: list[str]) -> list[CheckinList]:
    lists = list(CheckinList.objects.filter(uid__in=set(uids)))
    missing = sorted(set(uids) - {checkin_list.uid for checkin_list in lists})
    if missing:
        raise Invalid("No such check-in lists.", code=ErrorCode.UNKNOWN_LIST, lists=missing)
    return lists


def create_device(
    *, name: str, gate: str = "", list_uids: list[str], actor: Actor
) -> tuple[Device, str]:
    """A device and its one-time pairing code (shown once)."""
    name = name.strip()
    if not name:
        raise Invalid("Name the device (e.g. 'North door phone 1').", code=KernelCode.INVALID_NAME)
    code = _new_pairing_code()
    with transaction.atomic():
        device = Device.objects.create(
            name=name,
            gate=gate.strip(),
            pairing_code_hash=_sha256(code),
            pairing_expires_at=timezone.now() + PAIRING_CODE_LIFETIME,
        )
        lists = _lists_by_uid(list_uids)
        device.lists.set(lists)
        record_audit(
            actor=actor,
            action="device.created",
            target_type="device",
            target_id=device.uid,
            data={"name": name, "lists": sorted(list_uids)},
        )
    return device, code


def update_device(
    *,
    device: Device,
    actor: Actor,
    name: str | None = None,
    gate: str | None = None,
    list_uids: list[str] | None = None,
) -> Device:
    with transaction.atomic():
        if name is not None:
            if not name.strip():
                raise Invalid("Name the device.", code=KernelCode.INVALID_NAME)
            device.name = name.strip()
        if gate is not None:
            device.gate = gate.strip()
        device.save()
        if list_uids is not None:
            device.lists.set(_lists_by_uid(list_uids))
        record_audit(
            actor=actor,
            action="device.updated",
            target_type="device",
            target_id=device.uid,
            data={"name": device.name, "gate": device.gate, "lists": list_uids},
        )
    return device


def new_pairing_code(*, device: Device, actor: Actor) -> str:
    """A fresh one-time code; the device's current token stops working (re-pair it)."""
    if device.revoked_at is not None:
        raise Conflict("The device is revoked.", code=ErrorCode.DEVICE_REVOKED)
    code = _new_pairing_code()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(
            pairing_code_hash=_sha256(code),
            pairing_expires_at=timezone.now() + PAIRING_CODE_LIFETIME,
            token_hash=None,
            token_prefix="",
            updated_at=timezone.now(),
        )
        record_audit(
            actor=actor, action="device.pairing_code", target_type="device", target_id=device.uid
        )
    device.refresh_from_db()
    return code


def _new_token() -> str:
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def pair_device(*, code: str) -> tuple[Device, str]:
    """Exchange a pairing code for the device's token (shown once). The code works once."""
    code = normalize_pairing_code(code)
    refused = NotFound(
        "This pairing code is unknown or has expired.",
        code=ErrorCode.INVALID_PAIRING_CODE,
    )
    if len(code) != PAIRING_CODE_LENGTH:
        raise refused
    token = _new_token()
    now = timezone.now()
    with transaction.atomic():
        device = (
            Device.objects.select_for_update()
            .filter(pairing_code_hash=_sha256(code), revoked_at__isnull=True)
            .first()
        )
        if device is None or device.pairing_expires_at is None or device.pairing_expires_at < now:
            raise refused
        device.pairing_code_hash = None
        device.pairing_expires_at = None
        device.token_hash = _sha256(token)
        device.token_prefix = token[len(DEVICE_TOKEN_PREFIX) :][:8]
        device.paired_at = now
        device.last_seen_at = now
        device.save()
        signing_key()  # a paired device holds the key its event's tickets are signed with
        record_audit(
            actor=device_actor(device),
            action="device.paired",
            target_type="device",
            target_id=device.uid,
        )
    return device, token


def rotate_device_token(*, device: Device) -> str:
    """The device swaps its token for a new one; the old one stops working at once."""
    token = _new_token()
    with transaction.atomic():
        updated = Device.objects.filter(
            pk=device.pk, revoked_at__isnull=True, token_hash=device.token_hash
        ).update(
            token_hash=_sha256(token),
            token_prefix=token[len(DEVICE_TOKEN_PREFIX) :][:8],
            updated_at=timezone.now(),
        )
        if not updated:
            raise Conflict("The token changed meanwhile; pair again.", code=ErrorCode.TOKEN_CHANGED)
        record_audit(
            actor=device_actor(device),
            action="device.token_rotated",
            target_type="device",
            target_id=device.uid,
        )
    return token


def revoke_device(*, device: Device, actor: Actor) -> Device:
    with transaction.atomic():
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.token_hash = None
            device.pairing_code_hash = None
            device.pairing_expires_at = None
            device.save()
            record_audit(
                actor=actor, action="device.revoked", target_type="device", target_id=device.uid
            )
    return device


def authenticate_device(*, raw: str) -> Device | None:
    """The live device of this organizer whose token is `raw`, or None."""
    if not raw.startswith(DEVICE_TOKEN_PREFIX):
        return None
    device = Device.objects.filter(token_hash=_sha256(raw), revoked_at__isnull=True).first()
    if device is None:
        return None
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_RESOLUTION:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device


def device_actor(device: Device) -> Actor:
    return Actor(kind=ActorKind.DEVICE, id=device.pk, label=f"device {device.name}")
