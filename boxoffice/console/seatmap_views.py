"""Venues and seat maps: lists, creation, and the page that hosts the visual editor. The editor
itself (static/console/editor.js) changes drafts only through the seat-map API's operations,
draft and publish endpoints, so it cannot disagree with them."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from boxoffice.console.shell import admin_only, page, staff_only
from boxoffice.errors import DomainError, NotFound
from seatmaps import selectors, services
from seatmaps.samples import SAMPLES, load_sample


class VenueForm(forms.Form):
    name = forms.CharField(max_length=200)
    city = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="Two letters, e.g. PT")


class SeatMapForm(forms.Form):
    venue = forms.ChoiceField()
    name = forms.CharField(max_length=200)
    sample = forms.ChoiceField(required=False, label="Start from")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [(v.uid, v.name) for v in selectors.venues()]
        self.fields["sample"].choices = [("", "An empty map")] + [
            (name, f"The {name} sample") for name in SAMPLES
        ]


@staff_only
def seatmap_list(request: HttpRequest) -> HttpResponse:
    venue_form = VenueForm(prefix="venue")
    map_form = SeatMapForm(prefix="map")
    return page(
        request,
        "console/seatmaps.html",
        {
            "venues": selectors.venues(),
            "seat_maps": selectors.seat_maps().select_related("venue"),
            "venue_form": venue_form,
            "map_form": map_form,
        },
        section="seatmaps",
    )


@admin_only
def venue_new(request: HttpRequest) -> HttpResponse:
    form = VenueForm(request.POST or None, prefix="venue")
    if request.method == "POST" and form.is_valid():
        try:
            services.create_venue(
                actor=request.actor,
                name=form.cleaned_data["name"],
                address="",
                city=form.cleaned_data["city"],
                country=form.cleaned_data["country"].upper(),
                timezone_name=request.tenant.timezone,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Venue added.")
    elif request.method == "POST":
        messages.error(request, "Give the venue a name.")
    return redirect("console:seatmaps")


@admin_only
def seatmap_new(request: HttpRequest) -> HttpResponse:
    form = SeatMapForm(request.POST or None, prefix="map")
    if request.method == "POST" and form.is_valid():
        try:
            seat_map = services.create_seat_map(
                actor=request.actor,
                venue=selectors.venue_by_uid(form.cleaned_data["venue"]),
                name=form.cleaned_data["name"],
                document=load_sample(form.cleaned_data["sample"])
                if form.cleaned_data["sample"]
                else None,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("console:editor", map_id=seat_map.uid)
    else:
        messages.error(request, "Choose a venue and name the map.")
    return redirect("console:seatmaps")


@admin_only
def editor(request: HttpRequest, map_id: str) -> HttpResponse:
    try:
        seat_map = selectors.seat_map_summary(map_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return page(request, "console/editor.html", {"seat_map": seat_map}, section="seatmaps")
