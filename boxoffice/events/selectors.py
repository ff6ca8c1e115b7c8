import hashlib
from datetime import datetime

from django.db import models
from django.db.models import Count, F, Func, Q, QuerySet, Value
from django.db.models.functions import Cast

from boxoffice.errors import NotFound
from boxoffice.events.error_codes import ErrorCode
from boxoffice.events.models import Event, EventSeat
from boxoffice.events.seat_rules import letter_sql

PUBLIC_STATUSES = (
    Event.Status.ON_SALE,
    Event.Status.PAUSED,
    Event.Status.COMPLETED,
    Event.Status.CANCELLED,
)
LISTED_STATUSES = (Event.Status.ON_SALE, Event.Status.PAUSED)


class _WallClock(models.Field):
    """A timestamp without time zone: a wall-clock time, only ever compared."""

    def db_type(self, connection) -> str:
        return "timestamp"


def _starts_after(events: QuerySet[Event], moment: datetime, *, before: bool) -> QuerySet[Event]:
    """Events starting at or after (before: before) `moment`. A moment without an offset is a
    wall-clock time where each event happens: "from 4 December 20:00" means 20:00 in Auckland
    for an Auckland event and 20:00 in Los Angeles for one there."""
    lookup = "lt" if before else "gte"
    if moment.tzinfo is not None:
        return events.filter(**{f"starts_at__{lookup}": moment})
    local_start = Func(
        F("timezone"), F("starts_at"), function="timezone", output_field=_WallClock()
    )
    bound = Cast(Value(moment.isoformat(sep=" ")), output_field=_WallClock())
    return events.alias(local_start=local_start).filter(**{f"local_start__{lookup}": bound})


def _on_local_days(events: QuerySet[Event], now: datetime, days: int) -> QuerySet[Event]:
    """Events starting on one of `days` days from today, where today and days are each event's
    own (its zone's date at `now`): at 10:00 on 10 March in Los Angeles, an event there at 23:30
    that evening is today, though it is 11 March in UTC; in Auckland it is already 11 March."""
    local_date = Cast(
        Func(F("timezone"), F("starts_at"), function="timezone", output_field=_WallClock()),
        output_field=models.DateField(),
    )
    local_today = Cast(
        Func(F("timezone"), Value(now), function="timezone", output_field=_WallClock()),
        output_field=models.DateField(),
    )
    # date + integer is a date in PostgreSQL.
    last = Func(local_today, Value(days), template="(%(expressions)s)", arg_joiner=" + ",
                output_field=models.DateField())  # fmt: skip
    return events.alias(local_date=local_date, local_today=local_today, last_day=last).filter(
        local_date__gte=F("local_today"), local_date__lt=F("last_day")
    )


def event_by_id(identifier: str, *, include_unpublished: bool = False) -> Event:
    """An event by its id (`evt_…`) or slug. Drafts exist only for the organizer's people."""
    # The version's document and the map's draft are megabytes of JSON for a big map: never load
    # them for an event.
    events = Event.objects.select_related("venue", "seat_map_version__seat_map").defer(
        "seat_map_version__document", "seat_map_version__seat_map__draft"
    )
    if not include_unpublished:
        events = events.filter(status__in=PUBLIC_STATUSES)
    found = find_event(events, identifier)
    if found is None:
        raise NotFound("No such event.", code=ErrorCode.EVENT_NOT_FOUND)
    return found


def find_event(events: QuerySet[Event], identifier: str) -> Event | None:
    """The event of `events` whose id (`evt_…`) or slug is `identifier`: an id wins over another
    event's slug that happens to spell it. The one rule; its raw-SQL copies for the hold path
    (sales.selectors.FIND_EVENT, the `sales_start_hold` function) are checked against it by
    tests/events/test_seat_rules.py."""
    found = sorted(
        events.filter(Q(uid=identifier) | Q(slug=identifier))[:2],
        key=lambda event: event.uid != identifier,
    )
    return found[0] if found else None


