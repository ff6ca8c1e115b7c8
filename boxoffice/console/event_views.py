"""Events in the console: create from a published map, edit, price, open/pause/cancel and block
seats. Writes go through boxoffice.events.services (events, pricing) and payments.services, as
the API's."""

import json
import zoneinfo
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from boxoffice.console.shell import admin_only, page, staff_only
from boxoffice.currencies import format_money, from_minor, to_minor
from boxoffice.errors import DomainError, NotFound
from boxoffice.events import selectors
from boxoffice.events.models import Event
from boxoffice.events.prices import price_table
from boxoffice.events.services import events as event_services
from boxoffice.events.services import pricing
from boxoffice.payments.services.refunds import cancel_event
from boxoffice.sales import reports
from boxoffice.sales.error_codes import ErrorCode as SalesCode
from boxoffice.sales.models import PAID_STATUSES, Order
from boxoffice.times import format_time, local, typed_time, zone_label, zone_of
from seatmaps import selectors as seatmap_selectors
from seatmaps.models import SeatMap

TIME_FIELDS = ("starts_at", "ends_at", "sales_start", "sales_end")


class WallClockField(forms.DateTimeField):
    """A typed date and time kept as the wall-clock time it is (naive): the form, not the
    server's or the organizer's zone, decides which zone it means (the event's)."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local", "data-event-time": ""}, format="%Y-%m-%dT%H:%M"
    )

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        # Not ISO: the field's input formats (what Django's own DateTimeField accepts).
        return parsed or forms.BaseTemporalField.to_python(self, value)


def _event(event_id: str) -> Event:
    try:
        return selectors.event_by_id(event_id, include_unpublished=True)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def parse_refund_policy(text: str) -> list[dict[str, int]]:
    """Lines of "<days> <percent>", e.g. "30 100" (a full refund up to 30 days before)."""
    tiers = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace("%", " ").replace(":", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            raise forms.ValidationError(f"Line {number}: write days and percent, e.g. 30 100.")
        tiers.append({"days_before": int(parts[0]), "percent": int(parts[1])})
    return tiers


def format_refund_policy(tiers: list[dict]) -> str:
    return "\n".join(f"{tier['days_before']} {tier['percent']}" for tier in tiers)


class EventForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    category = forms.ChoiceField(choices=Event.Category.choices, initial=Event.Category.OTHER)
    starts_at = WallClockField(label="Starts")
    ends_at = WallClockField(label="Ends")
    sales_start = WallClockField(required=False, label="Sales open")
    sales_end = WallClockField(required=False, label="Sales close")
    max_seats_per_order = forms.IntegerField(min_value=1, max_value=50, initial=6)
    hold_minutes = forms.IntegerField(
        min_value=1, max_value=60, initial=10, label="Hold time (minutes)"
    )
    fee_per_ticket = forms.DecimalField(
        min_value=0, decimal_places=2, initial=0, label="Fee per ticket"
    )
    tax_rate = forms.DecimalField(min_value=0, max_value=100, decimal_places=2, initial=0)
    tax_inclusive = forms.BooleanField(required=False, initial=True, label="Prices include tax")
    refund_policy = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One tier a line: days before the start, percent refunded (e.g. 30 100, "
        "then 7 50). Empty: customers cannot cancel themselves.",
    )

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if event is not None:
            self.note_zone(f"In {zone_label(event)}, the event's time zone.")

    def note_zone(self, text: str) -> None:
        """Say next to each time field which zone a typed time means."""
        for name in TIME_FIELDS:
            self.fields[name].help_text = text

    def zone(self, data: dict) -> str | None:
        """The zone typed times mean: the event's."""
        return self.event.timezone if self.event is not None else None

    def clean_refund_policy(self) -> list[dict[str, int]]:
        return parse_refund_policy(self.cleaned_data["refund_policy"])

    def clean(self) -> dict:
        data = super().clean()
        zone = self.zone(data)
        if zone is None:
            return data
        for name in TIME_FIELDS:
            typed = data.get(name)
            if typed is None:
                continue
            stored = getattr(self.event, name, None) if self.event is not None else None
            if stored is not None and _shown(stored, zone) == typed.replace(
                second=0, microsecond=0
            ):
                # Unchanged in the form: keep the stored moment itself (its seconds, and the
                # right one of a wall time that happens twice), so saving moves nothing.
                data[name] = stored
                continue
            try:
                data[name] = typed_time(typed, zone)
            except DomainError as error:
                self.add_error(name, error.message)
        return data

    def fields_for_service(self, currency: str) -> dict:
        data = dict(self.cleaned_data)
        data["fee_per_ticket"] = to_minor(data["fee_per_ticket"], currency)
        return data


