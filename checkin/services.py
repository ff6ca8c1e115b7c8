"""Every write of check-in: lists, devices (pairing, tokens), scans online and offline,
overrides. Design notes: checkin/README.md."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from boxoffice.actors import Actor, ActorKind
from boxoffice.audit.services import record_audit
from boxoffice.errors import Conflict, Forbidden, Invalid, NotFound
from boxoffice.events.models import Event
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.selectors import check_payload, typed_ticket_code
from boxoffice.tickets.services import signing_key
from checkin.credentials import verify_staff_credential
from checkin.models import Admission, CheckinList, Device, Override, Scan
from tenants.models import Organizer
from tenants.permissions import check_role
from tenants.roles import Role

Verdict = Scan.Verdict
Direction = Scan.Direction

DEVICE_TOKEN_PREFIX = "bxd_"
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a screen
PAIRING_CODE_LENGTH = 12
PAIRING_CODE_LIFETIME = timedelta(hours=1)
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# An offline scan uploaded more than this long after it happened is flagged `late`.
LATE_UPLOAD_AFTER = timedelta(minutes=30)
# Device clocks off by less than this are trusted as they are.
CLOCK_TOLERANCE = timedelta(seconds=5)
MAX_BATCH = 1000
DENIALS_WITH_TICKET = frozenset(
    {
        Verdict.REVOKED,
        Verdict.NOT_PAID,
        Verdict.PAYMENT_DISPUTED,
        Verdict.WRONG_CATEGORY,
        Verdict.ALREADY_ADMITTED,
    }
)


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- lists --------------------------------------------------------------------------------------


def _clean_categories(event: Event, categories: list[str]) -> list[str]:
    wanted = sorted({category.strip() for category in categories if category.strip()})
    known = set(event.seats.values_list("category", flat=True).distinct())
    unknown = [category for category in wanted if category not in known]
    if unknown:
        raise Invalid(
            "The event has no seats in these categories.", code="unknown_category", unknown=unknown
        )
    return wanted


def create_checkin_list(
    *, event: Event, name: str, categories: list[str], allow_reentry: bool, actor: Actor
) -> CheckinList:
    name = name.strip()
    if not name:
        raise Invalid("Name the check-in list.", code="invalid_name")
    categories = _clean_categories(event, categories)
    try:
        with transaction.atomic():
            checkin_list = CheckinList.objects.create(
                event=event, name=name, categories=categories, allow_reentry=allow_reentry
            )
            record_audit(
                actor=actor,
                action="checkin_list.created",
                target_type="checkin_list",
                target_id=checkin_list.uid,
                data={"event": event.uid, "name": name, "categories": categories},
            )
    except IntegrityError as exc:
        raise Conflict("The event has a list of that name.", code="name_taken") from exc
    return checkin_list


def update_checkin_list(
    *,
    checkin_list: CheckinList,
    actor: Actor,
    name: str | None = None,
    categories: list[str] | None = None,
    allow_reentry: bool | None = None,
) -> CheckinList:
    if name is not None:
        if not name.strip():
            raise Invalid("Name the check-in list.", code="invalid_name")
        checkin_list.name = name.strip()
    if categories is not None:
        checkin_list.categories = _clean_categories(checkin_list.event, categories)
    if allow_reentry is not None:
        checkin_list.allow_reentry = allow_reentry
    try:
        with transaction.atomic():
            checkin_list.save()
            record_audit(
                actor=actor,
                action="checkin_list.updated",
                target_type="checkin_list",
                target_id=checkin_list.uid,
                data={
                    "name": checkin_list.name,
                    "categories": checkin_list.categories,
                    "allow_reentry": checkin_list.allow_reentry,
                },
            )
    except IntegrityError as exc:
        raise Conflict("The event has a list of that name.", code="name_taken") from exc
    return checkin_list


# --- devices ------------------------------------------------------------------------------------


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
        raise Invalid("No such check-in lists.", code="unknown_list", lists=missing)
    return lists


def create_device(
    *, name: str, gate: str = "", list_uids: list[str], actor: Actor
) -> tuple[Device, str]:
    """A device and its one-time pairing code (shown once)."""
    name = name.strip()
    if not name:
        raise Invalid("Name the device (e.g. 'North door phone 1').", code="invalid_name")
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
                raise Invalid("Name the device.", code="invalid_name")
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
        raise Conflict("The device is revoked.", code="device_revoked")
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
    refused = NotFound("This pairing code is unknown or has expired.", code="invalid_pairing_code")
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
            raise Conflict("The token changed meanwhile; pair again.", code="token_changed")
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


# --- scans --------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    scan: Scan
    ticket: Ticket | None
    replay: bool = False
    first_entry: Scan | None = None  # for already_admitted: the entry that won
    override_error: str = ""
    extra: dict = field(default_factory=dict)


def judge(checkin_list: CheckinList, payload: str, *, at: datetime | None = None):
    """The verdict on a payload before admission state: (denial or None, ticket or None).
    `at`: when the scan happened, for offline scans (a ticket revoked after it was valid then)."""
    tickets = Ticket.objects.select_related("item")
    typed = typed_ticket_code(payload)
    if typed is not None:
        # Typed at the door from the ticket page: the code is the secret, no signature to check.
        ticket = tickets.filter(uid=typed).first()
        if ticket is not None and ticket.event_id != checkin_list.event_id:
            return Verdict.WRONG_EVENT, None
    else:
        failure, decoded = check_payload(payload)
        if failure is not None:
            return failure, None
        if decoded.event_id != checkin_list.event_id:
            return Verdict.WRONG_EVENT, None
        ticket = tickets.filter(pk=decoded.ticket_id, event_id=checkin_list.event_id).first()
    if ticket is None:
        return Verdict.NOT_FOUND, None
    if ticket.status == Ticket.Status.REVOKED and (at is None or ticket.revoked_at <= at):
        return Verdict.REVOKED, ticket
    if ticket.payment == Ticket.Payment.NOT_PAID:
        return Verdict.NOT_PAID, ticket
    if ticket.payment == Ticket.Payment.DISPUTED and (at is None or ticket.disputed_at <= at):
        # Refused pending a supervisor's override: a chargeback may take the money back, and
        # letting someone in cannot be undone (checkin/README.md "Verdicts").
        return Verdict.PAYMENT_DISPUTED, ticket
    if not checkin_list.admits_category(ticket.item.category):
        return Verdict.WRONG_CATEGORY, ticket
    return None, ticket


CLAIM_FIRST_ENTRY = """
INSERT INTO checkin_admission
    (checkin_list_id, ticket_id, inside, admitted_at, entries, updated_at, change_xid)
