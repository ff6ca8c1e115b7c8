"""Check-in: lists, door devices, scans, admissions and overrides. In each organizer's schema.

Design notes: checkin/README.md.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from boxoffice.events.models import Event
from boxoffice.tickets.models import Ticket
from boxoffice.tickets.payload import PayloadFailure
from seatmaps.models import new_uid


def list_uid() -> str:
    return new_uid("chl_")


def device_uid() -> str:
    return new_uid("dev_")


def scan_uid() -> str:
    return new_uid("scn_")


class CheckinList(models.Model):
    """Which tickets of an event a door admits: those of `categories` (empty: every category)."""

    uid = models.CharField(max_length=20, unique=True, default=list_uid, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="checkin_lists")
    name = models.CharField(max_length=100)
    categories = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    allow_reentry = models.BooleanField(
        default=False, help_text="A ticket scanned out may come back in."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="checkin_list_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def admits_category(self, category: str) -> bool:
        return not self.categories or category in self.categories


class Device(models.Model):
    """A phone or scanner at a door. Paired once with a one-time code, then it sends
    `Authorization: Device <token>`; both are stored as SHA-256 only."""

    uid = models.CharField(max_length=20, unique=True, default=device_uid, editable=False)
    name = models.CharField(max_length=100)
    gate = models.CharField(max_length=64, blank=True, help_text="Where it stands; for counts.")
    lists = models.ManyToManyField(CheckinList, blank=True, related_name="devices")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_prefix = models.CharField(max_length=8, blank=True)
    pairing_code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    pairing_expires_at = models.DateTimeField(null=True, blank=True)
    paired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def gate_label(self) -> str:
        return self.gate or self.name


class Scan(models.Model):
    """One scan as a device reported it, with the verdict the server gave it. Online scans get
    their verdict on arrival, offline ones at sync (recomputed by the server)."""

    class Direction(models.TextChoices):
        ENTRY = "entry", "Entry"
        EXIT = "exit", "Exit"

    class Mode(models.TextChoices):
        ONLINE = "online", "Online"
        OFFLINE = "offline", "Offline, uploaded later"
        CONSOLE = "console", "Console"

    class Verdict(models.TextChoices):
        """Every answer a scan gets, the one list of them (the device app mirrors it in
        static/checkin/verify.js and app.js)."""

        OK = "ok", "Admitted"
        ALREADY_ADMITTED = "already_admitted", "Already admitted"
        REVOKED = "revoked", "Revoked"
        INVALID_SIGNATURE = (
            PayloadFailure.INVALID_SIGNATURE.value,
            "Invalid signature or not a ticket",
        )
        UNKNOWN_KEY = PayloadFailure.UNKNOWN_KEY.value, "Unknown signing key"
        WRONG_EVENT = "wrong_event", "Ticket for another event"
        WRONG_CATEGORY = "wrong_category", "Category not on this list"
        NOT_PAID = "not_paid", "Order not paid"
        PAYMENT_DISPUTED = "payment_disputed", "Payment disputed"
        NOT_FOUND = "not_found", "No such ticket"
        NOT_INSIDE = "not_inside", "Exit of a ticket that is not inside"

    uid = models.CharField(max_length=20, unique=True, default=scan_uid, editable=False)
    checkin_list = models.ForeignKey(CheckinList, on_delete=models.PROTECT, related_name="scans")
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="scans"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="scans"
    )
    payload = models.CharField(max_length=160)
    nonce = models.CharField(max_length=64)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    mode = models.CharField(max_length=8, choices=Mode.choices)
    gate = models.CharField(max_length=100, blank=True)
    scanned_at = models.DateTimeField(help_text="As the device's clock said.")
    effective_at = models.DateTimeField(
        help_text="When it happened for ordering: arrival for online scans, the device time "
        "corrected by its clock offset for offline ones."
    )
    received_at = models.DateTimeField(auto_now_add=True)
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    conflict = models.BooleanField(
        default=False, help_text="An entry that lost to an earlier one of the same ticket."
    )
    conflict_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(default=False, help_text="Uploaded long after it happened.")
    overridden = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Idempotency: a device's retry of a scan is the same scan.
            models.UniqueConstraint(
                fields=["device", "nonce"],
                condition=Q(device__isnull=False),
                name="scan_device_nonce_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["checkin_list", "received_at"]),
            models.Index(
                fields=["checkin_list"], condition=Q(conflict=True), name="scan_list_conflicts"
            ),
            models.Index(fields=["ticket"], name="scan_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.uid} {self.verdict}"

    @property
    def admitted(self) -> bool:
        return self.direction == self.Direction.ENTRY and (
            self.verdict == self.Verdict.OK or self.overridden
        )


class Admission(models.Model):
    """Whether a ticket is in through a list: one row per (list, ticket), locked while a scan
    decides, so the first entry wins however many doors scan at once. `change_xid` (set by a
    trigger) drives the manifest's admitted-set delta."""

    checkin_list = models.ForeignKey(
        CheckinList, on_delete=models.PROTECT, related_name="admissions"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="admissions")
    inside = models.BooleanField(default=True)
    first_scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    admitted_at = models.DateTimeField(help_text="When the winning first entry happened.")
    entries = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    change_xid = models.BigIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin_list", "ticket"], name="admission_list_ticket_unique"
            )
        ]
        indexes = [models.Index(fields=["checkin_list", "change_xid"], name="admission_change")]

    def __str__(self) -> str:
        return f"{self.ticket_id} via {self.checkin_list_id}"


class Override(models.Model):
    """A supervisor's or admin's decision to admit a denied scan, with the reason."""

    scan = models.OneToOneField(Scan, on_delete=models.PROTECT, related_name="override")
    actor_kind = models.CharField(max_length=16)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254)
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="overrides"
    )
    reason = models.CharField(max_length=500)
    original_verdict = models.CharField(max_length=24)
    offline = models.BooleanField(default=False, help_text="Under a staff credential.")
    credential_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"override of {self.scan_id} by {self.actor_label}"
