"""Check-in API: lists and devices for the organizer's admins (session or Bearer token);
pairing, manifest, scans and sync for devices (`Authorization: Device <token>`); overrides by
supervisors and admins; live counts."""

import gzip
import json
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from ninja import Router, Status

from boxoffice.actors import Actor, ActorKind
from boxoffice.errors import NotFound
from boxoffice.events.selectors import event_by_id
from boxoffice.throttles import login_throttle
from checkin import selectors
from checkin.auth import DeviceAuth
from checkin.error_codes import ErrorCode
from checkin.models import CheckinList, Device, Scan
from checkin.presenters import device_out, device_self_out, pairing_out, scan_out
from checkin.schemas import (
    BatchIn,
    BatchOut,
    CheckinListIn,
    CheckinListOut,
    CheckinListPatch,
    CountsOut,
    DeviceIn,
    DeviceOut,
    DevicePatch,
    DeviceSelfOut,
    OverrideIn,
    OverrideOut,
    PairedOut,
    PairIn,
    PairingOut,
    ScanIn,
    ScanOut,
    StaffCredentialIn,
    StaffCredentialOut,
    TokenOut,
)
from checkin.services import devices
from checkin.services.credentials import issue_staff_credential
from checkin.services.lists import create_checkin_list, update_checkin_list
from checkin.services.offline import OfflineScan, upload_offline_scans
from checkin.services.overrides import override_scan
from checkin.services.scans import ScanResult, scan_ticket
from tenants.auth import OrganizerAuth
from tenants.permissions import require_role
from tenants.roles import Role

router = Router(tags=["check-in"])
device_auth = [DeviceAuth()]
device_or_member = [DeviceAuth(), OrganizerAuth()]


def _device(request: HttpRequest) -> Device | None:
    actor = request.auth
    if isinstance(actor, Actor) and actor.kind == ActorKind.DEVICE:
        return request.device  # type: ignore[attr-defined]
    return None


def _list_for(request: HttpRequest, list_id: str) -> CheckinList:
    """A list the caller may use: a device only its own lists, members (staff up) any."""
    lists = CheckinList.objects.select_related("event")
    device = _device(request)
    if device is not None:
        lists = lists.filter(devices=device)
    else:
        require_role(request, Role.STAFF)
    checkin_list = lists.filter(uid=list_id).first()
    if checkin_list is None:
        raise NotFound("No such check-in list.", code=ErrorCode.LIST_NOT_FOUND)
    return checkin_list


def _device_by_uid(device_id: str) -> Device:
    device = Device.objects.prefetch_related("lists").filter(uid=device_id).first()
    if device is None:
        raise NotFound("No such device.", code=ErrorCode.DEVICE_NOT_FOUND)
    return device


# --- lists (admins) -----------------------------------------------------------------------------


@router.get("/checkin/lists", response=list[CheckinListOut], summary="Check-in lists (staff)")
def list_lists(request: HttpRequest, event: str | None = None) -> list[CheckinList]:
    require_role(request, Role.STAFF)
    lists = CheckinList.objects.select_related("event")
    if event:
        lists = lists.filter(event=event_by_id(event, include_unpublished=True))
    return list(lists)


