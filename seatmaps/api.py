"""Venues and seat maps: staff may read, admins and owners edit."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.gzip import gzip_page
from ninja import Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Invalid
from boxoffice.inputs import Pagination
from seatmaps import selectors, services
from seatmaps.csv_io import export_csv, export_json
from seatmaps.document import ga_capacity, parse_document, seat_count
from seatmaps.error_codes import ErrorCode
from seatmaps.models import SeatMap, SeatMapVersion, Venue
from seatmaps.operations import OPERATIONS
from seatmaps.samples import SAMPLES, load_sample
from seatmaps.schemas import (
    DraftIn,
    DraftOut,
    OperationIn,
    OperationOut,
    PublishIn,
    SeatMapIn,
    SeatMapOut,
    SeatMapPatch,
    VenueIn,
    VenueOut,
    VenuePatch,
    VersionDetailOut,
    VersionOut,
)
from seatmaps.svg import render_svg
from tenants.permissions import require_role
from tenants.roles import Role

router = Router(tags=["venues and seat maps"])


# --- venues -------------------------------------------------------------------------------------


@router.get("/venues", response=list[VenueOut], summary="List venues")
@paginate(Pagination)
def list_venues(request: HttpRequest) -> QuerySet[Venue]:
    require_role(request, Role.STAFF)
    return selectors.venues()


@router.post("/venues", response={201: VenueOut}, summary="Create a venue (admin)")
def create_venue(request: HttpRequest, payload: VenueIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    venue = services.create_venue(
        actor=actor,
        name=payload.name,
        address=payload.address,
        city=payload.city,
        country=payload.country,
        timezone_name=payload.timezone,
    )
    return Status(201, selectors.venue_by_uid(venue.uid))


@router.get("/venues/{venue_id}", response=VenueOut, summary="A venue")
def get_venue(request: HttpRequest, venue_id: str) -> Venue:
    require_role(request, Role.STAFF)
    return selectors.venue_by_uid(venue_id)


@router.patch("/venues/{venue_id}", response=VenueOut, summary="Change a venue (admin)")
def update_venue(request: HttpRequest, venue_id: str, payload: VenuePatch) -> Venue:
    actor = require_role(request, Role.ADMIN)
    venue = selectors.venue_by_uid(venue_id)
    services.update_venue(actor=actor, venue=venue, changes=payload.dict(exclude_unset=True))
    return selectors.venue_by_uid(venue_id)


@router.delete("/venues/{venue_id}", response={204: None}, summary="Delete a venue (admin)")
def delete_venue(request: HttpRequest, venue_id: str) -> Status:
    actor = require_role(request, Role.ADMIN)
    services.delete_venue(actor=actor, venue=selectors.venue_by_uid(venue_id))
    return Status(204, None)


# --- seat maps and their drafts -----------------------------------------------------------------


@router.get("/seatmaps", response=list[SeatMapOut], summary="List seat maps")
@paginate(Pagination)
def list_seat_maps(request: HttpRequest, venue: str | None = None) -> QuerySet[SeatMap]:
    require_role(request, Role.STAFF)
    return selectors.seat_maps(venue_uid=venue)


@router.post("/seatmaps", response={201: SeatMapOut}, summary="Create a seat map (admin)")
def create_seat_map(request: HttpRequest, payload: SeatMapIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    if payload.document is not None and payload.sample is not None:
        raise Invalid("Give a document or a sample, not both.", code=KernelCode.INVALID)
    if payload.sample is not None:
        if payload.sample not in SAMPLES:
            raise Invalid(
                f"Unknown sample '{payload.sample}'; choose one of {', '.join(SAMPLES)}.",
                code=ErrorCode.UNKNOWN_SAMPLE,
            )
        document = load_sample(payload.sample)
    elif payload.document is not None:
        document = parse_document(payload.document)
    else:
        document = None
    seat_map = services.create_seat_map(
        actor=actor,
        venue=selectors.venue_by_uid(payload.venue),
        name=payload.name,
        document=document,
    )
    return Status(201, selectors.seat_map_summary(seat_map.uid))


@router.get(
    "/seatmaps/operations",
    response=list[OperationOut],
    summary="The editor operations and the JSON Schema of their params",
)
def list_operations(request: HttpRequest) -> list[OperationOut]:
    require_role(request, Role.STAFF)
    return [
        OperationOut(
            name=name,
            summary=operation.summary,
            params_schema=operation.params_model.model_json_schema(),
        )
        for name, operation in OPERATIONS.items()
    ]


@router.get("/seatmaps/{map_id}", response=SeatMapOut, summary="A seat map")
def get_seat_map(request: HttpRequest, map_id: str) -> SeatMap:
    require_role(request, Role.STAFF)
    return selectors.seat_map_summary(map_id)


@router.patch("/seatmaps/{map_id}", response=SeatMapOut, summary="Rename a seat map (admin)")
def rename_seat_map(request: HttpRequest, map_id: str, payload: SeatMapPatch) -> SeatMap:
    actor = require_role(request, Role.ADMIN)
    services.rename_seat_map(
        actor=actor, seat_map=selectors.seat_map_by_uid(map_id), name=payload.name
    )
    return selectors.seat_map_summary(map_id)


def _draft_out(seat_map: SeatMap) -> DraftOut:
    document = parse_document(seat_map.draft)
    return DraftOut(
        version=seat_map.draft_version,
        document=seat_map.draft,
        seat_count=seat_count(document),
        ga_capacity=ga_capacity(document),
    )


@router.get("/seatmaps/{map_id}/draft", response=DraftOut, summary="The draft and its version")
def get_draft(request: HttpRequest, map_id: str) -> DraftOut:
    require_role(request, Role.STAFF)
    return _draft_out(selectors.seat_map_by_uid(map_id))


@router.put(
    "/seatmaps/{map_id}/draft",
    response=DraftOut,
    summary="Replace the draft (admin); 409 stale_version if someone saved since your version",
)
def save_draft(request: HttpRequest, map_id: str, payload: DraftIn) -> DraftOut:
    actor = require_role(request, Role.ADMIN)
    seat_map = services.save_draft(
        actor=actor,
        seat_map=selectors.seat_map_by_uid(map_id),
        expected_version=payload.version,
        document=parse_document(payload.document),
    )
    return _draft_out(seat_map)


@router.post(
    "/seatmaps/{map_id}/operations/{operation}",
    response=DraftOut,
    summary="Apply an editor operation to the draft (admin); see GET /seatmaps/operations",
)
def apply_operation(
    request: HttpRequest, map_id: str, operation: str, payload: OperationIn
) -> DraftOut:
    actor = require_role(request, Role.ADMIN)
    seat_map = services.apply_operation(
        actor=actor,
        seat_map=selectors.seat_map_by_uid(map_id),
        expected_version=payload.version,
        operation=operation,
        params=payload.params,
    )
    return _draft_out(seat_map)


def _svg(document_data: dict, title: str, *, immutable: bool = False) -> HttpResponse:
    response = HttpResponse(
        render_svg(parse_document(document_data), title=title),
        content_type="image/svg+xml; charset=utf-8",
    )
    # A published version never changes, so the browser may keep it; a draft may change any time.
    response["Cache-Control"] = (
        "private, max-age=86400, immutable" if immutable else "private, no-cache"
    )
    return response


@router.get("/seatmaps/{map_id}/draft.svg", summary="The draft drawn as SVG")
@decorate_view(gzip_page)  # SVG of a big map shrinks ~20x
def draft_svg(request: HttpRequest, map_id: str) -> HttpResponse:
    require_role(request, Role.STAFF)
    seat_map = selectors.seat_map_by_uid(map_id)
    return _svg(seat_map.draft, f"{seat_map.name} (draft)")


@router.get("/seatmaps/{map_id}/draft.csv", summary="The draft's seats as CSV")
def draft_csv(request: HttpRequest, map_id: str) -> HttpResponse:
    require_role(request, Role.STAFF)
    seat_map = selectors.seat_map_by_uid(map_id)
    response = HttpResponse(export_csv(parse_document(seat_map.draft)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{seat_map.uid}.csv"'
    return response


@router.get("/seatmaps/{map_id}/draft.json", summary="The draft document as a JSON download")
def draft_json(request: HttpRequest, map_id: str) -> HttpResponse:
    require_role(request, Role.STAFF)
    seat_map = selectors.seat_map_by_uid(map_id)
    response = HttpResponse(
        export_json(parse_document(seat_map.draft)), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{seat_map.uid}.json"'
    return response


# --- published versions -------------------------------------------------------------------------


@router.post(
    "/seatmaps/{map_id}/publish",
    response={201: VersionOut},
    summary="Publish the draft as the next immutable version (admin)",
)
def publish(request: HttpRequest, map_id: str, payload: PublishIn) -> Status:
    actor = require_role(request, Role.ADMIN)
    version = services.publish_seat_map(
        actor=actor, seat_map=selectors.seat_map_by_uid(map_id), expected_version=payload.version
    )
    return Status(201, version)


@router.get("/seatmaps/{map_id}/versions", response=list[VersionOut], summary="Published versions")
def list_versions(request: HttpRequest, map_id: str) -> QuerySet[SeatMapVersion]:
    require_role(request, Role.STAFF)
    return selectors.versions(selectors.seat_map_by_uid(map_id))


@router.get(
    "/seatmaps/{map_id}/versions/{int:number}",
    response=VersionDetailOut,
    summary="A published version with its document",
)
def get_version(request: HttpRequest, map_id: str, number: int) -> SeatMapVersion:
    require_role(request, Role.STAFF)
    return selectors.version(selectors.seat_map_by_uid(map_id), number)


@router.get("/seatmaps/{map_id}/versions/{int:number}.svg", summary="A version drawn as SVG")
@decorate_view(gzip_page)
def version_svg(request: HttpRequest, map_id: str, number: int) -> HttpResponse:
    require_role(request, Role.STAFF)
    seat_map = selectors.seat_map_by_uid(map_id)
    version = selectors.version(seat_map, number)
    return _svg(version.document, f"{seat_map.name} v{version.number}", immutable=True)
