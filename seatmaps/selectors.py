from django.db.models import Count, QuerySet

from boxoffice.errors import Invalid, NotFound
from seatmaps.error_codes import ErrorCode
from seatmaps.models import SeatMap, SeatMapVersion, Venue


def venues() -> QuerySet[Venue]:
    return Venue.objects.annotate(seat_map_count=Count("seat_maps"))


def venue_by_uid(uid: str) -> Venue:
    venue = venues().filter(uid=uid).first()
    if venue is None:
        raise NotFound("No such venue.", code=ErrorCode.VENUE_NOT_FOUND)
    return venue


def seat_maps(*, venue_uid: str | None = None) -> QuerySet[SeatMap]:
    found = (
        SeatMap.objects.select_related("venue")
        .defer("draft")
        .annotate(version_count=Count("versions"))
    )
    if venue_uid:
        found = found.filter(venue__uid=venue_uid)
    return found


def seat_map_summary(uid: str) -> SeatMap:
    """A seat map with its venue and version count, without its draft document."""
    seat_map = seat_maps().filter(uid=uid).first()
    if seat_map is None:
        raise NotFound("No such seat map.", code=ErrorCode.SEAT_MAP_NOT_FOUND)
    return seat_map


def seat_map_by_uid(uid: str) -> SeatMap:
    seat_map = SeatMap.objects.select_related("venue").filter(uid=uid).first()
    if seat_map is None:
        raise NotFound("No such seat map.", code=ErrorCode.SEAT_MAP_NOT_FOUND)
    return seat_map


def versions(seat_map: SeatMap) -> QuerySet[SeatMapVersion]:
    return seat_map.versions.defer("document").order_by("-number")


def latest_version(seat_map: SeatMap) -> SeatMapVersion:
    """The version a new event uses when none is named: the latest published one (the one rule
    for the API and the console)."""
    found = versions(seat_map).first()
    if found is None:
        raise Invalid("Publish the seat map first.", code=ErrorCode.SEAT_MAP_UNPUBLISHED)
    return found


def version(seat_map: SeatMap, number: int) -> SeatMapVersion:
    found = seat_map.versions.filter(number=number).first()
    if found is None:
        raise NotFound(f"Version {number} does not exist.", code=ErrorCode.VERSION_NOT_FOUND)
    return found
