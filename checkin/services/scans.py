"""Scans: the verdict on a payload (`judge`), the admission it decides (the first entry wins,
at the admission row's unique index and lock), the stored scan, and online scans."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from boxoffice.errors import Invalid
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.selectors import check_payload, typed_ticket_code
from boxoffice.transactions import require_transaction
from checkin.error_codes import ErrorCode
from checkin.models import Admission, CheckinList, Device, Scan

Verdict = Scan.Verdict
Direction = Scan.Direction


@dataclass
class ScanResult:
    scan: Scan
    ticket: Ticket | None
    replay: bool = False
    first_entry: Scan | None = None  # for already_admitted: the entry that won
    override_error: str = ""
    extra: dict = field(default_factory=dict)


def judge(
    checkin_list: CheckinList, payload: str, *, at: datetime | None = None
) -> tuple[Verdict | None, Ticket | None]:
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
            return Verdict(failure), None
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


@dataclass(frozen=True)
class AdmissionDecision:
    """What `_admit` decided for one scan, for `record_scan` to store."""

    verdict: Verdict
    # The admission row this scan moved (entered, re-entered, left, or took over): the scan
    # becomes its last scan, and its first when it is the winning entry.
    admission_id: int | None = None
    # The row an entry found already there (it did not insert it); None for exits.
    existing: Admission | None = None
    # The first scan of `existing` that an earlier offline entry displaces.
    displaces: int | None = None


def _admit(
    scan: Scan, checkin_list: CheckinList, ticket: Ticket, *, offline: bool
) -> AdmissionDecision:
    """Decide an entry or exit against the admission row (locked) and update it.
    The first entry wins: concurrent scans meet at the row's unique index and lock."""
    if scan.direction == Direction.ENTRY:
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_FIRST_ENTRY, [checkin_list.pk, ticket.pk, scan.effective_at])
            row = cursor.fetchone()
        if row is not None:
            return AdmissionDecision(Verdict.OK, admission_id=row[0])
    admission = (
        Admission.objects.select_for_update()
        .filter(checkin_list=checkin_list, ticket=ticket)
        .first()
    )
    if scan.direction == Direction.EXIT:
        if admission is None or not admission.inside:
            return AdmissionDecision(Verdict.NOT_INSIDE)
        admission.inside = False
        admission.save(update_fields=["inside", "updated_at"])
        return AdmissionDecision(Verdict.OK, admission_id=admission.pk)
    assert admission is not None
    if checkin_list.allow_reentry and not admission.inside:
        admission.inside = True
        admission.entries += 1
        admission.save(update_fields=["inside", "entries", "updated_at"])
        return AdmissionDecision(Verdict.OK, admission_id=admission.pk, existing=admission)
    if offline and not checkin_list.allow_reentry and scan.effective_at < admission.admitted_at:
        # An earlier entry made offline arrives after a later one: the earliest wins.
        displaces = admission.first_scan_id
        admission.admitted_at = scan.effective_at
        admission.save(update_fields=["admitted_at", "updated_at"])
        return AdmissionDecision(
            Verdict.OK, admission_id=admission.pk, existing=admission, displaces=displaces
        )
    return AdmissionDecision(Verdict.ALREADY_ADMITTED, existing=admission)


def record_scan(
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
    """Judge, decide admission and store one scan. Call inside a transaction: the admission
    row stays locked until the caller's ends."""
    require_transaction("record_scan")
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
    decision = (
        AdmissionDecision(failure)
        if failure
        else _admit(scan, checkin_list, ticket, offline=offline)
    )
    scan.verdict = decision.verdict
    first_entry = None
    admission = decision.existing
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
    if decision.admission_id is not None:
        changes = {"last_scan": scan}
        entered = scan.verdict == Verdict.OK and scan.direction == Direction.ENTRY
        if entered and (decision.displaces or admission is None):
            changes["first_scan"] = scan
        Admission.objects.filter(pk=decision.admission_id).update(**changes)
    if decision.displaces:
        Scan.objects.filter(pk=decision.displaces).update(
            verdict=Verdict.ALREADY_ADMITTED, conflict=True, conflict_with=scan
        )
    return ScanResult(scan=scan, ticket=ticket, first_entry=first_entry)


def stored_scan_result(device: Device, nonce: str) -> ScanResult | None:
    """The stored answer to a (device, nonce) seen before, marked as a replay; None if new."""
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


def check_nonce(nonce: str) -> str:
    """The nonce, stripped; Invalid unless it is 8 to 64 characters."""
    nonce = (nonce or "").strip()
    if not (8 <= len(nonce) <= 64):
        raise Invalid(
            "A nonce is 8 to 64 characters, unique per scan.",
            code=ErrorCode.INVALID_NONCE,
        )
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
    nonce = check_nonce(nonce)
    stored = stored_scan_result(device, nonce)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            return record_scan(
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
        stored = stored_scan_result(device, nonce)
        if stored is None:
            raise
        return stored
