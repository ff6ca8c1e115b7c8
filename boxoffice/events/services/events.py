"""Every write to events and their inventory (prices: boxoffice/events/services/pricing.py)."""

import math
import statistics
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.currencies import check_payable, current_currency
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Invalid
from boxoffice.events.error_codes import ErrorCode
from boxoffice.events.models import Event, EventSeat
from boxoffice.events.ranking import Place, rank_seats
from boxoffice.events.refund_policy import check_policy
from boxoffice.events.seat_rules import claimable_sql
from boxoffice.validators import check_timezone
from seatmaps.error_codes import ErrorCode as SeatMapCode
from seatmaps.models import SeatMapVersion

# An aisle or gap is wider than this many typical seat spacings: seats across it are not
# "together" for best available.
GAP_FACTOR = 1.6

TRANSITIONS = {
    "publish": ({Event.Status.DRAFT, Event.Status.PAUSED}, Event.Status.ON_SALE),
    "pause": ({Event.Status.ON_SALE}, Event.Status.PAUSED),
    "complete": ({Event.Status.ON_SALE, Event.Status.PAUSED}, Event.Status.COMPLETED),
    "cancel": (
        {Event.Status.DRAFT, Event.Status.ON_SALE, Event.Status.PAUSED},
        Event.Status.CANCELLED,
    ),
}


def allowed_actions(event: Event) -> list[str]:
    """The status changes this event allows now, in TRANSITIONS' order (what the console offers)."""
    return [action for action, (sources, _target) in TRANSITIONS.items() if event.status in sources]


EDITABLE_FIELDS = (
    "title", "description", "category", "starts_at", "ends_at", "timezone", "sales_start",
    "sales_end", "max_seats_per_order", "hold_minutes", "fee_per_ticket", "tax_rate",
    "tax_inclusive", "refund_policy",
)  # fmt: skip


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "event"
    slug, n = base, 1
    while Event.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_fields(fields: dict) -> None:
    if "title" in fields and not str(fields["title"]).strip():
        raise Invalid("Give the event a title.", code=ErrorCode.INVALID_TITLE)
    if "category" in fields and fields["category"] not in Event.Category.values:
        raise Invalid(
            f"Category must be one of {', '.join(Event.Category.values)}.",
            code=ErrorCode.INVALID_CATEGORY,
        )
    if "timezone" in fields:
        check_timezone(fields["timezone"])
    if not 1 <= fields.get("max_seats_per_order", 6) <= 50:
        raise Invalid("Max seats per order must be 1 to 50.", code=ErrorCode.INVALID_MAX_SEATS)
    if not 1 <= fields.get("hold_minutes", 10) <= 60:
        raise Invalid("Holds last 1 to 60 minutes.", code=ErrorCode.INVALID_HOLD_MINUTES)
    for name in ("starts_at", "ends_at", "sales_start", "sales_end"):
        value = fields.get(name)
        if value is not None and timezone.is_naive(value):
            raise Invalid(f"{name} needs a time zone offset.", code=ErrorCode.NAIVE_DATETIME)
    if fields["ends_at"] <= fields["starts_at"]:
        raise Invalid("The event must end after it starts.", code=KernelCode.INVALID_DATES)
    start, end = fields.get("sales_start"), fields.get("sales_end")
    if start and end and end <= start:
        raise Invalid("Sales must end after they start.", code=ErrorCode.INVALID_SALES_WINDOW)
    if fields.get("sales_end") and fields["sales_end"] > fields["ends_at"]:
        raise Invalid("Sales cannot end after the event.", code=ErrorCode.INVALID_SALES_WINDOW)
    if not 0 <= fields.get("fee_per_ticket", 0) <= 1_000_000:
        raise Invalid("The fee per ticket must be 0 to 1,000,000.", code=ErrorCode.INVALID_FEE)
    if "fee_per_ticket" in fields:
        check_payable(fields["fee_per_ticket"], current_currency(), what="The fee per ticket")
    if not 0 <= Decimal(fields.get("tax_rate", 0)) <= 100:
        raise Invalid("The tax rate is a percentage, 0 to 100.", code=ErrorCode.INVALID_TAX_RATE)
    if "refund_policy" in fields:
        fields["refund_policy"] = check_policy(fields["refund_policy"])


