"""Every write to venues and seat maps. The connection's schema is the organizer's."""

from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Invalid
from boxoffice.validators import check_country, check_timezone
from seatmaps.document import (
    SeatMapDocument,
    ensure_valid,
    focal_point,
    ga_capacity,
    parse_document,
    placed_seats,
    seat_count,
)
from seatmaps.error_codes import ErrorCode
from seatmaps.models import SeatMap, SeatMapVersion, Venue, VersionArea
from seatmaps.operations import run_operation

VENUE_FIELDS = ("name", "address", "city", "country", "timezone")


def _clean_venue_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: value.strip() for key, value in fields.items() if isinstance(value, str)}
    if "name" in cleaned and not cleaned["name"]:
        raise Invalid("Give the venue a name.", code=KernelCode.INVALID_NAME)
    if cleaned.get("country"):  # optional for a venue
        cleaned["country"] = check_country(cleaned["country"])
    if "timezone" in cleaned:
        check_timezone(cleaned["timezone"])
    return cleaned


def create_venue(
    *,
    actor: Actor,
    name: str,
    address: str = "",
    city: str = "",
    country: str = "",
    timezone_name: str = "UTC",
) -> Venue:
    fields = _clean_venue_fields(
        {"name": name, "address": address, "city": city, "country": country,
         "timezone": timezone_name}
    )  # fmt: skip
    with transaction.atomic():
        venue = Venue.objects.create(**fields)
        record_audit(actor=actor, action="venue.created", target_type="venue", target_id=venue.uid)
    return venue


def update_venue(*, actor: Actor, venue: Venue, changes: dict[str, Any]) -> Venue:
    unknown = set(changes) - set(VENUE_FIELDS)
    if unknown:
        raise Invalid(
            f"Unknown venue fields: {', '.join(sorted(unknown))}.",
            code=KernelCode.INVALID,
        )
    fields = _clean_venue_fields(changes)
    with transaction.atomic():
        for key, value in fields.items():
            setattr(venue, key, value)
        venue.save()
        record_audit(
            actor=actor, action="venue.updated", target_type="venue", target_id=venue.uid,
            data={"changed": sorted(fields)},
        )  # fmt: skip
    return venue


def delete_venue(*, actor: Actor, venue: Venue) -> None:
    with transaction.atomic():
        if venue.seat_maps.exists():
            raise Conflict(
                "This venue has seat maps; a venue with published layouts is kept for the "
                "events that use them.",
                code=ErrorCode.VENUE_IN_USE,
            )
        record_audit(actor=actor, action="venue.deleted", target_type="venue", target_id=venue.uid)
        venue.delete()


def _dump(document: SeatMapDocument) -> dict[str, Any]:
    return document.model_dump(mode="json")


def create_seat_map(
    *, actor: Actor, venue: Venue, name: str, document: SeatMapDocument | None = None
) -> SeatMap:
    name = name.strip()
    if not name:
        raise Invalid("Give the seat map a name.", code=KernelCode.INVALID_NAME)
    document = ensure_valid(document or SeatMapDocument())
    with transaction.atomic():
        seat_map = SeatMap.objects.create(venue=venue, name=name, draft=_dump(document))
        record_audit(
            actor=actor, action="seat_map.created", target_type="seat_map",
            target_id=seat_map.uid, data={"venue": venue.uid, "seats": seat_count(document)},
        )  # fmt: skip
    return seat_map


def rename_seat_map(*, actor: Actor, seat_map: SeatMap, name: str) -> SeatMap:
    name = name.strip()
    if not name:
        raise Invalid("Give the seat map a name.", code=KernelCode.INVALID_NAME)
    seat_map.name = name
    seat_map.save(update_fields=["name", "updated_at"])
    return seat_map


