"""Offline scans uploaded at sync: recomputed by the server in the order they happened
(corrected for the device's clock), the earliest valid entry winning; an override made offline
under a staff credential is checked again here."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from boxoffice.errors import Conflict, Forbidden, Invalid
from checkin.error_codes import ErrorCode
from checkin.models import CheckinList, Device, Scan
from checkin.services.credentials import verify_staff_credential
from checkin.services.overrides import apply_override
from checkin.services.scans import ScanResult, check_nonce, record_scan, stored_scan_result
from tenants.models import Organizer

Verdict = Scan.Verdict
Direction = Scan.Direction

# An offline scan uploaded more than this long after it happened is flagged `late`.
LATE_UPLOAD_AFTER = timedelta(minutes=30)
# Device clocks off by less than this are trusted as they are.
CLOCK_TOLERANCE = timedelta(seconds=5)
MAX_BATCH = 1000


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
            "The device's clock is too far off to place this scan in time.",
            code=ErrorCode.INVALID_TIME,
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
        raise Invalid(f"At most {MAX_BATCH} scans per batch.", code=ErrorCode.BATCH_TOO_LARGE)
    now = timezone.now()
    offset = timedelta(0)
    if device_time is not None and abs(now - device_time) > CLOCK_TOLERANCE:
        offset = now - device_time
    for item in scans:
        check_nonce(item.nonce)
    results: dict[str, ScanResult] = {}
    for item in sorted(scans, key=lambda s: s.scanned_at):
        if item.nonce in results:
            continue
        stored = stored_scan_result(device, item.nonce)
        if stored is None:
            effective_at = _corrected(item.scanned_at, offset, now)
            try:
                with transaction.atomic():
                    stored = record_scan(
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
                stored = stored_scan_result(device, item.nonce)
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
        apply_override(
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