VALUES (%s, %s, true, %s, 1, now(), 0)
ON CONFLICT (checkin_list_id, ticket_id) DO NOTHING
RETURNING id
"""


def _admit(scan: Scan, checkin_list: CheckinList, ticket: Ticket, *, offline: bool) -> str:
    """Decide an entry or exit against the admission row (locked) and update it; the verdict.
    The first entry wins: concurrent scans meet at the row's unique index and lock."""
    if scan.direction == Direction.ENTRY:
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_FIRST_ENTRY, [checkin_list.pk, ticket.pk, scan.effective_at])
            row = cursor.fetchone()
        if row is not None:
            scan._admission_id = row[0]  # type: ignore[attr-defined]
            return Verdict.OK
    admission = (
        Admission.objects.select_for_update()
        .filter(checkin_list=checkin_list, ticket=ticket)
        .first()
    )
    if scan.direction == Direction.EXIT:
        if admission is None or not admission.inside:
            return Verdict.NOT_INSIDE
        admission.inside = False
        admission.save(update_fields=["inside", "updated_at"])
        scan._admission_id = admission.pk  # type: ignore[attr-defined]
        return Verdict.OK
    assert admission is not None
    scan._admission = admission  # type: ignore[attr-defined]
    if checkin_list.allow_reentry and not admission.inside:
        admission.inside = True
        admission.entries += 1
        admission.save(update_fields=["inside", "entries", "updated_at"])
        scan._admission_id = admission.pk  # type: ignore[attr-defined]
        return Verdict.OK
    if offline and not checkin_list.allow_reentry and scan.effective_at < admission.admitted_at:
        # An earlier entry made offline arrives after a later one: the earliest wins.
        scan._displaces = admission.first_scan_id  # type: ignore[attr-defined]
        admission.admitted_at = scan.effective_at
        admission.save(update_fields=["admitted_at", "updated_at"])
        scan._admission_id = admission.pk  # type: ignore[attr-defined]
        return Verdict.OK
    return Verdict.ALREADY_ADMITTED