def create_event(
    *,
    actor: Actor,
    seat_map_version: SeatMapVersion,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    slug: str | None = None,
    description: str = "",
    category: str = Event.Category.OTHER,
    timezone_name: str | None = None,
    sales_start: datetime | None = None,
    sales_end: datetime | None = None,
    max_seats_per_order: int = 6,
    hold_minutes: int = 10,
    fee_per_ticket: int = 0,
    tax_rate: Decimal = Decimal(0),
    tax_inclusive: bool = True,
    refund_policy: list | None = None,
) -> Event:
    """A draft event on a published seat-map version, with one EventSeat per seat and per
    general-admission spot copied in bulk."""
    venue = seat_map_version.seat_map.venue
    fields = {
        "title": title.strip(), "description": description, "category": category,
        "starts_at": starts_at, "ends_at": ends_at, "timezone": timezone_name or venue.timezone,
        "sales_start": sales_start, "sales_end": sales_end,
        "max_seats_per_order": max_seats_per_order, "hold_minutes": hold_minutes,
        "fee_per_ticket": fee_per_ticket, "tax_rate": Decimal(tax_rate),
        "tax_inclusive": tax_inclusive, "refund_policy": refund_policy or [],
    }  # fmt: skip
    _check_fields(fields)
    if slug is not None and (slug != slugify(slug) or not slug):
        raise Invalid(
            "A slug is lowercase letters, digits and hyphens.",
            code=KernelCode.INVALID_SLUG,
        )
    try:
        with transaction.atomic():
            event = Event.objects.create(
                venue=venue,
                seat_map_version=seat_map_version,
                slug=slug or _unique_slug(title),
                **fields,
            )
            count = _copy_inventory(event, seat_map_version)
            record_audit(
                actor=actor, action="event.created", target_type="event", target_id=event.uid,
                data={"title": event.title, "seats": count},
            )  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(f"The slug '{slug}' is taken.", code=KernelCode.SLUG_TAKEN) from exc
    return event


def _copy_inventory(event: Event, version: SeatMapVersion) -> int:
    """Write the event's EventSeat rows with COPY: seats in document order with their place in
    the row (gaps skip an index), their rank (boxoffice/events/ranking.py) and the map's
    wheelchair, companion and restricted-view flags, then the GA spots."""
    fields = ("section", "row", "label", "category", "x", "y",
              "accessible", "companion", "restricted_view")  # fmt: skip
    seats = list(version.seats.order_by("position").values_list(*fields))
    by_row: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (section, row, *_rest) in enumerate(seats):
        by_row[(section, row)].append(index)
    seat_index = [0] * len(seats)
    for members in by_row.values():
        steps = [math.dist(seats[a][4:6], seats[b][4:6]) for a, b in pairwise(members)]
        typical = statistics.median(steps) if steps else 0
        place = 0
        for n, member in enumerate(members):
            if n and typical and steps[n - 1] > GAP_FACTOR * typical:
                place += 1  # an aisle: the seats either side are not adjacent
            seat_index[member] = place
            place += 1
    # Read everything before COPY starts: the connection can run nothing else during it.
    areas = list(version.areas.order_by("id").values_list("section", "category", "capacity"))
    ranks = rank_seats(
        [Place(section, row, x, y) for section, row, _label, _category, x, y, *_flags in seats],
        (version.focal_x, version.focal_y),
    )
    columns = (
        "event_id, ref, kind, section, row, label, category, position, seat_index, rank, status, "
        "accessible, companion, restricted_view, access_released"
    )
    position = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY events_eventseat ({columns}) FROM STDIN") as copy,
    ):
        for index, (section, row, label, category, _x, _y, *flags) in enumerate(seats):
            copy.write_row(
                (event.pk, f"{section}/{row}/{label}", "seat", section, row, label, category,
                 position, seat_index[index], ranks[index], "available", *flags, False)
            )  # fmt: skip
            position += 1
        for section, category, capacity in areas:
            for spot in range(1, capacity + 1):
                copy.write_row(
                    (event.pk, f"{section}#{spot}", "spot", section, "", str(spot), category,
                     position, spot, 0.0, "available", False, False, False, False)
                )  # fmt: skip
                position += 1
    # Fresh rows have no statistics yet; without them the planner's generic plan for the claim
    # statement scans every seat of the event (measured 4x slower in the ticket war).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_eventseat")
    return position


def update_event(*, actor: Actor, event: Event, changes: dict) -> Event:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(
            f"These cannot be changed: {', '.join(sorted(unknown))}.",
            code=KernelCode.INVALID,
        )
    if event.status in (Event.Status.COMPLETED, Event.Status.CANCELLED):
        raise Conflict("This event is closed.", code=ErrorCode.EVENT_CLOSED)
    fields = {name: getattr(event, name) for name in EDITABLE_FIELDS} | changes
    if "title" in changes:
        fields["title"] = changes["title"].strip()
    _check_fields(fields)
    with transaction.atomic():
        for name in changes:
            setattr(event, name, fields[name])
        event.save()
        record_audit(
            actor=actor, action="event.updated", target_type="event", target_id=event.uid,
            data={"changed": sorted(changes)},
        )  # fmt: skip
    return event