def _stale(seat_map_id: int) -> Conflict:
    current = SeatMap.objects.filter(pk=seat_map_id).values_list("draft_version", flat=True)
    return Conflict(
        "Someone saved this seat map since you loaded it; reload and apply your change again.",
        code=ErrorCode.STALE_VERSION,
        current_version=current.first(),
    )


def save_draft(
    *, actor: Actor, seat_map: SeatMap, expected_version: int, document: SeatMapDocument
) -> SeatMap:
    """Replace the draft if nobody saved since `expected_version`; otherwise 409 with the
    current version. One conditional UPDATE, so two editors can never both win."""
    ensure_valid(document)
    saved = SeatMap.objects.filter(pk=seat_map.pk, draft_version=expected_version).update(
        draft=_dump(document), draft_version=F("draft_version") + 1, updated_at=timezone.now()
    )
    if not saved:
        raise _stale(seat_map.pk)
    seat_map.refresh_from_db()
    return seat_map


def apply_operation(
    *,
    actor: Actor,
    seat_map: SeatMap,
    expected_version: int,
    operation: str,
    params: dict[str, Any],
) -> SeatMap:
    """Run an editor operation on the stored draft and save the result."""
    if seat_map.draft_version != expected_version:
        raise _stale(seat_map.pk)
    document = run_operation(parse_document(seat_map.draft), operation, params)
    return save_draft(
        actor=actor, seat_map=seat_map, expected_version=expected_version, document=document
    )


SEAT_COLUMNS = (
    "version_id", "section", "section_name", "row", "label", "category", "x", "y",
    "accessible", "restricted_view", "companion", "position",
)  # fmt: skip


def publish_seat_map(
    *, actor: Actor, seat_map: SeatMap, expected_version: int | None = None
) -> SeatMapVersion:
    """Freeze the draft into the next immutable version with one row per seat and GA area."""
    with transaction.atomic():
        locked = SeatMap.objects.select_for_update().get(pk=seat_map.pk)
        if expected_version is not None and locked.draft_version != expected_version:
            raise _stale(locked.pk)
        document = ensure_valid(parse_document(locked.draft))
        if not seat_count(document) and not ga_capacity(document):
            raise Invalid(
                "There is nothing to publish: add seats or an area.",
                code=ErrorCode.EMPTY_MAP,
            )
        last = locked.versions.aggregate(last=Max("number"))["last"] or 0
        focus = focal_point(document)
        version = SeatMapVersion.objects.create(
            seat_map=locked,
            number=last + 1,
            document=locked.draft,
            seat_count=seat_count(document),
            ga_capacity=ga_capacity(document),
            focal_x=focus.x,
            focal_y=focus.y,
            draft_version=locked.draft_version,
            published_by=actor.label,
        )
        _copy_seats(version, document)
        VersionArea.objects.bulk_create(
            VersionArea(
                version=version,
                section=section.key,
                section_name=section.name,
                category=section.area.category,
                capacity=section.area.capacity,
            )
            for section in document.sections
            if section.area is not None
        )
        record_audit(
            actor=actor, action="seat_map.published", target_type="seat_map",
            target_id=locked.uid,
            data={"version": version.number, "seats": version.seat_count,
                  "ga_capacity": version.ga_capacity},
        )  # fmt: skip
    return version


def _copy_seats(version: SeatMapVersion, document: SeatMapDocument) -> None:
    # COPY is several times faster than INSERTs for tens of thousands of rows (see
    # tests/bench/RESULTS.md); it runs on Django's connection, inside the same transaction.
    columns = ", ".join(SEAT_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY seatmaps_versionseat ({columns}) FROM STDIN") as copy,
    ):
        for position, placed in enumerate(placed_seats(document)):
            seat = placed.seat
            copy.write_row(
                (
                    version.pk, placed.section.key, placed.section.name, placed.row.label,
                    seat.label, seat.category, round(placed.x, 2), round(placed.y, 2),
                    seat.accessible, seat.restricted_view, seat.companion, position,
                )
            )  # fmt: skip
