"""Overrides: a supervisor or admin admits a denied entry with a reason, audited; online by
the person, or by a device with the person's staff credential."""

from django.db import connection, transaction
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.errors import Conflict, Invalid
from boxoffice.transactions import require_transaction
from checkin.error_codes import ErrorCode
from checkin.models import Device, Override, Scan
from checkin.services.credentials import verify_staff_credential
from tenants.models import Organizer
from tenants.permissions import check_role
from tenants.roles import Role

Verdict = Scan.Verdict
Direction = Scan.Direction


def apply_override(
    *,
    scan: Scan,
    actor: Actor,
    reason: str,
    device: Device | None,
    offline: bool = False,
    credential_id: str = "",
) -> Override:
    """Admit the denied entry `scan` on `actor`'s decision: the admission row, the `Override`
    and its audit entry. Call inside a transaction (the scan is locked until the caller's
    ends); the caller has checked who may."""
    require_transaction("apply_override")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason for the override.", code=ErrorCode.REASON_REQUIRED)
    locked = Scan.objects.select_for_update().get(pk=scan.pk)
    # The device at the door: the one calling, else the one that made the scan.
    device = device or locked.device
    if locked.overridden:
        raise Conflict("This scan was overridden already.", code=ErrorCode.ALREADY_OVERRIDDEN)
    if locked.direction != Direction.ENTRY or locked.verdict == Verdict.OK:
        raise Conflict("Only a denied entry can be overridden.", code=ErrorCode.NOT_DENIED)
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
                code=ErrorCode.CREDENTIAL_REQUIRED,
            )
        credential, actor = verify_staff_credential(
            staff_credential, organizer=organizer, at=timezone.now()
        )
        credential_id = credential.id
    actor = check_role(actor, Role.STAFF, supervisor=True)
    with transaction.atomic():
        return apply_override(
            scan=scan, actor=actor, reason=reason, device=device, credential_id=credential_id
        )