def change_event_status(*, actor: Actor, event: Event, action: str) -> Event:
    """publish (draft/paused -> on sale), pause, complete, cancel; each checked and audited."""
    from boxoffice.events.prices import missing_prices

    if action not in TRANSITIONS:
        raise Invalid(f"Unknown action '{action}'.", code=ErrorCode.INVALID_ACTION)
    allowed_from, target = TRANSITIONS[action]
    with transaction.atomic():
        # NO KEY: a status change must not wait for, or hold up, holds being created.
        locked = Event.objects.select_for_update(no_key=True).get(pk=event.pk)
        if locked.status not in allowed_from:
            raise Conflict(
                f"A {locked.get_status_display().lower()} event cannot be {action}ed.",
                code=ErrorCode.INVALID_TRANSITION,
                status=locked.status,
            )
        if action == "publish" and (missing := missing_prices(event=locked)):
            raise Invalid(
                "Every seat category in use needs a price before sales open.",
                code=ErrorCode.PRICES_MISSING,
                categories=missing,
            )
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=actor, action=f"event.{action}", target_type="event", target_id=locked.uid
        )
    return locked


BLOCK = (
    "UPDATE events_eventseat SET status = 'blocked', hold_id = NULL, held_until = NULL "  # noqa: S608
    f"WHERE event_id = %s AND ref = ANY(%s) AND {claimable_sql()} RETURNING ref"
)


def block_seats(*, actor: Actor, event: Event, refs: list[str]) -> list[str]:
    """Take seats off sale (all or nothing): free or expired-hold seats only."""
    refs = sorted(set(refs))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BLOCK, [event.pk, refs])
        blocked = {row[0] for row in cursor.fetchall()}
        if len(blocked) != len(refs):
            refuse_unavailable_seats(event, [ref for ref in refs if ref not in blocked])
        record_audit(
            actor=actor, action="seats.blocked", target_type="event", target_id=event.uid,
            data={"seats": refs},
        )  # fmt: skip
    return refs


def unblock_seats(*, actor: Actor, event: Event, refs: list[str]) -> list[str]:
    refs = sorted(set(refs))
    with transaction.atomic():
        unblocked = EventSeat.objects.filter(
            event=event, ref__in=refs, status=EventSeat.Status.BLOCKED
        ).update(status=EventSeat.Status.AVAILABLE)
        if unblocked != len(refs):
            missing = set(refs) - set(
                EventSeat.objects.filter(event=event, ref__in=refs).values_list("ref", flat=True)
            )
            if missing:
                raise Invalid(
                    "Unknown seats.", code=SeatMapCode.UNKNOWN_SEATS, seats=sorted(missing)
                )
        record_audit(
            actor=actor, action="seats.unblocked", target_type="event", target_id=event.uid,
            data={"seats": refs},
        )  # fmt: skip
    return refs


def refuse_unavailable_seats(event: Event, refs: list[str]) -> None:
    """Raise the right refusal for seats a claim did not get: unknown ones are 422, taken ones
    409 (the enclosing transaction rolls back whatever was claimed)."""
    known = set(EventSeat.objects.filter(event=event, ref__in=refs).values_list("ref", flat=True))
    unknown = sorted(set(refs) - known)
    if unknown:
        raise Invalid("These seats do not exist.", code=SeatMapCode.UNKNOWN_SEATS, seats=unknown)
    raise Conflict(
        "Some of these seats were just taken.", code=ErrorCode.SEATS_UNAVAILABLE, seats=sorted(refs)
    )


def set_access_released(
    *, actor: Actor, event: Event, released: bool, refs: list[str] | None = None
) -> list[str]:
    """Release wheelchair spaces and companion seats for general sale (`released`), or keep
    them for accessible seating again: these seats, or every one of the event when `refs` is
    None. A seat's status does not change (a held or sold one stays so); only whether best
    available offers it to everyone. Returns the seats that changed."""
    flagged = EventSeat.objects.filter(event=event, kind=EventSeat.Kind.SEAT).filter(
        Q(accessible=True) | Q(companion=True)
    )
    with transaction.atomic():
        if refs is not None:
            refs = sorted(set(refs))
            known = set(flagged.filter(ref__in=refs).values_list("ref", flat=True))
            if others := [ref for ref in refs if ref not in known]:
                raise Invalid(
                    "These are not wheelchair spaces or companion seats.",
                    code=ErrorCode.NOT_ACCESS_SEATS,
                    seats=others,
                )
            flagged = flagged.filter(ref__in=refs)
        changed = sorted(flagged.exclude(access_released=released).values_list("ref", flat=True))
        EventSeat.objects.filter(event=event, ref__in=changed).update(access_released=released)
        record_audit(
            actor=actor, target_type="event", target_id=event.uid,
            action="seats.access_released" if released else "seats.access_kept",
            data={"seats": changed},
        )  # fmt: skip
    return changed
