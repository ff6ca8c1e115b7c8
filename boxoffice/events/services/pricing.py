"""Writes to the prices of an event: the price table (ticket types, time phases, amounts per seat
category) and category-wide adjustments. Reads and the rules of which price is in force:
`boxoffice.events.prices`.

Every amount is an integer in minor units. Writes lock the event row first, so two price changes
on one event run one after the other.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.currencies import current_currency, is_payable, payable_rule, round_payable
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Conflict, Invalid
from boxoffice.events.error_codes import ErrorCode
from boxoffice.events.models import Event, Price, PricePhase, TicketType
from boxoffice.events.prices import categories_in_use, map_categories, unpriced_categories
from seatmaps.document import KEY_PATTERN
from seatmaps.error_codes import ErrorCode as SeatMapCode

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
            code=ErrorCode.EVENT_CLOSED,
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
            code=ErrorCode.INVALID_CODE,
            **{kind: bad_codes},
        )
    if repeated := _duplicates([item["code"] for item in items]):
        raise Invalid(
            f"Codes used twice: {', '.join(repeated)}.",
            code=ErrorCode.DUPLICATE_CODE,
            **{kind: repeated},
        )
    bad_names = [item["code"] for item in items if not 1 <= len(item["name"]) <= NAME_MAX]
    if bad_names:
        raise Invalid(
            f"Names are 1-{NAME_MAX} characters.", code=KernelCode.INVALID_NAME, **{kind: bad_names}
        )


def _check_phases(phases: list[dict[str, Any]], *, any_prices: bool) -> None:
    naive = [p["code"] for p in phases if p["until"] is not None and timezone.is_naive(p["until"])]
    if naive:
        raise Invalid(
            "Phase ends need a time zone offset.", code=ErrorCode.NAIVE_DATETIME, phases=naive
        )
    open_ended = [phase["code"] for phase in phases if phase["until"] is None]
    # One open-ended phase means there is always a phase in force, whatever the moment.
    if (phases or any_prices) and len(open_ended) != 1:
        raise Invalid(
            "A price table needs exactly one phase without an end (the regular prices).",
            code=ErrorCode.PHASES_NEED_ONE_OPEN_ENDED,
            open_ended=open_ended,
        )
    ends = [phase["until"] for phase in phases if phase["until"] is not None]
    if repeated := _duplicates(ends):
        raise Invalid(
            "Two phases end at the same moment.",
            code=ErrorCode.DUPLICATE_UNTIL,
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
        (SeatMapCode.UNKNOWN_CATEGORY, "These seat categories are not in the event's seat map.",
         lambda price: price["category"] not in categories),
        (ErrorCode.UNKNOWN_TICKET_TYPE,
         "These prices name ticket types the table does not define.",
         lambda price: price["ticket_type"] not in types),
        (ErrorCode.UNKNOWN_PHASE, "These prices name phases the table does not define.",
         lambda price: price["phase"] not in phases),
        (ErrorCode.INVALID_AMOUNT, f"Amounts are whole minor units from 0 to {AMOUNT_MAX}.",
         lambda price: not _valid_amount(price["amount"])),
        (KernelCode.AMOUNT_NOT_PAYABLE,
         f"These amounts cannot be paid by card. {payable_rule(currency)}",
         lambda price: not is_payable(price["amount"], currency)),
    )  # fmt: skip
    for code, message, test in checks:
        if found := offenders(test):
            raise Invalid(message, code=code, prices=found)
    keys = [(price["category"], price["ticket_type"], price["phase"]) for price in prices]
    if repeated := _duplicates(keys):
        raise Invalid(
            "More than one amount for the same category, ticket type and phase.",
            code=ErrorCode.DUPLICATE_PRICE,
            prices=[{"category": c, "ticket_type": t, "phase": p} for c, t, p in repeated],
        )


def _check_still_priced(
    event: Event, phases: list[dict[str, Any]], prices: list[dict[str, Any]]
) -> None:
    # Publishing refused an unpriced category; a later table must not bring one back while
    # customers can buy (resolve_price would then refuse their seats).
    missing = unpriced_categories(
        categories_in_use(event),
        [phase["code"] for phase in phases],
        {(price["category"], price["phase"]) for price in prices},
    )
    if missing:
        raise Invalid(
            "This event is published: every seat category in use needs a price in every phase.",
            code=ErrorCode.PRICES_MISSING,
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
        raise Invalid("Give either a percentage or an amount.", code=ErrorCode.INVALID_ADJUSTMENT)
    if percent is not None:
        if type(percent) is int:
            percent = Decimal(percent)
        # Below -100% every amount would be 0 anyway; the upper bound keeps the arithmetic
        # within Decimal's precision and catches a misplaced decimal point.
        if not (isinstance(percent, Decimal) and percent.is_finite() and -100 <= percent <= 1000):
            raise Invalid(
                "The percentage must be a number from -100 to 1000.",
                code=ErrorCode.INVALID_ADJUSTMENT,
            )
    if amount_delta is not None and type(amount_delta) is not int:
        raise Invalid("The amount must be whole minor units.", code=ErrorCode.INVALID_ADJUSTMENT)
    currency = current_currency()
    if amount_delta is not None and not is_payable(amount_delta, currency):
        raise Invalid(
            f"This change cannot be paid by card. {payable_rule(currency)}",
            code=KernelCode.AMOUNT_NOT_PAYABLE,
            amount_delta=amount_delta,
        )
    with transaction.atomic():
        locked = _lock_open_event(event)
        if category not in {item["key"] for item in map_categories(locked)}:
            raise Invalid(
                f"'{category}' is not a seat category of this event.",
                code=SeatMapCode.UNKNOWN_CATEGORY,
                categories=[category],
            )
        if phase is not None and not PricePhase.objects.filter(event=locked, code=phase).exists():
            raise Invalid(
                f"There is no phase '{phase}'.", code=ErrorCode.UNKNOWN_PHASE, phases=[phase]
            )
        if (
            ticket_type is not None
            and not TicketType.objects.filter(event=locked, code=ticket_type).exists()
        ):
            raise Invalid(
                f"There is no ticket type '{ticket_type}'.",
                code=ErrorCode.UNKNOWN_TICKET_TYPE,
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
                code=ErrorCode.INVALID_AMOUNT,
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
