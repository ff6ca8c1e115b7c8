"""Prices of an event: ticket types, time phases and amounts per seat category.

Every amount is an integer in minor units. The phase in force at a moment is the one with the
earliest `until` after that moment, else the open-ended one (every non-empty table has exactly
one). `resolve_price` is the one place that prices a seat; callers that price many seats at once
load `prices_in_force` once and pass it along, which goes through the same lookup.

A seat category in use is *priced* when, in every phase, at least one ticket type has a price for
it: a ticket type without a price in a category is simply not offered there (no child tickets in
the boxes), but a buyer must always have something to pay. Publishing needs every category in use
priced (`missing_prices`).

Writes lock the event row first, so two price changes on one event run one after the other.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.currencies import current_currency, is_payable, payable_rule, round_payable
from boxoffice.errors import Conflict, Invalid
from boxoffice.events.models import Event, EventSeat, Price, PricePhase, TicketType
from seatmaps.document import KEY_PATTERN
from seatmaps.models import SeatMapVersion

CODE_RE = re.compile(KEY_PATTERN)
NAME_MAX = 64
# Price.amount is a PostgreSQL integer.
AMOUNT_MAX = 2_147_483_647
CLOSED = (Event.Status.COMPLETED, Event.Status.CANCELLED)


class TicketTypeSpec(TypedDict):
    code: str
    name: str


class PhaseSpec(TypedDict):
    code: str
    name: str
    until: datetime | None


class PriceSpec(TypedDict):
    category: str
    ticket_type: str
    phase: str
    amount: int


# --- reads --------------------------------------------------------------------------------------


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
            code="no_price",
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


def _categories_in_use(event: Event) -> list[str]:
    return sorted(
        EventSeat.objects.filter(event=event)
        .order_by()
        .values_list("category", flat=True)
        .distinct()
    )


def _missing(categories_in_use: list[str], phases: list[Any], priced: set[tuple]) -> list[str]:
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
    return _missing(_categories_in_use(event), phase_ids, priced)


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
    in_use = _categories_in_use(event)
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
        "missing": _missing(in_use, list(phase_codes), priced),
        "min_price": event_row["min_price"],
        "max_price": event_row["max_price"],
    }


# --- writes -------------------------------------------------------------------------------------


def _lock_open_event(event: Event) -> Event:
    # FOR NO KEY UPDATE: serializes price changes without blocking new holds and orders,
    # whose foreign keys only need a key-share lock on the event row.
    locked = (
        Event.objects.select_for_update(no_key=True)
        .only("id", "uid", "status", "seat_map_version_id")
        .get(pk=event.pk)
    )
    if locked.status in CLOSED:
        raise Conflict(
            f"This event is {locked.get_status_display().lower()}; its prices are final.",
            code="event_closed",
            status=locked.status,
        )
    return locked


def _duplicates(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _check_codes_and_names(kind: str, items: list[dict[str, Any]]) -> None:
    bad_codes = [
        item["code"]
        for item in items
        if not (isinstance(item["code"], str) and CODE_RE.fullmatch(item["code"]))
    ]
    if bad_codes:
        raise Invalid(
            "Codes are 1-32 lowercase letters, digits, '-' or '_'.",
            code="invalid_code",
            **{kind: bad_codes},
        )
    if repeated := _duplicates([item["code"] for item in items]):
        raise Invalid(
            f"Codes used twice: {', '.join(repeated)}.", code="duplicate_code", **{kind: repeated}
        )
    bad_names = [item["code"] for item in items if not 1 <= len(item["name"]) <= NAME_MAX]
    if bad_names:
        raise Invalid(
            f"Names are 1-{NAME_MAX} characters.", code="invalid_name", **{kind: bad_names}
        )


def _check_phases(phases: list[dict[str, Any]], *, any_prices: bool) -> None:
    naive = [p["code"] for p in phases if p["until"] is not None and timezone.is_naive(p["until"])]
    if naive:
        raise Invalid("Phase ends need a time zone offset.", code="naive_datetime", phases=naive)
    open_ended = [phase["code"] for phase in phases if phase["until"] is None]
    # One open-ended phase means there is always a phase in force, whatever the moment.
    if (phases or any_prices) and len(open_ended) != 1:
        raise Invalid(
            "A price table needs exactly one phase without an end (the regular prices).",
            code="phases_need_one_open_ended",
            open_ended=open_ended,
        )
    ends = [phase["until"] for phase in phases if phase["until"] is not None]
    if repeated := _duplicates(ends):
        raise Invalid(
            "Two phases end at the same moment.",
            code="duplicate_until",
            phases=[phase["code"] for phase in phases if phase["until"] in repeated],
        )


def _valid_amount(amount: Any) -> bool:
    return type(amount) is int and 0 <= amount <= AMOUNT_MAX


def _check_prices(
    prices: list[dict[str, Any]],
    *,
    categories: set[str],
    types: set[str],
    phases: set[str],
    currency: str,
) -> None:
    def offenders(test: Any) -> list[dict[str, Any]]:
        return [price for price in prices if test(price)]

    checks = (
        ("unknown_category", "These seat categories are not in the event's seat map.",
         lambda price: price["category"] not in categories),
        ("unknown_ticket_type", "These prices name ticket types the table does not define.",
         lambda price: price["ticket_type"] not in types),
        ("unknown_phase", "These prices name phases the table does not define.",
         lambda price: price["phase"] not in phases),
        ("invalid_amount", f"Amounts are whole minor units from 0 to {AMOUNT_MAX}.",
         lambda price: not _valid_amount(price["amount"])),
        ("amount_not_payable", f"These amounts cannot be paid by card. {payable_rule(currency)}",
         lambda price: not is_payable(price["amount"], currency)),
    )  # fmt: skip
    for code, message, test in checks:
        if found := offenders(test):
            raise Invalid(message, code=code, prices=found)
    keys = [(price["category"], price["ticket_type"], price["phase"]) for price in prices]
    if repeated := _duplicates(keys):
        raise Invalid(
            "More than one amount for the same category, ticket type and phase.",
            code="duplicate_price",
            prices=[{"category": c, "ticket_type": t, "phase": p} for c, t, p in repeated],
        )


def _check_still_priced(
    event: Event, phases: list[dict[str, Any]], prices: list[dict[str, Any]]
) -> None:
    # Publishing refused an unpriced category; a later table must not bring one back while
    # customers can buy (resolve_price would then refuse their seats).
    missing = _missing(
        _categories_in_use(event),
        [phase["code"] for phase in phases],
        {(price["category"], price["phase"]) for price in prices},
    )
    if missing:
        raise Invalid(
            "This event is published: every seat category in use needs a price in every phase.",
            code="prices_missing",
            categories=missing,
        )


def _refresh_price_range(event: Event) -> None:
    """Store the lowest and highest amount on the event for the public listing's filters."""
    bounds = Price.objects.filter(event=event).aggregate(low=Min("amount"), high=Max("amount"))
    Event.objects.filter(pk=event.pk).update(
        min_price=bounds["low"], max_price=bounds["high"], updated_at=timezone.now()
    )
    event.min_price, event.max_price = bounds["low"], bounds["high"]