def _record(
    *,
    checkin_list: CheckinList,
    device: Device | None,
    payload: str,
    nonce: str,
    direction: str,
    mode: str,
    scanned_at: datetime,
    effective_at: datetime,
    device_admitted: bool = False,
    late: bool = False,
    gate: str = "",
) -> ScanResult:
    """Judge, decide admission and store one scan, in the caller's transaction."""
    offline = mode == Scan.Mode.OFFLINE
    failure, ticket = judge(checkin_list, payload, at=effective_at if offline else None)
    scan = Scan(
        checkin_list=checkin_list,
        device=device,
        ticket=ticket,
        payload=payload[:160],
        nonce=nonce,
        direction=direction,
        mode=mode,
        gate=gate.strip() or (device.gate_label if device else ""),
        scanned_at=scanned_at,
        effective_at=effective_at,
        late=late,
    )
    scan.verdict = failure or _admit(scan, checkin_list, ticket, offline=offline)
    first_entry = None
    admission = getattr(scan, "_admission", None)
    if scan.verdict == Verdict.ALREADY_ADMITTED and admission is not None:
        first_entry = (
            Scan.objects.select_related("device").filter(pk=admission.first_scan_id).first()
        )
        if offline and device_admitted:
            scan.conflict = True
            scan.conflict_with = first_entry
    elif offline and device_admitted and scan.verdict != Verdict.OK:
        scan.conflict = True
    scan.save()
    admission_id = getattr(scan, "_admission_id", None)
    if admission_id is not None:
        changes = {"last_scan": scan}
        entered = scan.verdict == Verdict.OK and scan.direction == Direction.ENTRY
        if entered and (getattr(scan, "_displaces", None) or admission is None):
            changes["first_scan"] = scan
        Admission.objects.filter(pk=admission_id).update(**changes)
    displaced = getattr(scan, "_displaces", None)
    if displaced:
        Scan.objects.filter(pk=displaced).update(
            verdict=Verdict.ALREADY_ADMITTED, conflict=True, conflict_with=scan
        )
    return ScanResult(scan=scan, ticket=ticket, first_entry=first_entry)


def _stored_result(device: Device, nonce: str) -> ScanResult | None:
    scan = (
        Scan.objects.select_related("ticket__item", "checkin_list")
        .filter(device=device, nonce=nonce)
        .first()
    )
    if scan is None:
        return None
    first_entry = None
    if scan.verdict == Verdict.ALREADY_ADMITTED and scan.ticket_id:
        admission = Admission.objects.filter(
            checkin_list_id=scan.checkin_list_id, ticket_id=scan.ticket_id
        ).first()
        if admission is not None:
            first_entry = (
                Scan.objects.select_related("device").filter(pk=admission.first_scan_id).first()
            )
    return ScanResult(scan=scan, ticket=scan.ticket, replay=True, first_entry=first_entry)


def _check_nonce(nonce: str) -> str:
    nonce = (nonce or "").strip()
    if not (8 <= len(nonce) <= 64):
        raise Invalid("A nonce is 8 to 64 characters, unique per scan.", code="invalid_nonce")
    return nonce


def scan_ticket(
    *,
    device: Device,
    checkin_list: CheckinList,
    payload: str,
    nonce: str,
    scanned_at: datetime,
    direction: str = Direction.ENTRY,
    gate: str = "",
) -> ScanResult:
    """An online scan: the server's verdict, and for entries an atomic first-scan-wins
    admission. Repeating a (device, nonce) returns the stored answer and changes nothing."""
    nonce = _check_nonce(nonce)
    stored = _stored_result(device, nonce)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            return _record(
                checkin_list=checkin_list,
                device=device,
                payload=payload,
                nonce=nonce,
                direction=direction,
                mode=Scan.Mode.ONLINE,
                scanned_at=scanned_at,
                effective_at=timezone.now(),
                gate=gate,
            )
    except IntegrityError:
        # The same nonce racing itself (a retry sent before the first answer came back).
        stored = _stored_result(device, nonce)
        if stored is None:
            raise
        return stored


@dataclass
class OfflineScan:
    nonce: str
    payload: str
    scanned_at: datetime
    direction: str = Direction.ENTRY
    device_verdict: str = Verdict.OK
    override_credential: str = ""
    override_reason: str = ""
    gate: str = ""


def _corrected(scanned_at: datetime, offset: timedelta, now: datetime) -> datetime:
    """When a scan happened by the server's clock: never later than now. A device clock
    centuries off pushes the sum past year 9999 (later than now) or before year 1 (refused)."""
    try:
        return min(scanned_at + offset, now)
    except OverflowError:
        if offset > timedelta(0):
            return now
        raise Invalid(
            "The device's clock is too far off to place this scan in time.", code="invalid_time"
        ) from None