@router.post(
    "/checkin/lists", response={201: CheckinListOut}, summary="Create a check-in list (admin)"
)
def create_list(request: HttpRequest, payload: CheckinListIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    checkin_list = create_checkin_list(
        event=event_by_id(payload.event, include_unpublished=True),
        name=payload.name,
        categories=payload.categories,
        allow_reentry=payload.allow_reentry,
        actor=actor,
    )
    return Status(201, checkin_list)


@router.patch(
    "/checkin/lists/{list_id}", response=CheckinListOut, summary="Change a check-in list (admin)"
)
def update_list(request: HttpRequest, list_id: str, payload: CheckinListPatch) -> CheckinList:
    actor = require_role(request, Role.ADMIN)
    checkin_list = _list_for(request, list_id)
    changes = payload.dict(exclude_unset=True)
    return update_checkin_list(checkin_list=checkin_list, actor=actor, **changes)


# --- devices (admins) ---------------------------------------------------------------------------


# Before /checkin/devices/{device_id}: URL patterns match in order.
@router.post(
    "/checkin/devices/pair",
    auth=None,
    response=PairedOut,
    throttle=[login_throttle()],
    summary="Exchange a one-time pairing code for the device's token",
)
def pair(request: HttpRequest, payload: PairIn) -> dict:
    device, token = devices.pair_device(code=payload.code)
    return {**device_self_out(request, device), "token": token}


@router.get("/checkin/devices", response=list[DeviceOut], summary="Check-in devices (admin)")
def list_devices(request: HttpRequest) -> list[dict]:
    require_role(request, Role.ADMIN)
    return [device_out(device) for device in Device.objects.prefetch_related("lists")]


@router.post(
    "/checkin/devices",
    response={201: PairingOut},
    summary="Create a device (admin); its one-time pairing code is in this answer only",
)
def create_device(request: HttpRequest, payload: DeviceIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    device, code = devices.create_device(
        name=payload.name, gate=payload.gate, list_uids=payload.lists, actor=actor
    )
    return Status(201, pairing_out(request, device, code))


@router.patch("/checkin/devices/{device_id}", response=DeviceOut, summary="Change a device")
def update_device(request: HttpRequest, device_id: str, payload: DevicePatch) -> dict:
    actor = require_role(request, Role.ADMIN)
    changes = payload.dict(exclude_unset=True)
    if "lists" in changes:
        changes["list_uids"] = changes.pop("lists")
    device = devices.update_device(device=_device_by_uid(device_id), actor=actor, **changes)
    return device_out(_device_by_uid(device.uid))


@router.post(
    "/checkin/devices/{device_id}/pairing-code",
    response=PairingOut,
    summary="A new pairing code (admin); the device's current token stops working",
)
def new_pairing_code(request: HttpRequest, device_id: str) -> dict:
    actor = require_role(request, Role.ADMIN)
    device = _device_by_uid(device_id)
    code = devices.new_pairing_code(device=device, actor=actor)
    return pairing_out(request, device, code)


@router.post(
    "/checkin/devices/{device_id}/revoke", response=DeviceOut, summary="Revoke a device (admin)"
)
def revoke_device(request: HttpRequest, device_id: str) -> dict:
    actor = require_role(request, Role.ADMIN)
    return device_out(devices.revoke_device(device=_device_by_uid(device_id), actor=actor))


# --- the device itself --------------------------------------------------------------------------


@router.get(
    "/checkin/device",
    auth=device_auth,
    response=DeviceSelfOut,
    summary="This device: its lists and the organizer's public keys",
)
def device_self(request: HttpRequest) -> dict:
    return device_self_out(request, request.device)  # type: ignore[attr-defined]


@router.post(
    "/checkin/device/token",
    auth=device_auth,
    response=TokenOut,
    summary="Rotate this device's token (the old one stops working at once)",
)
def rotate_token(request: HttpRequest) -> dict:
    return {"token": devices.rotate_device_token(device=request.device)}  # type: ignore[attr-defined]


@router.get(
    "/checkin/lists/{list_id}/manifest",
    auth=device_or_member,
    summary="Offline manifest: keys, tickets, revocations, admitted set; delta with ?cursor=",
    description=(
        "JSON, gzip-compressed when the client accepts it, with a weak ETag "
        "(If-None-Match answers 304: keep your cursor). Format: checkin/README.md."
    ),
)
def manifest(request: HttpRequest, list_id: str, cursor: str | None = None) -> HttpResponse:
    built = selectors.build_manifest(_list_for(request, list_id), cursor=cursor)
    if request.headers.get("If-None-Match") == built.etag:
        response = HttpResponse(status=304)
    else:
        body = json.dumps(built.body, separators=(",", ":")).encode()
        response = HttpResponse(body, content_type="application/json")
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response.content = gzip.compress(body, compresslevel=6)
            response["Content-Encoding"] = "gzip"
        response["X-Manifest-Cursor"] = built.body["cursor"]
    response["ETag"] = built.etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Accept-Encoding", "Authorization"])
    return response


@router.post(
    "/checkin/lists/{list_id}/scans",
    auth=device_auth,
    response=ScanOut,
    summary="Scan one ticket online: verdict, and admission (first scan wins)",
)
def scan(request: HttpRequest, list_id: str, payload: ScanIn) -> dict:
    result = scan_ticket(
        device=request.device,  # type: ignore[attr-defined]
        checkin_list=_list_for(request, list_id),
        payload=payload.payload,
        nonce=payload.nonce,
        scanned_at=payload.scanned_at,
        direction=payload.direction,
        gate=payload.gate,
    )
    return scan_out(result)


@router.post(
    "/checkin/lists/{list_id}/scans/batch",
    auth=device_auth,
    response=BatchOut,
    summary="Upload offline scans (idempotent by nonce); the server's verdicts",
)
def scan_batch(request: HttpRequest, list_id: str, payload: BatchIn) -> dict:
    results = upload_offline_scans(
        organizer=request.tenant,
        device=request.device,  # type: ignore[attr-defined]
        checkin_list=_list_for(request, list_id),
        device_time=payload.device_time,
        scans=[
            OfflineScan(
                nonce=item.nonce,
                payload=item.payload,
                scanned_at=item.scanned_at,
                direction=item.direction,
                device_verdict=item.device_verdict,
                override_credential=item.override.credential if item.override else "",
                override_reason=item.override.reason if item.override else "",
                gate=item.gate,
            )
            for item in payload.scans
        ],
    )
    return {"results": [scan_out(result) for result in results]}


# --- console: scans, overrides, credentials, counts ---------------------------------------------


@router.get(
    "/checkin/lists/{list_id}/scans",
    response=list[ScanOut],
    summary="Recent scans of a list (staff); ?conflicts=true for conflicts only",
)
def list_scans(
    request: HttpRequest, list_id: str, conflicts: bool = False, limit: int = 100
) -> list[dict]:
    checkin_list = _list_for(request, list_id)
    scans = Scan.objects.filter(checkin_list=checkin_list).select_related("ticket__item")
    if conflicts:
        scans = scans.filter(conflict=True)
    return [
        scan_out(ScanResult(scan=scan, ticket=scan.ticket))
        for scan in scans[: max(1, min(limit, 1000))]
    ]


@router.post(
    "/checkin/scans/{scan_id}/override",
    auth=device_or_member,
    response=OverrideOut,
    summary="Admit a denied scan (supervisor or admin; a device sends a staff credential)",
)
def override(request: HttpRequest, scan_id: str, payload: OverrideIn) -> dict:
    device = _device(request)
    scans = Scan.objects.select_related("ticket__item", "checkin_list")
    if device is not None:
        scans = scans.filter(checkin_list__devices=device)
    found = scans.filter(uid=scan_id).first()
    if found is None:
        raise NotFound("No such scan.", code=ErrorCode.SCAN_NOT_FOUND)
    result = override_scan(
        organizer=request.tenant,
        scan=found,
        reason=payload.reason,
        actor=None if device is not None else request.auth,
        device=device,
        staff_credential=payload.staff_credential,
    )
    return {
        "scan": scan_out(ScanResult(scan=found, ticket=found.ticket)),
        "by": result.actor_label,
        "reason": result.reason,
        "original_verdict": result.original_verdict,
        "created_at": result.created_at,
    }


@router.post(
    "/checkin/staff-credentials",
    response={201: StaffCredentialOut},
    summary="A short-lived signed credential for offline overrides (supervisor or admin)",
)
def staff_credential(request: HttpRequest, payload: StaffCredentialIn) -> Status:
    actor = require_role(request, Role.STAFF, supervisor=True)
    text, credential = issue_staff_credential(
        organizer=request.tenant, actor=actor, lifetime=timedelta(hours=payload.hours)
    )
    return Status(
        201,
        {
            "credential": text,
            "id": credential.id,
            "name": credential.name,
            "expires_at": credential.expires_at,
        },
    )


@router.get(
    "/checkin/lists/{list_id}/counts",
    auth=device_or_member,
    response=CountsOut,
    summary="Live counts of a list: tickets, admitted, inside, per gate",
)
def counts(request: HttpRequest, list_id: str) -> dict:
    return selectors.list_counts(_list_for(request, list_id))