def _upsert_ticket_types(event: Event, ticket_types: list[dict[str, Any]]) -> dict[str, int]:
    existing = {t.code: t for t in TicketType.objects.filter(event=event)}
    ids: dict[str, int] = {}
    for position, spec in enumerate(ticket_types):
        ticket_type = existing.get(spec["code"]) or TicketType(event=event, code=spec["code"])
        ticket_type.name, ticket_type.position = spec["name"], position
        ticket_type.save()
        ids[ticket_type.code] = ticket_type.pk
    return ids


def _upsert_phases(event: Event, phases: list[dict[str, Any]]) -> dict[str, int]:
    existing = {p.code: p for p in PricePhase.objects.filter(event=event)}
    ids: dict[str, int] = {}
    # The open-ended phase last: the partial unique index is checked row by row, so the old
    # open-ended phase must have its end before the new one loses its own.
    for spec in sorted(phases, key=lambda spec: spec["until"] is None):
        phase = existing.get(spec["code"]) or PricePhase(event=event, code=spec["code"])
        phase.name, phase.until = spec["name"], spec["until"]
        phase.save()
        ids[phase.code] = phase.pk
    return ids


def set_price_table(
    *,
    actor: Actor,
    event: Event,
    ticket_types: list[TicketTypeSpec],
    phases: list[PhaseSpec],
    prices: list[PriceSpec],
) -> None:
    """Replace the event's whole price table, or refuse and change nothing.

    Ticket types and phases keep their rows when their code stays (anything that refers to them
    keeps working); those left out are deleted with their prices. Amounts are replaced."""
    ticket_types = [
        {"code": spec["code"], "name": str(spec["name"]).strip()} for spec in ticket_types
    ]
    phases = [
        {"code": spec["code"], "name": str(spec["name"]).strip(), "until": spec.get("until")}
        for spec in phases
    ]
    prices = [dict(price) for price in prices]
    with transaction.atomic():
        locked = _lock_open_event(event)
        _check_codes_and_names("ticket_types", ticket_types)
        _check_codes_and_names("phases", phases)
        _check_phases(phases, any_prices=bool(prices))
        _check_prices(
            prices,
            categories={category["key"] for category in map_categories(locked)},
            types={spec["code"] for spec in ticket_types},
            phases={spec["code"] for spec in phases},
            currency=current_currency(),
        )
        if locked.status != Event.Status.DRAFT:
            _check_still_priced(locked, phases, prices)
        Price.objects.filter(event=locked).delete()
        TicketType.objects.filter(event=locked).exclude(
            code__in=[spec["code"] for spec in ticket_types]
        ).delete()
        PricePhase.objects.filter(event=locked).exclude(
            code__in=[spec["code"] for spec in phases]
        ).delete()
        type_ids = _upsert_ticket_types(locked, ticket_types)
        phase_ids = _upsert_phases(locked, phases)
        Price.objects.bulk_create(
            Price(
                event=locked,
                category=price["category"],
                ticket_type_id=type_ids[price["ticket_type"]],
                phase_id=phase_ids[price["phase"]],
                amount=price["amount"],
            )
            for price in prices
        )
        _refresh_price_range(event)
        record_audit(
            actor=actor, action="prices.replaced", target_type="event", target_id=locked.uid,
            data={"ticket_types": [spec["code"] for spec in ticket_types],
                  "phases": [spec["code"] for spec in phases], "prices": len(prices),
                  "min_price": event.min_price, "max_price": event.max_price},
        )  # fmt: skip