class NewEventForm(EventForm):
    seat_map = forms.ChoiceField(label="Seat map (latest published version)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published = (
            SeatMap.objects.filter(versions__isnull=False)
            .select_related("venue")
            .distinct()
            .order_by("venue__name", "name")
        )
        self.fields["seat_map"].choices = [
            (seat_map.uid, f"{seat_map.venue.name} — {seat_map.name} ({seat_map.venue.timezone})")
            for seat_map in published
        ]
        # Each map's venue zone, for the note by the time fields (and the page's script, which
        # updates the note when another map is chosen).
        self.zones = {seat_map.uid: seat_map.venue.timezone for seat_map in published}
        self.fields["seat_map"].widget.attrs["data-venue-zones"] = json.dumps(self.zones)
        # Unbound, the select shows its first map.
        chosen = self.zones.get(self.data.get("seat_map") or next(iter(self.zones), ""))
        if chosen:
            self.note_zone(f"In {chosen}, the venue's time zone.")

    def zone(self, data: dict) -> str | None:
        """A new event's times mean its venue's zone."""
        return self.zones.get(data.get("seat_map", ""))


def _shown(value: datetime, zone: str) -> datetime:
    """How a stored moment shows in a time field: its wall clock in the zone, to the minute."""
    return local(value, zone).replace(tzinfo=None, second=0, microsecond=0)


def _initial(event: Event, currency: str) -> dict:
    initial = {
        name: getattr(event, name)
        for name in ("title", "description", "category", "max_seats_per_order", "hold_minutes")
    }
    for name in TIME_FIELDS:
        value = getattr(event, name)
        initial[name] = _shown(value, event.timezone) if value else None
    initial["fee_per_ticket"] = from_minor(event.fee_per_ticket, currency)
    initial["tax_rate"] = event.tax_rate
    initial["tax_inclusive"] = event.tax_inclusive
    initial["refund_policy"] = format_refund_policy(event.refund_policy)
    return initial


@staff_only
def event_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    events = Event.objects.select_related("venue").order_by("-starts_at", "-id")
    if status in Event.Status.values:
        events = events.filter(status=status)
    return page(
        request,
        "console/events.html",
        {"events": events[:200], "status": status, "statuses": Event.Status.choices},
        section="events",
    )