def listed_events(
    *,
    category: str | None = None,
    city: str | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    price_min: int | None = None,
    price_max: int | None = None,
    text: str | None = None,
    statuses: tuple[str, ...] = LISTED_STATUSES,
    local_days: tuple[datetime, int] | None = None,
) -> QuerySet[Event]:
    """`local_days` = (now, n): starting on one of n days from today where each event happens
    (today, the next 7 days), see `_on_local_days`."""
    events = Event.objects.select_related("venue").filter(status__in=statuses)
    if category:
        events = events.filter(category=category)
    if city:
        events = events.filter(venue__city__iexact=city)
    if starts_after:
        events = _starts_after(events, starts_after, before=False)
    if starts_before:
        events = _starts_after(events, starts_before, before=True)
    if local_days:
        events = _on_local_days(events, *local_days)
    # An event matches a price range when some ticket falls inside it.
    if price_min is not None:
        events = events.filter(max_price__gte=price_min)
    if price_max is not None:
        events = events.filter(min_price__lte=price_max)
    if text:
        events = events.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return events.order_by("starts_at", "id")


def seat_list(event: Event) -> list[tuple]:
    """Static facts of every place, in snapshot order (what the map renderers join with)."""
    return list(
        EventSeat.objects.filter(event=event)
        .order_by("position")
        .values_list("ref", "kind", "section", "row", "label", "category")
    )


def released_access_seats(event: Event) -> list[str]:
    """Wheelchair spaces and companion seats released for general sale, by ref: the shop draws,
    describes and sells them as ordinary seats (EventSeat.notes says the same)."""
    return list(
        EventSeat.objects.filter(event=event, access_released=True)
        .filter(Q(accessible=True) | Q(companion=True))
        .order_by("ref")
        .values_list("ref", flat=True)
    )


def released_digest(refs: list[str]) -> str:
    """Names one set of released seats (in the shop map's ETag and address)."""
    return hashlib.blake2b("\n".join(refs).encode(), digest_size=6).hexdigest() if refs else ""


def access_seat_counts(event: Event) -> dict[str, int]:
    """Wheelchair spaces and companion seats: how many are kept for accessible seating and how
    many the organizer released for general sale."""
    counts = (
        EventSeat.objects.filter(event=event)
        .filter(Q(accessible=True) | Q(companion=True))
        .aggregate(
            kept=Count("id", filter=Q(access_released=False)),
            released=Count("id", filter=Q(access_released=True)),
        )
    )
    return {"kept": counts["kept"], "released": counts["released"]}


def availability(event: Event) -> tuple[str, str]:
    """The snapshot: one status letter per place in `position` order (a lapsed hold reads as
    available), and its ETag. 20,000 seats make 20 kB of text that gzips to a few kB."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg({letter_sql()}, '' ORDER BY position) "  # noqa: S608
            "FROM events_eventseat WHERE event_id = %s",
            [event.pk],
        )
        statuses = cursor.fetchone()[0] or ""
    etag = hashlib.blake2b(statuses.encode(), digest_size=12).hexdigest()
    return statuses, etag


def section_names(event: Event) -> dict[str, str]:
    """Section key -> the name people read ("stalls-c" -> "Stalls Centre"), from the event's
    published seat-map version (seated sections and standing areas alike)."""
    from seatmaps.models import VersionArea, VersionSeat

    names = dict(
        VersionSeat.objects.filter(version_id=event.seat_map_version_id)
        .order_by()
        .values_list("section", "section_name")
        .distinct()
    )
    names.update(
        VersionArea.objects.filter(version_id=event.seat_map_version_id).values_list(
            "section", "section_name"
        )
    )
    return names


def category_names(event: Event) -> dict[str, str]:
    """Category key -> the name people read ("premium" -> "Premium"), from the event's published
    seat-map version (its document's categories, without loading its seats)."""
    from boxoffice.events.prices import map_categories

    return {category["key"]: category["name"] for category in map_categories(event)}
