"""Prices of an event as read: which price is in force, what is missing, the price table.

Every amount is an integer in minor units. The phase in force at a moment is the one with the
earliest `until` after that moment, else the open-ended one (every non-empty table has exactly
one). `resolve_price` is the one place that prices a seat; callers that price many seats at once
load `prices_in_force` once and pass it along, which goes through the same lookup.

A seat category in use is *priced* when, in every phase, at least one ticket type has a price for
it: a ticket type without a price in a category is simply not offered there (no child tickets in
the boxes), but a buyer must always have something to pay. Publishing needs every category in use
priced (`missing_prices`).

The writes (price tables, category adjustments) are in `boxoffice.events.services.pricing`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Q

from boxoffice.errors import Invalid
from boxoffice.events.error_codes import ErrorCode
from boxoffice.events.models import Event, EventSeat, Price, PricePhase, TicketType
from seatmaps.models import SeatMapVersion


def current_phase(*, event: Event, at: datetime) -> PricePhase | None:
    """The phase in force at `at`: the earliest `until` strictly after it, else open-ended."""
    return (
        PricePhase.objects.filter(event=event)
        .filter(Q(until__gt=at) | Q(until__isnull=True))
        .order_by(F("until").asc(nulls_last=True))
        .first()
    )


@dataclass(frozen=True)
class PricesInForce:
    """An event's amounts at one moment, keyed by (category, ticket type code)."""

    event_id: int
    at: datetime
    phase: str | None
    amounts: dict[tuple[str, str], int] = field(default_factory=dict)


def prices_in_force(*, event: Event, at: datetime) -> PricesInForce:
    """Everything `resolve_price` needs for `event` at `at`, in two queries."""
    phase = current_phase(event=event, at=at)
    if phase is None:
        return PricesInForce(event_id=event.pk, at=at, phase=None)
    rows = Price.objects.filter(phase=phase).values_list("category", "ticket_type__code", "amount")
    return PricesInForce(
        event_id=event.pk,
        at=at,
        phase=phase.code,
        amounts={(category, code): amount for category, code, amount in rows},
    )


def resolve_price(
    *,
    event: Event,
    category: str,
    ticket_type: str,
    at: datetime,
    in_force: PricesInForce | None = None,
) -> int:
    """The amount (minor units) of a seat of `category` sold as `ticket_type` at `at`.

    Pass `in_force` (from `prices_in_force` for the same event and moment) to price many seats
    without a query each."""
    if in_force is None:
        in_force = prices_in_force(event=event, at=at)
    elif in_force.event_id != event.pk or in_force.at != at:
        # A programming error, not a customer's: prices of another event or moment.
        raise ValueError("in_force was loaded for another event or moment")
    amount = in_force.amounts.get((category, ticket_type))
    if amount is None:
        raise Invalid(
            f"There is no price for a {ticket_type} ticket in {category} right now.",
            code=ErrorCode.NO_PRICE,
            category=category,
            ticket_type=ticket_type,
            phase=in_force.phase,
        )
    return amount


def map_categories(event: Event) -> list[dict[str, Any]]:
    """The seat map version's categories, read from its document without loading all seats."""
    categories = (
        SeatMapVersion.objects.filter(pk=event.seat_map_version_id)
        .values_list("document__categories", flat=True)
        .first()
    )
    return list(categories or [])


def categories_in_use(event: Event) -> list[str]:
    return sorted(
        EventSeat.objects.filter(event=event)
        .order_by()
        .values_list("category", flat=True)
        .distinct()
    )


def unpriced_categories(
    categories_in_use: list[str], phases: list[Any], priced: set[tuple]
) -> list[str]:
    """Categories in use lacking a price in some phase; `priced` holds (category, phase) pairs
    with at least one amount. With no phases nothing is priced."""
    if not phases:
        return list(categories_in_use)
    return [
        category
        for category in categories_in_use
        if any((category, phase) not in priced for phase in phases)
    ]


def missing_prices(*, event: Event) -> list[str]:
    """Categories in use that are not priced in every phase (sorted); empty when ready to sell."""
    phase_ids = list(PricePhase.objects.filter(event=event).values_list("id", flat=True))
    priced = set(Price.objects.filter(event=event).values_list("category", "phase_id").distinct())
    return unpriced_categories(categories_in_use(event), phase_ids, priced)


def price_table(*, event: Event) -> dict[str, Any]:
    """The whole table as the console shows it: ticket types and phases in order, the seat
    map's categories, amounts grouped by category, the categories in use and those unpriced."""
    ticket_types = list(TicketType.objects.filter(event=event).order_by("position", "id"))
    phases = list(PricePhase.objects.filter(event=event))  # model ordering: by until, open last
    prices = Price.objects.filter(event=event).values_list(
        "category", "ticket_type_id", "phase_id", "amount"
    )
    type_codes = {ticket_type.pk: ticket_type.code for ticket_type in ticket_types}
    phase_codes = {phase.pk: phase.code for phase in phases}
    type_order = {ticket_type.pk: n for n, ticket_type in enumerate(ticket_types)}
    phase_order = {phase.pk: n for n, phase in enumerate(phases)}
    by_category: dict[str, list[tuple]] = defaultdict(list)
    for category, type_id, phase_id, amount in prices:
        by_category[category].append((type_id, phase_id, amount))
    in_use = categories_in_use(event)
    priced = {
        (category, phase_id) for category, rows in by_category.items() for _, phase_id, _ in rows
    }
    event_row = Event.objects.filter(pk=event.pk).values("min_price", "max_price").get()
    return {
        "ticket_types": [{"code": t.code, "name": t.name} for t in ticket_types],
        "phases": [{"code": p.code, "name": p.name, "until": p.until} for p in phases],
        "categories": [
            {"key": category["key"], "name": category.get("name", category["key"])}
            for category in map_categories(event)
        ],
        "prices": {
            category: [
                {
                    "ticket_type": type_codes[type_id],
                    "phase": phase_codes[phase_id],
                    "amount": amount,
                }
                for type_id, phase_id, amount in sorted(
                    rows, key=lambda row: (phase_order[row[1]], type_order[row[0]])
                )
            ]
            for category, rows in sorted(by_category.items())
        },
        "categories_in_use": in_use,
        "missing": unpriced_categories(in_use, list(phase_codes), priced),
        "min_price": event_row["min_price"],
        "max_price": event_row["max_price"],
    }
