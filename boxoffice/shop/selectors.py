"""What the shop's pages read: the event listing, and one event's page data in a few queries."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from boxoffice.events.models import Event, EventSeat, TicketType
from boxoffice.events.prices import current_phase, prices_in_force
from boxoffice.events.selectors import listed_events, released_access_seats, released_digest
from seatmaps.models import SeatMapVersion, VersionArea, VersionSeat

# A place someone could still buy: free, or held (a hold may lapse or be released). Sold and
# blocked places never come back by themselves.
OPEN_PLACES = (EventSeat.Status.AVAILABLE, EventSeat.Status.HELD)


def places_left(event: Event) -> bool:
    return EventSeat.objects.filter(event=event, status__in=OPEN_PLACES).exists()


def event_listing(
    *,
    category: str | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    price_max: int | None = None,
    text: str | None = None,
    local_days: tuple[datetime, int] | None = None,
) -> QuerySet[Event]:
    return listed_events(
        category=category,
        starts_after=starts_after,
        starts_before=starts_before,
        local_days=local_days,
        price_max=price_max,
        text=text,
    ).only(
        "uid", "slug", "title", "category", "starts_at", "timezone", "status", "min_price",
        "sales_start", "sales_end", "venue__name", "venue__city",
    ).annotate(
        places_left=Exists(
            EventSeat.objects.filter(event=OuterRef("pk"), status__in=OPEN_PLACES)
        )
    )  # fmt: skip


def map_categories(event: Event) -> list[dict[str, str]]:
    """The version's categories (key, name, colour), read from its document alone."""
    categories = (
        SeatMapVersion.objects.filter(pk=event.seat_map_version_id)
        .values_list("document__categories", flat=True)
        .first()
    )
    return [
        {"key": c["key"], "name": c.get("name", c["key"]), "color": c.get("color", "#9aa0a6")}
        for c in categories or []
    ]


def event_page(event: Event) -> dict[str, Any]:
    """Everything the event page shows and its script needs besides the map and the snapshot:
    categories with their prices now (per ticket type), ticket types, standing areas."""
    now = timezone.now()
    ticket_types = list(TicketType.objects.filter(event=event).values_list("code", "name"))
    in_force = prices_in_force(event=event, at=now)
    phase = current_phase(event=event, at=now)
    by_category: dict[str, dict[str, int]] = defaultdict(dict)
    for (category, code), amount in in_force.amounts.items():
        by_category[category][code] = amount
    # Per category: places, wheelchair spaces (kept or released: best available finds either
    # for whoever asks for one), and what the map marks: wheelchair spaces and companion seats
    # kept for accessible seating (released ones are drawn as ordinary seats), restricted view.
    in_use = {
        category: counts
        for category, *counts in EventSeat.objects.filter(event=event)
        .order_by()
        .values("category")
        .annotate(
            n=Count("id"),
            wheelchair=Count("id", filter=Q(accessible=True)),
            kept_wheelchair=Count("id", filter=Q(accessible=True, access_released=False)),
            kept_companion=Count("id", filter=Q(companion=True, access_released=False)),
            restricted=Count("id", filter=Q(restricted_view=True)),
        )
        .values_list(
            "category", "n", "wheelchair", "kept_wheelchair", "kept_companion", "restricted"
        )
    }
    categories = [
        {
            **category,
            "prices": by_category.get(category["key"], {}),
            "places": in_use[category["key"]][0],
            "wheelchair": in_use[category["key"]][1],
        }
        for category in map_categories(event)
        if category["key"] in in_use
    ]
    # Which seat flags the legend explains.
    flags = {
        name: any(counts[index] for counts in in_use.values())
        for index, name in ((2, "wheelchair"), (3, "companion"), (4, "restricted_view"))
    }
    areas = [
        {"section": section, "name": name, "category": category, "capacity": capacity}
        for section, name, category, capacity in VersionArea.objects.filter(
            version_id=event.seat_map_version_id
        )
        .order_by("section")
        .values_list("section", "section_name", "category", "capacity")
    ]
    sections = dict(
        VersionSeat.objects.filter(version_id=event.seat_map_version_id)
        .order_by()
        .values_list("section", "section_name")
        .distinct()
    )
    sections.update({area["section"]: area["name"] for area in areas})
    return {
        "map_digest": released_digest(released_access_seats(event)),
        "wheelchair_request": any(counts[1] for counts in in_use.values()),
        "sections": sections,
        "categories": categories,
        "flags": flags,
        "ticket_types": [{"code": code, "name": name} for code, name in ticket_types],
        "areas": areas,
        "phase": {"name": phase.name, "until": phase.until} if phase else None,
    }