def _adjusted(
    amount: int, *, percent: Decimal | None, amount_delta: int | None, currency: str
) -> int:
    if percent is not None:
        new = round_payable(Decimal(amount) * (100 + percent) / 100, currency)
    else:
        new = amount + amount_delta  # type: ignore[operator]
    return max(new, 0)


def adjust_category_prices(
    *,
    actor: Actor,
    event: Event,
    category: str,
    percent: Decimal | None = None,
    amount_delta: int | None = None,
    phase: str | None = None,
    ticket_type: str | None = None,
) -> int:
    """Change every amount of `category` (optionally only in one phase and/or for one ticket
    type) by `percent` (e.g. Decimal("10") adds 10%, rounded half up to the currency's payable
    increment, see boxoffice.currencies.round_payable) or by `amount_delta` minor units (a
    payable step). Amounts never go below 0. Returns how many amounts changed."""
    if (percent is None) == (amount_delta is None):
        raise Invalid("Give either a percentage or an amount.", code="invalid_adjustment")
    if percent is not None:
        if type(percent) is int:
            percent = Decimal(percent)
        # Below -100% every amount would be 0 anyway; the upper bound keeps the arithmetic
        # within Decimal's precision and catches a misplaced decimal point.
        if not (isinstance(percent, Decimal) and percent.is_finite() and -100 <= percent <= 1000):
            raise Invalid(
                "The percentage must be a number from -100 to 1000.", code="invalid_adjustment"
            )
    if amount_delta is not None and type(amount_delta) is not int:
        raise Invalid("The amount must be whole minor units.", code="invalid_adjustment")
    currency = current_currency()
    if amount_delta is not None and not is_payable(amount_delta, currency):
        raise Invalid(
            f"This change cannot be paid by card. {payable_rule(currency)}",
            code="amount_not_payable",
            amount_delta=amount_delta,
        )
    with transaction.atomic():
        locked = _lock_open_event(event)
        if category not in {item["key"] for item in map_categories(locked)}:
            raise Invalid(
                f"'{category}' is not a seat category of this event.",
                code="unknown_category",
                categories=[category],
            )
        if phase is not None and not PricePhase.objects.filter(event=locked, code=phase).exists():
            raise Invalid(f"There is no phase '{phase}'.", code="unknown_phase", phases=[phase])
        if (
            ticket_type is not None
            and not TicketType.objects.filter(event=locked, code=ticket_type).exists()
        ):
            raise Invalid(
                f"There is no ticket type '{ticket_type}'.",
                code="unknown_ticket_type",
                ticket_types=[ticket_type],
            )
        selected = Price.objects.filter(event=locked, category=category)
        if phase is not None:
            selected = selected.filter(phase__code=phase)
        if ticket_type is not None:
            selected = selected.filter(ticket_type__code=ticket_type)
        changed = []
        for price in selected.select_related("ticket_type", "phase").order_by("id"):
            new = _adjusted(
                price.amount, percent=percent, amount_delta=amount_delta, currency=currency
            )
            if new != price.amount:
                price.amount = new
                changed.append(price)
        if too_big := [p for p in changed if p.amount > AMOUNT_MAX]:
            raise Invalid(
                f"Amounts cannot exceed {AMOUNT_MAX} minor units.",
                code="invalid_amount",
                prices=[
                    {"category": p.category, "ticket_type": p.ticket_type.code,
                     "phase": p.phase.code, "amount": p.amount}
                    for p in too_big
                ],
            )  # fmt: skip
        Price.objects.bulk_update(changed, ["amount"])
        _refresh_price_range(event)
        record_audit(
            actor=actor, action="prices.adjusted", target_type="event", target_id=locked.uid,
            data={"category": category, "phase": phase, "ticket_type": ticket_type,
                  "percent": None if percent is None else str(percent),
                  "amount_delta": amount_delta, "changed": len(changed)},
        )  # fmt: skip
    return len(changed)
