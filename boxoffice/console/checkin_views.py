"""Check-in in the console: lists, devices with their pairing QR, live counts, scans with
conflicts and overrides. Every write is a checkin.services call, as the check-in API makes it;
devices and scans are shaped by the API's own presenters (checkin/presenters.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from boxoffice.console.shell import admin_only, is_admin, page, staff_only
from boxoffice.errors import DomainError
from boxoffice.events.models import Event
from checkin import selectors
from checkin.models import CheckinList, Device, Scan
from checkin.presenters import device_out, pairing_out, scan_out
from checkin.services.devices import create_device, new_pairing_code, revoke_device
from checkin.services.lists import create_checkin_list
from checkin.services.overrides import override_scan
from checkin.services.scans import ScanResult
from tenants.permissions import may_supervise

OPEN_EVENTS = (Event.Status.DRAFT, Event.Status.ON_SALE, Event.Status.PAUSED)


class ListForm(forms.Form):
    event = forms.ChoiceField()
    name = forms.CharField(max_length=100, initial="Main entrance")
    categories = forms.CharField(
        required=False, help_text="Category keys that enter here, space-separated; empty: all."
    )
    allow_reentry = forms.BooleanField(required=False, label="Allow re-entry")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        events = Event.objects.filter(status__in=OPEN_EVENTS).order_by("starts_at")
        self.fields["event"].choices = [(event.uid, event.title) for event in events]


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. North door phone 1")
    gate = forms.CharField(max_length=64, required=False)
    lists = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = [
            (checkin_list.uid, f"{checkin_list.event.title}: {checkin_list.name}")
            for checkin_list in CheckinList.objects.select_related("event")
        ]


def _device(uid: str) -> Device:
    return get_object_or_404(Device.objects.prefetch_related("lists"), uid=uid)


@staff_only
def checkin_home(request: HttpRequest) -> HttpResponse:
    admin = is_admin(request)
    list_form = ListForm(request.POST if "create_list" in request.POST else None, prefix="list")
    device_form = DeviceForm(
        request.POST if "create_device" in request.POST else None, prefix="device"
    )
    pairing = None
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("This needs the admin role.")
        try:
            if list_form.is_bound and list_form.is_valid():
                data = list_form.cleaned_data
                create_checkin_list(
                    event=Event.objects.get(uid=data["event"]),
                    name=data["name"],
                    categories=data["categories"].split(),
                    allow_reentry=data["allow_reentry"],
                    actor=request.actor,
                )
                messages.success(request, "List created.")
                return redirect("console:checkin")
            if device_form.is_bound and device_form.is_valid():
                data = device_form.cleaned_data
                device, code = create_device(
                    name=data["name"], gate=data["gate"], list_uids=data["lists"],
                    actor=request.actor,
                )  # fmt: skip
                pairing = pairing_out(request, _device(device.uid), code)
                device_form = DeviceForm(prefix="device")
        except DomainError as error:
            messages.error(request, error.message)
    lists = CheckinList.objects.select_related("event").order_by("-event__starts_at", "name")
    devices = (
        [device_out(device) for device in Device.objects.prefetch_related("lists")] if admin else []
    )
    return page(
        request,
        "console/checkin.html",
        {
            "lists": lists,
            "devices": devices,
            "list_form": list_form,
            "device_form": device_form,
            "pairing": pairing,
        },
        section="checkin",
    )


@admin_only
@require_POST
def device_action(request: HttpRequest, device_id: str, action: str) -> HttpResponse:
    device = _device(device_id)
    pairing = None
    try:
        if action == "revoke":
            revoke_device(device=device, actor=request.actor)
            messages.success(request, f"{device.name} is revoked; its token no longer works.")
        elif action == "pairing-code":
            code = new_pairing_code(device=device, actor=request.actor)
            pairing = pairing_out(request, _device(device.uid), code)
        else:
            raise Http404("No such action.")
    except DomainError as error:
        messages.error(request, error.message)
    if pairing is None:
        return redirect("console:checkin")
    return page(request, "console/checkin_pairing.html", {"pairing": pairing}, section="checkin")


def _list(uid: str) -> CheckinList:
    return get_object_or_404(CheckinList.objects.select_related("event"), uid=uid)


@staff_only
def checkin_list(request: HttpRequest, list_id: str) -> HttpResponse:
    found = _list(list_id)
    conflicts_only = request.GET.get("conflicts") == "1"
    scans = Scan.objects.filter(checkin_list=found).select_related("ticket__item", "device")
    if conflicts_only:
        scans = scans.filter(conflict=True)
    rows = [
        {**scan_out(ScanResult(scan=scan, ticket=scan.ticket)), "device": scan.device}
        for scan in scans.order_by("-received_at")[:100]
    ]
    context = {
        "checkin_list": found,
        "counts": selectors.list_counts(found),
        "scans": rows,
        "conflicts_only": conflicts_only,
        "may_override": may_supervise(request.actor),
    }
    if request.htmx and request.htmx.target == "live-counts":
        return page(request, "console/_checkin_counts.html", context)
    return page(request, "console/checkin_list.html", context, section="checkin")


@staff_only
@require_POST
def scan_override(request: HttpRequest, list_id: str, scan_id: str) -> HttpResponse:
    found = _list(list_id)
    scan = get_object_or_404(Scan, checkin_list=found, uid=scan_id)
    try:
        override_scan(
            organizer=request.tenant,
            scan=scan,
            reason=request.POST.get("reason", ""),
            actor=request.actor,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Admitted by override.")
    return redirect("console:checkin_list", list_id=found.uid)