@admin_only
def event_new(request: HttpRequest) -> HttpResponse:
    organizer = request.tenant
    form = NewEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.fields_for_service(organizer.currency)
        try:
            seat_map = seatmap_selectors.seat_map_by_uid(data.pop("seat_map"))
            version = seatmap_selectors.latest_version(seat_map)
            event = event_services.create_event(
                actor=request.actor,
                seat_map_version=version,
                timezone_name=seat_map.venue.timezone,
                **data,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Event created as a draft. Now set its prices.")
            return redirect("console:event_prices", event_id=event.uid)
    return page(request, "console/event_form.html", {"form": form, "new": True}, section="events")


@admin_only
def event_edit(request: HttpRequest, event_id: str) -> HttpResponse:
    event = _event(event_id)
    form = EventForm(
        request.POST or None, event=event, initial=_initial(event, request.tenant.currency)
    )
    if request.method == "POST" and form.is_valid():
        data = form.fields_for_service(request.tenant.currency)
        try:
            event_services.update_event(actor=request.actor, event=event, changes=data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("console:event", event_id=event.uid)
    return page(
        request, "console/event_form.html", {"form": form, "event": event}, section="events"
    )


# What each status change does to customers, as the event page offers it (cancelling has its own
# confirmation form). Which changes an event allows is events.services.events.allowed_actions.
ACTION_TEXT = {
    "publish": {"label": "Put on sale", "note": "Customers can buy at once."},
    "pause": {"label": "Pause sales", "note": "No new holds or checkouts; orders stay valid."},
    "complete": {"label": "Close", "note": "Sales end for good; tickets stay."},
}


def _status_actions(event: Event) -> list[dict]:
    """The transitions this event allows, each with what it does to customers."""
    return [
        {"action": action, **ACTION_TEXT[action]}
        for action in event_services.allowed_actions(event)
        if action in ACTION_TEXT
    ]


def _named_prices(table: dict) -> tuple[list[dict], list[str]]:
    """The price table's rows and its unpriced categories by the names people read, not keys."""
    categories = {category["key"]: category["name"] for category in table["categories"]}
    types = {ticket_type["code"]: ticket_type["name"] for ticket_type in table["ticket_types"]}
    phases = {phase["code"]: phase["name"] for phase in table["phases"]}
    rows = [
        {
            "category": categories.get(category, category),
            "ticket_type": types.get(price["ticket_type"], price["ticket_type"]),
            "phase": phases.get(price["phase"], price["phase"]),
            "amount": price["amount"],
        }
        for category, prices in table["prices"].items()
        for price in prices
    ]
    return rows, [categories.get(key, key) for key in table["missing"]]


@staff_only
def event_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    event = _event(event_id)
    report = reports.event_report(event)
    table = price_table(event=event)
    prices, unpriced = _named_prices(table)
    currency = request.tenant.currency
    paid = Order.objects.filter(event=event, status__in=PAID_STATUSES)
    cancellation = {
        "orders": paid.count(),
        "amount": format_money(
            sum(order.total - order.refunded for order in paid.only("total", "refunded")),
            currency,
        ),
    }
    return page(
        request,
        "console/event.html",
        {
            "event": event,
            "report": report,
            "prices": prices,
            "unpriced": unpriced,
            "currency": currency,
            "actions": _status_actions(event),
            "cancellable": "cancel" in event_services.allowed_actions(event),
            "cancellation": cancellation,
        },
        section="events",
    )


@admin_only
@require_POST
def event_status(request: HttpRequest, event_id: str, action: str) -> HttpResponse:
    event = _event(event_id)
    try:
        if action == "cancel":
            if request.POST.get("confirm") != event.slug:
                messages.error(request, "Type the event's short name to confirm the cancellation.")
                return redirect("console:event", event_id=event.uid)
            _, count = cancel_event(event=event, actor=request.actor)
            messages.success(request, f"Cancelled. {count} paid order(s) are being refunded.")
        elif action in ACTION_TEXT:
            event_services.change_event_status(actor=request.actor, event=event, action=action)
            messages.success(request, "Done.")
        else:
            messages.error(request, "Unknown action.")
    except DomainError as error:
        detail = error.details.get("categories")
        messages.error(request, error.message + (f" ({', '.join(detail)})" if detail else ""))
    return redirect("console:event", event_id=event.uid)


# --- prices -------------------------------------------------------------------------------------


def _parse_named_lines(text: str, *, with_until: bool, zone: zoneinfo.ZoneInfo) -> list[dict]:
    """Lines of "code: Name" (phases: "code: Name: YYYY-MM-DD HH:MM", the last without a date)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(":", 1 if not with_until else 2)]
        if with_until and len(parts) == 3 and parts[2].count(":") == 0 and parts[2]:
            raise forms.ValidationError(f"Line {number}: the date needs a time, HH:MM.")
        if len(parts) < 2 or not parts[0]:
            raise forms.ValidationError(f"Line {number}: write code: Name.")
        item = {"code": parts[0], "name": parts[1]}
        if with_until:
            until = None
            if len(parts) == 3 and parts[2]:
                try:
                    until = typed_time(datetime.fromisoformat(parts[2]), zone)
                except ValueError as exc:
                    raise forms.ValidationError(
                        f"Line {number}: the date is YYYY-MM-DD HH:MM."
                    ) from exc
                except DomainError as error:
                    raise forms.ValidationError(f"Line {number}: {error.message}") from error
            item["until"] = until
        found.append(item)
    return found


@admin_only
def event_prices(request: HttpRequest, event_id: str) -> HttpResponse:
    event = _event(event_id)
    currency = request.tenant.currency
    zone = zone_of(event)
    table = price_table(event=event)
    errors: list[str] = []
    if request.method == "POST":
        try:
            ticket_types = _parse_named_lines(
                request.POST.get("ticket_types", ""), with_until=False, zone=zone
            )
            phases = _parse_named_lines(request.POST.get("phases", ""), with_until=True, zone=zone)
            prices = []
            for key, value in request.POST.items():
                if not key.startswith("price|") or not value.strip():
                    continue
                _, category, ticket_type, phase = key.split("|", 3)
                try:
                    amount = to_minor(Decimal(value.strip()), currency)
                except InvalidOperation as exc:
                    raise forms.ValidationError(f"'{value}' is not an amount.") from exc
                prices.append(
                    {"category": category, "ticket_type": ticket_type, "phase": phase,
                     "amount": amount}
                )  # fmt: skip
            known_types = {item["code"] for item in ticket_types}
            known_phases = {item["code"] for item in phases}
            prices = [
                price for price in prices
                if price["ticket_type"] in known_types and price["phase"] in known_phases
            ]  # fmt: skip
            pricing.set_price_table(
                actor=request.actor,
                event=event,
                ticket_types=ticket_types,
                phases=phases,
                prices=prices,
            )
        except forms.ValidationError as error:
            errors.extend(error.messages)
        except DomainError as error:
            errors.append(error.message)
            errors.extend(
                problem.get("message", str(problem)) if isinstance(problem, dict) else str(problem)
                for problem in error.details.get("problems", [])
            )
        else:
            messages.success(request, "Prices saved.")
            return redirect("console:event_prices", event_id=event.uid)
        types_text = request.POST.get("ticket_types", "")
        phases_text = request.POST.get("phases", "")
    else:
        types_text = "\n".join(f"{t['code']}: {t['name']}" for t in table["ticket_types"])
        phases_text = "\n".join(
            f"{p['code']}: {p['name']}"
            + (f": {format_time(p['until'], zone, 'input')}" if p["until"] else "")
            for p in table["phases"]
        )
        if not table["ticket_types"]:
            types_text = "adult: Adult"
        if not table["phases"]:
            phases_text = "regular: Regular"
    amounts = {
        (category, price["ticket_type"], price["phase"]): from_minor(price["amount"], currency)
        for category, rows in table["prices"].items()
        for price in rows
    }
    grid = [
        {
            "category": category,
            "cells": [
                {
                    "name": f"price|{category['key']}|{ticket_type['code']}|{phase['code']}",
                    "label": f"{category['name']}, {ticket_type['name']}, {phase['name']}",
                    "value": amounts.get((category["key"], ticket_type["code"], phase["code"])),
                }
                for phase in table["phases"]
                for ticket_type in table["ticket_types"]
            ],
        }
        for category in table["categories"]
    ]
    columns = [
        (phase, ticket_type) for phase in table["phases"] for ticket_type in table["ticket_types"]
    ]
    return page(
        request,
        "console/event_prices.html",
        {
            "event": event,
            "table": table,
            "grid": grid,
            "columns": columns,
            "types_text": types_text,
            "phases_text": phases_text,
            "errors": errors,
            "currency": currency,
        },
        section="events",
    )


# --- blocking seats -----------------------------------------------------------------------------


@admin_only
def event_seats(request: HttpRequest, event_id: str) -> HttpResponse:
    event = _event(event_id)
    if request.method == "POST":
        refs = [ref for ref in request.POST.get("seats", "").split() if ref]
        action = request.POST.get("action")
        try:
            if action in ("release_access", "keep_access"):
                # Chosen seats, or every wheelchair space and companion seat when none are.
                released = action == "release_access"
                done = event_services.set_access_released(
                    actor=request.actor, event=event, released=released, refs=refs or None
                )
                messages.success(
                    request,
                    f"{len(done)} wheelchair space(s) and companion seat(s) "
                    + (
                        "released for general sale." if released else "kept for accessible seating."
                    ),
                )
                return redirect("console:event_seats", event_id=event.uid)
            if not refs:
                raise NotFound("Choose seats on the map first.", code=SalesCode.NO_SEATS)
            if action == "unblock":
                done = event_services.unblock_seats(actor=request.actor, event=event, refs=refs)
                messages.success(request, f"Unblocked {len(done)} seat(s).")
            else:
                done = event_services.block_seats(actor=request.actor, event=event, refs=refs)
                skipped = len(refs) - len(done)
                messages.success(
                    request,
                    f"Blocked {len(done)} seat(s)."
                    + (f" {skipped} were held or sold and stay so." if skipped else ""),
                )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("console:event_seats", event_id=event.uid)
    access = selectors.access_seat_counts(event)
    return page(
        request, "console/event_seats.html", {"event": event, "access": access}, section="events"
    )
