from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from boxoffice.inputs import ClientDateTime
from checkin.models import CheckinList, Scan


class CheckinListIn(Schema):
    event: str = Field(description="Event uid or slug.")
    name: str = Field(max_length=100)
    categories: list[str] = Field(default_factory=list, description="Empty: every category.")
    allow_reentry: bool = False


class CheckinListPatch(Schema):
    """Absent fields stay; none may be null (boxoffice.inputs)."""

    name: str = Field(default=None, max_length=100)
    categories: list[str] = None
    allow_reentry: bool = None


# Read from a `CheckinList` (its event selected with it). No docstring: it would become the
# schema's description in the OpenAPI document.
class CheckinListOut(Schema):
    id: str
    event: str
    name: str
    categories: list[str]
    allow_reentry: bool
    created_at: datetime

    @staticmethod
    def resolve_id(checkin_list: CheckinList) -> str:
        return checkin_list.uid

    @staticmethod
    def resolve_event(checkin_list: CheckinList) -> str:
        return checkin_list.event.uid


class DeviceIn(Schema):
    name: str = Field(max_length=100)
    gate: str = Field(default="", max_length=64)
    lists: list[str] = Field(default_factory=list, description="Check-in list ids.")


class DevicePatch(Schema):
    """Absent fields stay; none may be null (boxoffice.inputs)."""

    name: str = Field(default=None, max_length=100)
    gate: str = Field(default=None, max_length=64)
    lists: list[str] = None


class DeviceOut(Schema):
    id: str
    name: str
    gate: str
    lists: list[str]
    paired: bool
    paired_at: datetime | None
    revoked_at: datetime | None
    last_seen_at: datetime | None
    pairing_expires_at: datetime | None


class PairingOut(DeviceOut):
    pairing_code: str = Field(description="One-time; shown in this answer only.")
    pairing_url: str
    pairing_qr_svg: str


class PairIn(Schema):
    code: str = Field(max_length=40)


class PublicKeyOut(Schema):
    key_id: int
    public_key: str = Field(description="Raw 32-byte Ed25519 public key, base64.")
    status: str


class DeviceSelfOut(Schema):
    id: str
    name: str
    gate: str
    organizer: str
    lists: list[CheckinListOut]
    keys: list[PublicKeyOut]


class PairedOut(DeviceSelfOut):
    token: str = Field(description="Send as `Authorization: Device <token>`; shown once.")


class TokenOut(Schema):
    token: str


class ScanIn(Schema):
    payload: str = Field(max_length=400)
    nonce: str = Field(max_length=64, description="Random, unique per scan (8-64 chars).")
    scanned_at: ClientDateTime
    direction: Literal["entry", "exit"] = "entry"
    gate: str = Field(
        default="",
        max_length=64,
        description="The gate chosen on the device; default: the device's.",
    )


# No base shared with payments' _TicketItem: its `seat` is the seat's key, here it is the place
# people read (its `label`), and the field descriptions differ; a base would change both APIs.
class TicketInfo(Schema):
    id: int
    uid: str
    seat: str = Field(
        ..., description="The place as people read it: Stalls Centre, row E, seat 108"
    )
    category: str = Field(..., description="The category's key, as check-in lists name them")
    category_name: str = Field(..., description="The category's name as people read it")
    description: str = Field(
        ...,
        description="What the door screen shows: place · category · ticket type, names only "
        "(Stalls Centre, row E, seat 108 · Premium · Adult)",
    )
    holder_name: str


class FirstEntryOut(Schema):
    at: datetime
    gate: str
    device: str | None
    scan: str


class ScanOut(Schema):
    id: str
    nonce: str
    verdict: str
    admitted: bool
    message: str
    direction: str
    mode: str
    ticket: TicketInfo | None
    first_entry: FirstEntryOut | None = Field(description="For already_admitted: when and where.")
    replay: bool = Field(description="This nonce was seen before; the stored answer.")
    conflict: bool
    late: bool
    overridden: bool
    override_error: str = ""
    scanned_at: datetime
    received_at: datetime


class OfflineOverrideIn(Schema):
    credential: str = Field(max_length=1024)
    reason: str = Field(max_length=500)


class OfflineScanIn(ScanIn):
    device_verdict: str = Field(
        default=Scan.Verdict.OK.value,
        max_length=24,
        description="What the device showed ('ok': let in).",
    )
    override: OfflineOverrideIn | None = None


class BatchIn(Schema):
    device_time: ClientDateTime | None = Field(
        default=None, description="The device's clock when sending, to correct its offset."
    )
    scans: list[OfflineScanIn] = Field(max_length=1000)


class BatchOut(Schema):
    results: list[ScanOut]


class OverrideIn(Schema):
    reason: str = Field(max_length=500)
    staff_credential: str = Field(
        default="", max_length=1024, description="Needed when a device calls."
    )


class OverrideOut(Schema):
    scan: ScanOut
    by: str
    reason: str
    original_verdict: str
    created_at: datetime


class StaffCredentialIn(Schema):
    hours: float = Field(default=8, gt=0, le=12)


class StaffCredentialOut(Schema):
    credential: str
    id: str
    name: str
    expires_at: datetime


class GateCountOut(Schema):
    gate: str
    entries: int
    exits: int
    denied: int
    overrides: int
    conflicts: int


class CountsOut(Schema):
    list: str
    name: str
    tickets: int
    admitted: int
    inside: int
    overrides: int
    conflicts: int
    gates: list[GateCountOut]
    at: datetime