def upload_offline_scans(
    *,
    organizer: Organizer,
    device: Device,
    checkin_list: CheckinList,
    scans: list[OfflineScan],
    device_time: datetime | None = None,
) -> list[ScanResult]:
    """Offline scans, recomputed by the server in the order they happened (corrected for the
    device's clock): the earliest valid entry of a ticket wins, later admitted ones are stored
    as conflicts. Idempotent by (device, nonce). Answers in the order given."""
    if len(scans) > MAX_BATCH:
        raise Invalid(f"At most {MAX_BATCH} scans per batch.", code="batch_too_large")
    now = timezone.now()
    offset = timedelta(0)
    if device_time is not None and abs(now - device_time) > CLOCK_TOLERANCE:
        offset = now - device_time
    for item in scans:
        _check_nonce(item.nonce)
    results: dict[str, ScanResult] = {}
    for item in sorted(scans, key=lambda s: s.scanned_at):
        if item.nonce in results:
            continue
        stored = _stored_result(device, item.nonce)
        if stored is None:
            effective_at = _corrected(item.scanned_at, offset, now)
            try:
                with transaction.atomic():
                    stored = _record(
                        checkin_list=checkin_list,
                        device=device,
                        payload=item.payload,
                        nonce=item.nonce,
                        direction=item.direction,
                        mode=Scan.Mode.OFFLINE,
                        scanned_at=item.scanned_at,
                        effective_at=effective_at,
                        device_admitted=item.device_verdict == Verdict.OK
                        or bool(item.override_credential),
                        late=now - effective_at > LATE_UPLOAD_AFTER,
                        gate=item.gate,
                    )
                    if item.override_credential and not stored.scan.admitted:
                        _offline_override(organizer, device, stored, item)
            except IntegrityError:
                stored = _stored_result(device, item.nonce)
                if stored is None:
                    raise
        results[item.nonce] = stored
    return [results[item.nonce] for item in scans]


def _offline_override(
    organizer: Organizer, device: Device, result: ScanResult, item: OfflineScan
) -> None:
    try:
        credential, actor = verify_staff_credential(
            item.override_credential, organizer=organizer, at=result.scan.effective_at
        )
        _apply_override(
            scan=result.scan,
            actor=actor,
            reason=item.override_reason,
            device=device,
            offline=True,
            credential_id=credential.id,
        )
        result.scan.conflict = False
        result.scan.save(update_fields=["conflict"])
    except (Forbidden, Invalid, Conflict) as exc:
        result.override_error = exc.code


# --- overrides ----------------------------------------------------------------------------------


def _apply_override(
    *,
    scan: Scan,
    actor: Actor,
    reason: str,
    device: Device | None,
    offline: bool = False,
    credential_id: str = "",
) -> Override:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason for the override.", code="reason_required")
    locked = Scan.objects.select_for_update().get(pk=scan.pk)
    # The device at the door: the one calling, else the one that made the scan.
    device = device or locked.device
    if locked.overridden:
        raise Conflict("This scan was overridden already.", code="already_overridden")
    if locked.direction != Direction.ENTRY or locked.verdict == Verdict.OK:
        raise Conflict("Only a denied entry can be overridden.", code="not_denied")
    if locked.ticket_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO checkin_admission (checkin_list_id, ticket_id, inside, admitted_at,
                    entries, updated_at, change_xid, first_scan_id, last_scan_id)
                VALUES (%(list)s, %(ticket)s, true, %(at)s, 1, now(), 0, %(scan)s, %(scan)s)
                ON CONFLICT (checkin_list_id, ticket_id) DO UPDATE
                SET inside = true, entries = checkin_admission.entries + 1,
                    last_scan_id = EXCLUDED.last_scan_id, updated_at = now()
                """,
                {
                    "list": locked.checkin_list_id,
                    "ticket": locked.ticket_id,
                    "at": locked.effective_at,
                    "scan": locked.pk,
                },
            )
    locked.overridden = True
    locked.save(update_fields=["overridden"])
    scan.overridden = True
    override = Override.objects.create(
        scan=locked,
        actor_kind=actor.kind.value,
        actor_id=actor.id,
        actor_label=actor.label,
        device=device,
        reason=reason,
        original_verdict=locked.verdict,
        offline=offline,
        credential_id=credential_id,
    )
    record_audit(
        actor=actor,
        action="checkin.override",
        target_type="scan",
        target_id=locked.uid,
        data={
            "reason": reason,
            "original_verdict": locked.verdict,
            "device": device.uid if device else None,
            "device_name": device.name if device else None,
            "ticket": locked.ticket.uid if locked.ticket_id else None,
            "list": locked.checkin_list.uid,
            "offline": offline,
            "credential": credential_id or None,
        },
    )
    return override


def override_scan(
    *,
    organizer: Organizer,
    scan: Scan,
    reason: str,
    actor: Actor | None = None,
    device: Device | None = None,
    staff_credential: str = "",
) -> Override:
    """Admit a denied entry: a supervisor or admin decides, with a reason; audited. Online,
    either the person calls (session or token), or a device calls with the person's staff
    credential."""
    credential_id = ""
    if device is not None:
        if not staff_credential:
            raise Invalid(
                "A device overrides only with a supervisor's staff credential.",
                code="credential_required",
            )
        credential, actor = verify_staff_credential(
            staff_credential, organizer=organizer, at=timezone.now()
        )
        credential_id = credential.id
    actor = check_role(actor, Role.STAFF, supervisor=True)
    with transaction.atomic():
        return _apply_override(
            scan=scan, actor=actor, reason=reason, device=device, credential_id=credential_id
        )
