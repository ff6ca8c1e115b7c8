"""How check-in answers look, for the API and the console alike: a scan with the door's message,
a device (and one just given a pairing code, with its QR), a device's view of itself and the
public keys it checks tickets with (the offline manifest carries the same keys). A check-in
list needs no presenter: `schemas.CheckinListOut` reads the model."""

import base64

from django.http import HttpRequest
from django.utils.http import urlencode

from boxoffice.tickets.qr import qr_svg
from boxoffice.tickets.selectors import public_keys
from checkin.models import CheckinList, Device, Scan
from checkin.services.devices import format_pairing_code
from checkin.services.scans import ScanResult

MESSAGES = {
    Scan.Verdict.OK: "Welcome in.",
    Scan.Verdict.ALREADY_ADMITTED: "Already admitted.",
    Scan.Verdict.REVOKED: "This ticket was revoked (refunded, cancelled or reissued).",
    Scan.Verdict.INVALID_SIGNATURE: "Not a valid ticket: the code is damaged or forged.",
    Scan.Verdict.UNKNOWN_KEY: "Not a ticket of ours, or signed with a retired key.",
    Scan.Verdict.WRONG_EVENT: "This ticket is for another event.",
    Scan.Verdict.WRONG_CATEGORY: "This ticket's category does not enter here.",
    Scan.Verdict.NOT_PAID: "The order of this ticket is not paid.",
    Scan.Verdict.PAYMENT_DISPUTED: "Payment disputed — call a supervisor.",
    Scan.Verdict.NOT_FOUND: "No such ticket.",
    Scan.Verdict.NOT_INSIDE: "This ticket is not inside.",
}
EXIT_MESSAGE = "Goodbye; see you later."


def device_out(device: Device) -> dict:
    """A device as `schemas.DeviceOut` (its lists prefetched, ideally). A dict rather than the
    schema reading the model: the console's templates and `pairing_out` build on it."""
    return {
        "id": device.uid,
        "name": device.name,
        "gate": device.gate,
        "lists": sorted(checkin_list.uid for checkin_list in device.lists.all()),
        "paired": device.token_hash is not None,
        "paired_at": device.paired_at,
        "revoked_at": device.revoked_at,
        "last_seen_at": device.last_seen_at,
        "pairing_expires_at": device.pairing_expires_at,
    }


def pairing_out(request: HttpRequest, device: Device, code: str) -> dict:
    """A device with its one-time pairing code, typed or scanned as a `/checkin/pair` QR."""
    shown = format_pairing_code(code)
    url = request.build_absolute_uri("/checkin/pair?" + urlencode({"code": shown}))
    return {
        **device_out(device),
        "pairing_code": shown,
        "pairing_url": url,
        "pairing_qr_svg": qr_svg(url, title=f"Pairing code for {device.name}"),
    }


def keys_out() -> list[dict]:
    """The public keys a device verifies tickets and staff credentials with."""
    return [
        {
            "key_id": key.key_id,
            "public_key": base64.b64encode(bytes(key.public_key)).decode(),
            "status": key.status,
        }
        for key in public_keys()
    ]


def device_self_out(request: HttpRequest, device: Device) -> dict:
    """What a device learns of itself: its lists (as `CheckinListOut` reads them) and keys."""
    lists = CheckinList.objects.filter(devices=device).select_related("event")
    return {
        "id": device.uid,
        "name": device.name,
        "gate": device.gate_label,
        "organizer": request.tenant.slug,
        "lists": list(lists),
        "keys": keys_out(),
    }


def scan_out(result: ScanResult) -> dict:
    """A scan as `schemas.ScanOut`: the verdict with the message the door screen shows."""
    scan, ticket = result.scan, result.ticket
    first = result.first_entry
    message = MESSAGES.get(scan.verdict, scan.verdict)
    if scan.direction == Scan.Direction.EXIT and scan.verdict == Scan.Verdict.OK:
        message = EXIT_MESSAGE
    if scan.overridden:
        message = "Admitted by override."
    return {
        "id": scan.uid,
        "nonce": scan.nonce,
        "verdict": scan.verdict,
        "admitted": scan.admitted,
        "message": message,
        "direction": scan.direction,
        "mode": scan.mode,
        "ticket": None
        if ticket is None
        else {
            "id": ticket.pk,
            "uid": ticket.uid,
            "seat": ticket.item.label,
            "category": ticket.item.category,
            "category_name": ticket.item.category_name,
            "description": ticket.item.line,
            "holder_name": ticket.holder_name,
        },
        "first_entry": None
        if first is None
        else {
            "at": first.effective_at,
            "gate": first.gate,
            "device": first.device.name if first.device_id else None,
            "scan": first.uid,
        },
        "replay": result.replay,
        "conflict": scan.conflict,
        "late": scan.late,
        "overridden": scan.overridden,
        "override_error": result.override_error,
        "scanned_at": scan.scanned_at,
        "received_at": scan.received_at,
    }
