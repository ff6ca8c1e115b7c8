"""Events: a public listing and event pages for customers, the rest for the organizer."""

import hashlib

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.views.decorators.gzip import gzip_page
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from boxoffice.events import selectors
from boxoffice.events.models import Event
from boxoffice.events.schemas import (
    AccessSeatsIn,
    AvailabilityOut,
    EventIn,
    EventOut,
    EventPatch,
    EventSeatsOut,
    SeatsIn,
    SeatsOut,
)
from boxoffice.events.seat_rules import LETTERS
from boxoffice.events.services import events as event_services
from boxoffice.inputs import ClientDateTime, Pagination
from seatmaps import selectors as seatmap_selectors
from seatmaps.document import SeatMapDocument, parse_document, seat_ref
from seatmaps.models import SeatMapVersion
from seatmaps.svg import render_svg
from tenants.auth import optional_actor
from tenants.permissions import require_role
from tenants.roles import Role

router = Router(tags=["events"])

# The public map of a published version drawn once per process: versions never change, and a
# 20,000-seat map takes a good fraction of a second to draw. Keyed by schema and version.
_public_maps: dict[tuple, tuple[str, str]] = {}
PUBLIC_MAPS_KEPT = 16


class ListingFilters(Schema):
    category: str | None = None
    city: str | None = None
    starts_after: ClientDateTime | None = None
    starts_before: ClientDateTime | None = None
    price_min: int | None = None
    price_max: int | None = None
    q: str | None = None
    status: str | None = None


def _visible_event(request: HttpRequest, identifier: str) -> Event:
    """Customers see published events; the organizer's people also see drafts."""
    staff = optional_actor(request) is not None
    return selectors.event_by_id(identifier, include_unpublished=staff)


@router.get(
    "/events", response=list[EventOut], auth=None, summary="Events on sale (public), filtered"
)
@paginate(Pagination)
def list_events(request: HttpRequest, filters: Query[ListingFilters]) -> QuerySet[Event]:
    statuses = selectors.LISTED_STATUSES
    if filters.status and optional_actor(request) is not None:
        statuses = (filters.status,)  # the organizer's people may list drafts etc.
    return selectors.listed_events(
        category=filters.category,
        city=filters.city,
        # Without an offset: the wall clock where each event happens (the selector's rule).
        starts_after=filters.starts_after,
        starts_before=filters.starts_before,
        price_min=filters.price_min,
        price_max=filters.price_max,
        text=filters.q,
        statuses=statuses,
    ).select_related("seat_map_version__seat_map")


@router.post("/events", response={201: EventOut}, summary="Create a draft event (admin)")
def create_event(request: HttpRequest, payload: EventIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    seat_map = seatmap_selectors.seat_map_by_uid(payload.seat_map)
    if payload.version is None:
        version = seatmap_selectors.latest_version(seat_map)
    else:
        version = seatmap_selectors.version(seat_map, payload.version)
    event = event_services.create_event(
        actor=actor,
        seat_map_version=version,
        title=payload.title,
        slug=payload.slug,
        description=payload.description,
        category=payload.category,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        timezone_name=payload.timezone,
        sales_start=payload.sales_start,
        sales_end=payload.sales_end,
        max_seats_per_order=payload.max_seats_per_order,
        hold_minutes=payload.hold_minutes,
        fee_per_ticket=payload.fee_per_ticket,
        tax_rate=payload.tax_rate,
        tax_inclusive=payload.tax_inclusive,
        refund_policy=[tier.dict() for tier in payload.refund_policy],
    )
    return Status(201, selectors.event_by_id(event.uid, include_unpublished=True))


@router.get("/events/{event_id}", response=EventOut, auth=None, summary="An event (id or slug)")
def get_event(request: HttpRequest, event_id: str) -> Event:
    return _visible_event(request, event_id)


@router.patch("/events/{event_id}", response=EventOut, summary="Change an event (admin)")
def update_event(request: HttpRequest, event_id: str, payload: EventPatch) -> Event:
    actor = require_role(request, Role.ADMIN)
    event = selectors.event_by_id(event_id, include_unpublished=True)
    event_services.update_event(actor=actor, event=event, changes=payload.dict(exclude_unset=True))
    return selectors.event_by_id(event.uid, include_unpublished=True)


def _transition(request: HttpRequest, event_id: str, action: str) -> Event:
    actor = require_role(request, Role.ADMIN)
    event = selectors.event_by_id(event_id, include_unpublished=True)
    event_services.change_event_status(actor=actor, event=event, action=action)
    return selectors.event_by_id(event.uid, include_unpublished=True)


@router.post("/events/{event_id}/publish", response=EventOut, summary="Open sales (admin)")
def publish_event(request: HttpRequest, event_id: str) -> Event:
    return _transition(request, event_id, "publish")


@router.post("/events/{event_id}/pause", response=EventOut, summary="Pause sales (admin)")
def pause_event(request: HttpRequest, event_id: str) -> Event:
    return _transition(request, event_id, "pause")


@router.post("/events/{event_id}/complete", response=EventOut, summary="Close (admin)")
def complete_event(request: HttpRequest, event_id: str) -> Event:
    return _transition(request, event_id, "complete")


@router.get(
    "/events/{event_id}/seats",
    response=EventSeatsOut,
    auth=None,
    summary="Every place of the event, in availability-snapshot order",
)
@decorate_view(gzip_page)
def event_seats(request: HttpRequest, event_id: str) -> HttpResponse:
    event = _visible_event(request, event_id)
    columns = ["ref", "kind", "section", "row", "label", "category"]
    response = JsonResponse(
        {"columns": columns, "seats": [list(seat) for seat in selectors.seat_list(event)]}
    )
    # The inventory of an event never changes shape, so renderers may cache it.
    patch_cache_control(response, public=True, max_age=3600)
    return response


@router.get("/events/{event_id}/map.svg", auth=None, summary="The event's seat map as SVG (public)")
@decorate_view(gzip_page)
def event_map_svg(request: HttpRequest, event_id: str) -> HttpResponse:
    """The published version the event sells, titled with the event, without per-seat tooltips
    (the shop draws its own, with prices) and without the seat map's internal name or version:
    `data-seat` on each seat is the ref the availability snapshot and the hold API use."""
    event = _visible_event(request, event_id)
    released = selectors.released_access_seats(event)
    key = (request.tenant.schema_name, event.pk, event.seat_map_version_id, event.title)
    key += (selectors.released_digest(released),)
    cached = _public_maps.get(key)
    if cached is None:
        document = parse_document(
            SeatMapVersion.objects.filter(pk=event.seat_map_version_id)
            .values_list("document", flat=True)
            .get()
        )
        _as_ordinary_seats(document, set(released))
        svg = render_svg(document, title=event.title, seat_titles=False)
        digest = hashlib.blake2b(svg.encode(), digest_size=12).hexdigest()
        if len(_public_maps) >= PUBLIC_MAPS_KEPT:
            _public_maps.pop(next(iter(_public_maps)))
        cached = _public_maps[key] = (svg, f'"{digest}"')
    svg, etag = cached
    seen = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
    response = (
        HttpResponse(status=304)
        if etag in seen
        else HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    )
    response["ETag"] = etag
    # Public: the same picture for everyone; revalidated hourly (the title may be edited). The
    # shop asks for it with the released seats' digest in the address, so a release shows at once.
    patch_cache_control(response, public=True, max_age=3600)
    return response


def _as_ordinary_seats(document: SeatMapDocument, refs: set[str]) -> None:
    """Seats released for general sale lose their wheelchair and companion marks: drawn, and
    so described by the shop (its tooltips read the seat's classes), as ordinary seats."""
    if not refs:
        return
    for section in document.sections:
        for row in section.rows:
            for seat in row.seats:
                if seat_ref(section, row, seat) in refs:
                    seat.accessible = seat.companion = False


@router.get(
    "/events/{event_id}/availability",
    response=AvailabilityOut,
    auth=None,
    summary="Compact live snapshot of every place's status, with an ETag",
)
@decorate_view(gzip_page)
def event_availability(request: HttpRequest, event_id: str) -> HttpResponse:
    event = _visible_event(request, event_id)
    statuses, etag = selectors.availability(event)
    quoted = f'"{etag}"'
    # gzip turns our ETag into a weak one (W/"..."); either form names the same snapshot.
    seen = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
    if quoted in seen:
        response = HttpResponse(status=304)
    else:
        legend = {code: name for name, code in LETTERS.items()}
        counts = {name: statuses.count(code) for name, code in LETTERS.items()}
        response = JsonResponse(
            {"event": event.uid, "legend": legend, "statuses": statuses, "counts": counts}
        )
    response["ETag"] = quoted
    patch_cache_control(response, no_cache=True)
    return response


@router.post("/events/{event_id}/seats/block", response=SeatsOut, summary="Block seats (admin)")
def block_seats(request: HttpRequest, event_id: str, payload: SeatsIn) -> SeatsOut:
    actor = require_role(request, Role.ADMIN)
    event = selectors.event_by_id(event_id, include_unpublished=True)
    return SeatsOut(seats=event_services.block_seats(actor=actor, event=event, refs=payload.seats))


@router.post("/events/{event_id}/seats/unblock", response=SeatsOut, summary="Unblock seats (admin)")
def unblock_seats(request: HttpRequest, event_id: str, payload: SeatsIn) -> SeatsOut:
    actor = require_role(request, Role.ADMIN)
    event = selectors.event_by_id(event_id, include_unpublished=True)
    return SeatsOut(
        seats=event_services.unblock_seats(actor=actor, event=event, refs=payload.seats)
    )


@router.post(
    "/events/{event_id}/seats/release-access",
    response=SeatsOut,
    summary="Release wheelchair spaces and companion seats for general sale (admin)",
)
def release_access_seats(request: HttpRequest, event_id: str, payload: AccessSeatsIn) -> SeatsOut:
    actor = require_role(request, Role.ADMIN)
    event = selectors.event_by_id(event_id, include_unpublished=True)
    changed = event_services.set_access_released(
        actor=actor, event=event, released=True, refs=payload.seats
    )
    return SeatsOut(seats=changed)


@router.post(
    "/events/{event_id}/seats/keep-access",
    response=SeatsOut,
    summary="Keep wheelchair spaces and companion seats for accessible seating again (admin)",
)
def keep_access_seats(request: HttpRequest, event_id: str, payload: AccessSeatsIn) -> SeatsOut:
    actor = require_role(request, Role.ADMIN)
    event = selectors.event_by_id(event_id, include_unpublished=True)
    changed = event_services.set_access_released(
        actor=actor, event=event, released=False, refs=payload.seats
    )
    return SeatsOut(seats=changed)
