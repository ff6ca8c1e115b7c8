"""Price tables: resolution across phases and ticket types, replacement and its refusals, batch
adjustments, the listing's min/max, unpriced categories, and the API's permissions."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from boxoffice.actors import Actor
from boxoffice.audit.models import AuditEntry
from boxoffice.errors import Conflict, Invalid
from boxoffice.events import prices
from boxoffice.events.models import Event, PricePhase, TicketType
from boxoffice.events.services import pricing
from boxoffice.events.services.events import create_event
from seatmaps import services as seatmap_services
from seatmaps.document import Category
from tenants.roles import Role
from tests.builders.money import plain
from tests.builders.organizers import make_member, signed_in_client
from tests.builders.seatmaps import grid_document

ADMIN = Actor.system("test admin")
EARLY_END = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
STARTS = datetime(2030, 6, 1, 19, 30, tzinfo=UTC)

TICKET_TYPES = [{"code": "adult", "name": "Adult"}, {"code": "child", "name": "Child"}]
PHASES = [
    {"code": "regular", "name": "Regular", "until": None},
    {"code": "early", "name": "Early bird", "until": EARLY_END},
]
PRICES = [
    {"category": "premium", "ticket_type": "adult", "phase": "early", "amount": 4000},
    {"category": "premium", "ticket_type": "adult", "phase": "regular", "amount": 5000},
    {"category": "premium", "ticket_type": "child", "phase": "early", "amount": 2500},
    {"category": "premium", "ticket_type": "child", "phase": "regular", "amount": 3000},
    {"category": "standard", "ticket_type": "adult", "phase": "early", "amount": 2000},
    {"category": "standard", "ticket_type": "adult", "phase": "regular", "amount": 2500},
]


def make_event(*, extra_category: bool = False, title: str = "Gala") -> Event:
    """A draft event on a published 3x4 grid (row A premium, rows B-C standard), in the
    current schema. `extra_category` adds a 'box' category that no seat uses."""
    document = grid_document(3, 4)
    if extra_category:
        document.categories.append(Category(key="box", name="Box", color="#e76f51"))
    venue = seatmap_services.create_venue(actor=ADMIN, name="Grand Hall")
    seat_map = seatmap_services.create_seat_map(
        actor=ADMIN, venue=venue, name="Main", document=document
    )
    version = seatmap_services.publish_seat_map(actor=ADMIN, seat_map=seat_map)
    return create_event(
        actor=ADMIN,
        seat_map_version=version,
        title=title,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=3),
    )


def set_table(event: Event, *, ticket_types=TICKET_TYPES, phases=PHASES, prices=PRICES) -> None:
    pricing.set_price_table(
        actor=ADMIN, event=event, ticket_types=ticket_types, phases=phases, prices=prices
    )


@pytest.fixture
def event(organizer):
    with schema_context(organizer.schema_name):
        yield make_event()


@pytest.fixture
def priced_event(event):
    set_table(event)
    return event


# --- resolution ---------------------------------------------------------------------------------


def test_resolve_price_across_phases_and_ticket_types(priced_event):
    def price(category: str, ticket_type: str, at: datetime) -> int:
        return prices.resolve_price(
            event=priced_event, category=category, ticket_type=ticket_type, at=at
        )

    before, after = EARLY_END - timedelta(seconds=1), EARLY_END + timedelta(days=20)
    assert price("premium", "adult", before) == 4000
    assert price("premium", "child", before) == 2500
    assert price("standard", "adult", before) == 2000
    # `until` is the end of the phase: at that very moment the next one is in force.
    assert price("premium", "adult", EARLY_END) == 5000
    assert price("premium", "adult", after) == 5000
    assert price("premium", "child", after) == 3000
    assert price("standard", "adult", after) == 2500


def test_three_phases_resolve_by_until_not_by_order_given(event):
    presale_end = EARLY_END + timedelta(days=10)
    set_table(
        event,
        ticket_types=TICKET_TYPES[:1],
        phases=[
            {"code": "regular", "name": "Regular", "until": None},
            {"code": "presale", "name": "Presale", "until": presale_end},
            {"code": "early", "name": "Early", "until": EARLY_END},
        ],
        prices=[
            {"category": category, "ticket_type": "adult", "phase": phase, "amount": amount}
            for category in ("premium", "standard")
            for phase, amount in (("early", 1000), ("presale", 1500), ("regular", 2000))
        ],
    )
    expected = [
        (EARLY_END - timedelta(days=30), "early", 1000),
        (EARLY_END, "presale", 1500),
        (presale_end - timedelta(microseconds=1), "presale", 1500),
        (presale_end, "regular", 2000),
        (STARTS, "regular", 2000),
    ]
    for at, phase, amount in expected:
        assert prices.current_phase(event=event, at=at).code == phase
        assert prices.resolve_price(
            event=event, category="standard", ticket_type="adult", at=at
        ) == amount  # fmt: skip


def test_no_price_is_refused_naming_what_is_missing(priced_event):
    with pytest.raises(Invalid) as refused:
        prices.resolve_price(
            event=priced_event, category="standard", ticket_type="child", at=EARLY_END
        )
    assert refused.value.code == "no_price"
    assert refused.value.details == {
        "category": "standard", "ticket_type": "child", "phase": "regular",
    }  # fmt: skip
    for category, ticket_type in (("balcony", "adult"), ("premium", "senior")):
        with pytest.raises(Invalid) as refused:
            prices.resolve_price(
                event=priced_event, category=category, ticket_type=ticket_type, at=EARLY_END
            )
        assert refused.value.code == "no_price"


def test_an_event_without_prices_prices_nothing(event):
    assert prices.current_phase(event=event, at=EARLY_END) is None
    with pytest.raises(Invalid) as refused:
        prices.resolve_price(event=event, category="premium", ticket_type="adult", at=EARLY_END)
    assert (refused.value.code, refused.value.details["phase"]) == ("no_price", None)


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL run inside the block, without django-tenants' `SET search_path` per cursor."""
    found: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield found
    found.extend(
        query["sql"]
        for query in context.captured_queries
        if not query["sql"].startswith("SET search_path")
    )


def test_resolve_price_costs_two_queries_or_none_with_prices_in_force(priced_event):
    at = EARLY_END - timedelta(days=1)
    with counted_queries() as queries:
        amount = prices.resolve_price(
            event=priced_event, category="premium", ticket_type="child", at=at
        )
    assert (amount, len(queries)) == (2500, 2), queries
    with counted_queries() as queries:
        in_force = prices.prices_in_force(event=priced_event, at=at)
        amounts = [
            prices.resolve_price(event=priced_event, category=category, ticket_type=kind,
                                  at=at, in_force=in_force)
            for category, kind in (("premium", "adult"), ("premium", "child"),
                                   ("standard", "adult"))
        ]  # fmt: skip
    assert (amounts, len(queries)) == ([4000, 2500, 2000], 2), queries
    with pytest.raises(ValueError):
        prices.resolve_price(
            event=priced_event, category="premium", ticket_type="adult", at=STARTS,
            in_force=in_force,
        )  # fmt: skip


# --- replacing the table ------------------------------------------------------------------------


def test_price_table_lists_everything_in_order_and_is_audited(priced_event):
    table = prices.price_table(event=priced_event)
    assert table["ticket_types"] == TICKET_TYPES
    assert [phase["code"] for phase in table["phases"]] == ["early", "regular"]
    assert table["categories"] == [
        {"key": "premium", "name": "Premium"}, {"key": "standard", "name": "Standard"},
    ]  # fmt: skip
    assert table["prices"]["premium"] == [
        {"ticket_type": "adult", "phase": "early", "amount": 4000},
        {"ticket_type": "child", "phase": "early", "amount": 2500},
        {"ticket_type": "adult", "phase": "regular", "amount": 5000},
        {"ticket_type": "child", "phase": "regular", "amount": 3000},
    ]
    assert table["categories_in_use"] == ["premium", "standard"]
    assert table["missing"] == []
    assert (table["min_price"], table["max_price"]) == (2000, 5000)
    entry = AuditEntry.objects.filter(action="prices.replaced").get()
    assert entry.target_id == priced_event.uid
    assert entry.data["prices"] == len(PRICES)


def test_replacing_keeps_rows_by_code_and_moves_the_open_ended_phase(priced_event):
    adult = TicketType.objects.get(event=priced_event, code="adult")
    regular = PricePhase.objects.get(event=priced_event, code="regular")
    late_start = STARTS - timedelta(days=2)
    set_table(
        priced_event,
        ticket_types=[{"code": "adult", "name": "Full price"}],
        phases=[
            {"code": "regular", "name": "Regular", "until": late_start},
            {"code": "late", "name": "Last minute", "until": None},
        ],
        prices=[
            {"category": category, "ticket_type": "adult", "phase": phase, "amount": amount}
            for category in ("premium", "standard")
            for phase, amount in (("regular", 3000), ("late", 3500))
        ],
    )
    assert TicketType.objects.get(event=priced_event, code="adult").pk == adult.pk
    assert not TicketType.objects.filter(event=priced_event, code="child").exists()
    assert PricePhase.objects.get(event=priced_event, code="regular").pk == regular.pk
    assert not PricePhase.objects.filter(event=priced_event, code="early").exists()
    assert prices.resolve_price(
        event=priced_event, category="premium", ticket_type="adult", at=late_start
    ) == 3500  # fmt: skip
    assert prices.price_table(event=priced_event)["ticket_types"] == [
        {"code": "adult", "name": "Full price"}
    ]
    assert (priced_event.min_price, priced_event.max_price) == (3000, 3500)


def test_an_empty_table_clears_prices_and_the_price_range(priced_event):
    set_table(priced_event, ticket_types=[], phases=[], prices=[])
    priced_event.refresh_from_db()
    assert (priced_event.min_price, priced_event.max_price) == (None, None)
    assert prices.price_table(event=priced_event)["prices"] == {}


def _with(prices=None, **changes) -> dict:
    table = {"ticket_types": TICKET_TYPES, "phases": PHASES, "prices": PRICES}
    if prices is not None:
        table["prices"] = PRICES + prices
    return table | changes


def _price(**changes) -> dict:
    return {"category": "standard", "ticket_type": "child", "phase": "regular", "amount": 1} | (
        changes
    )


NAIVE = datetime(2030, 5, 1, 12, 0)  # no tzinfo: refused on purpose
REFUSALS = {
    "bad ticket type code": (
        _with(ticket_types=[*TICKET_TYPES, {"code": "Senior Citizen", "name": "Senior"}]),
        "invalid_code", {"ticket_types": ["Senior Citizen"]},
    ),
    "duplicate ticket type": (
        _with(ticket_types=[*TICKET_TYPES, {"code": "child", "name": "Kid"}]),
        "duplicate_code", {"ticket_types": ["child"]},
    ),
    "duplicate phase": (
        _with(phases=[*PHASES, {"code": "early", "name": "Again", "until": STARTS}]),
        "duplicate_code", {"phases": ["early"]},
    ),
    "blank name": (
        _with(ticket_types=[*TICKET_TYPES, {"code": "senior", "name": "  "}]),
        "invalid_name", {"ticket_types": ["senior"]},
    ),
    "two open-ended phases": (
        _with(phases=[*PHASES, {"code": "late", "name": "Late", "until": None}]),
        "phases_need_one_open_ended", {"open_ended": ["regular", "late"]},
    ),
    "no open-ended phase": (
        _with(phases=[{**PHASES[0], "until": STARTS}, PHASES[1]]),
        "phases_need_one_open_ended", {"open_ended": []},
    ),
    "prices without phases": (
        _with(phases=[]), "phases_need_one_open_ended", {"open_ended": []},
    ),
    "two phases ending together": (
        _with(phases=[*PHASES, {"code": "pre", "name": "Presale", "until": EARLY_END}]),
        "duplicate_until", {"phases": ["early", "pre"]},
    ),
    "naive phase end": (
        _with(phases=[PHASES[0], {**PHASES[1], "until": NAIVE}]),
        "naive_datetime", {"phases": ["early"]},
    ),
    "category not in the map": (
        _with([_price(category="vip")]), "unknown_category", {"prices": [_price(category="vip")]},
    ),
    "unknown ticket type": (
        _with([_price(ticket_type="senior")]),
        "unknown_ticket_type", {"prices": [_price(ticket_type="senior")]},
    ),
    "unknown phase": (
        _with([_price(phase="vip-presale")]),
        "unknown_phase", {"prices": [_price(phase="vip-presale")]},
    ),
    "negative amount": (
        _with([_price(amount=-1)]), "invalid_amount", {"prices": [_price(amount=-1)]},
    ),
    "fractional amount": (
        _with([_price(amount=12.5)]), "invalid_amount", {"prices": [_price(amount=12.5)]},
    ),
    "amount beyond the column": (
        _with([_price(amount=2**31)]), "invalid_amount", {"prices": [_price(amount=2**31)]},
    ),
    "duplicate price": (
        _with([_price(), _price(amount=2)]),
        "duplicate_price",
        {"prices": [{"category": "standard", "ticket_type": "child", "phase": "regular"}]},
    ),
}  # fmt: skip


@pytest.mark.parametrize(("table", "code", "details"), REFUSALS.values(), ids=REFUSALS.keys())
def test_set_price_table_refusals_leave_the_old_table(priced_event, table, code, details):
    before = prices.price_table(event=priced_event)
    with pytest.raises(Invalid) as refused:
        pricing.set_price_table(actor=ADMIN, event=priced_event, **table)
    assert (refused.value.code, refused.value.details) == (code, details)
    assert prices.price_table(event=priced_event) == before
    assert AuditEntry.objects.filter(action="prices.replaced").count() == 1


@pytest.mark.parametrize("status", [Event.Status.COMPLETED, Event.Status.CANCELLED])
def test_closed_events_keep_their_prices(priced_event, status):
    Event.objects.filter(pk=priced_event.pk).update(status=status)
    before = prices.price_table(event=priced_event)
    with pytest.raises(Conflict) as refused:
        set_table(priced_event, prices=PRICES[:2])
    assert refused.value.code == "event_closed"
    with pytest.raises(Conflict) as refused:
        pricing.adjust_category_prices(
            actor=ADMIN, event=priced_event, category="premium", amount_delta=100
        )
    assert refused.value.code == "event_closed"
    assert prices.price_table(event=priced_event) == before


def test_a_published_event_cannot_lose_a_category_price(priced_event):
    Event.objects.filter(pk=priced_event.pk).update(status=Event.Status.ON_SALE)
    premium_only = [price for price in PRICES if price["category"] == "premium"]
    with pytest.raises(Invalid) as refused:
        set_table(priced_event, prices=premium_only)
    assert (refused.value.code, refused.value.details) == (
        "prices_missing", {"categories": ["standard"]},
    )  # fmt: skip
    set_table(priced_event, prices=[*PRICES, _price(amount=1200)])  # more is fine
    assert prices.resolve_price(
        event=priced_event, category="standard", ticket_type="child", at=STARTS
    ) == 1200  # fmt: skip


# --- batch adjustments --------------------------------------------------------------------------


def amounts(event: Event, category: str) -> dict[tuple[str, str], int]:
    return {
        (row["ticket_type"], row["phase"]): row["amount"]
        for row in prices.price_table(event=event)["prices"].get(category, [])
    }


def test_adjust_by_percent_rounds_half_up(event):
    set_table(
        event,
        prices=[
            {"category": "premium", "ticket_type": "adult", "phase": "early", "amount": 1999},
            {"category": "premium", "ticket_type": "adult", "phase": "regular", "amount": 1001},
            {"category": "premium", "ticket_type": "child", "phase": "regular", "amount": 5},
            {"category": "standard", "ticket_type": "adult", "phase": "regular", "amount": 1000},
        ],
    )
    changed = pricing.adjust_category_prices(
        actor=ADMIN, event=event, category="premium", percent=Decimal("10")
    )
    # 2198.9 -> 2199, 1101.1 -> 1101, 5.5 -> 6; standard untouched.
    assert changed == 3
    assert amounts(event, "premium") == {
        ("adult", "early"): 2199, ("adult", "regular"): 1101, ("child", "regular"): 6,
    }  # fmt: skip
    assert amounts(event, "standard") == {("adult", "regular"): 1000}
    pricing.adjust_category_prices(
        actor=ADMIN, event=event, category="premium", percent=Decimal("-50"), phase="regular"
    )
    # 550.5 -> 551 and 3 -> 3 (half up, never half even).
    assert amounts(event, "premium")[("adult", "regular")] == 551
    assert amounts(event, "premium")[("child", "regular")] == 3
    assert amounts(event, "premium")[("adult", "early")] == 2199
    entry = AuditEntry.objects.filter(action="prices.adjusted").order_by("id").last()
    assert entry.data["percent"] == "-50"
    assert entry.data["phase"] == "regular"


def test_adjust_by_amount_scoped_and_floored_at_zero(priced_event):
    changed = pricing.adjust_category_prices(
        actor=ADMIN, event=priced_event, category="premium", amount_delta=-2600,
        ticket_type="child",
    )  # fmt: skip
    assert changed == 2
    assert amounts(priced_event, "premium") == {
        ("adult", "early"): 4000, ("adult", "regular"): 5000,
        ("child", "early"): 0, ("child", "regular"): 400,
    }  # fmt: skip
    assert (priced_event.min_price, priced_event.max_price) == (0, 5000)
    # Already at 0: only the amount that really moves counts.
    changed = pricing.adjust_category_prices(
        actor=ADMIN, event=priced_event, category="premium", amount_delta=-500,
        ticket_type="child",
    )  # fmt: skip
    assert changed == 1
    assert amounts(priced_event, "premium")[("child", "regular")] == 0
    changed = pricing.adjust_category_prices(
        actor=ADMIN, event=priced_event, category="standard", amount_delta=250,
        phase="early", ticket_type="adult",
    )  # fmt: skip
    assert changed == 1
    assert amounts(priced_event, "standard") == {
        ("adult", "early"): 2250,
        ("adult", "regular"): 2500,
    }


def test_adjustments_refresh_the_price_range(priced_event):
    pricing.adjust_category_prices(
        actor=ADMIN, event=priced_event, category="premium", percent=Decimal("20")
    )
    stored = Event.objects.values("min_price", "max_price").get(pk=priced_event.pk)
    assert stored == {"min_price": 2000, "max_price": 6000}
    assert (priced_event.min_price, priced_event.max_price) == (2000, 6000)
    pricing.adjust_category_prices(
        actor=ADMIN, event=priced_event, category="standard", percent=-100
    )
    stored = Event.objects.values("min_price", "max_price").get(pk=priced_event.pk)
    assert stored == {"min_price": 0, "max_price": 6000}


ADJUST_REFUSALS = {
    "both": ({"percent": Decimal(5), "amount_delta": 5}, "invalid_adjustment"),
    "neither": ({}, "invalid_adjustment"),
    "percent not a number": ({"percent": Decimal("NaN")}, "invalid_adjustment"),
    "percent too large": ({"percent": Decimal("1e9")}, "invalid_adjustment"),
    "fractional delta": ({"amount_delta": 2.5}, "invalid_adjustment"),
    "unknown category": ({"category": "vip", "amount_delta": 5}, "unknown_category"),
    "unknown phase": ({"phase": "late", "amount_delta": 5}, "unknown_phase"),
    "unknown ticket type": ({"ticket_type": "senior", "amount_delta": 5}, "unknown_ticket_type"),
    "beyond the column": ({"amount_delta": 2**31}, "invalid_amount"),
}


@pytest.mark.parametrize(("arguments", "code"), ADJUST_REFUSALS.values(), ids=ADJUST_REFUSALS)
def test_adjust_refusals_change_nothing(priced_event, arguments, code):
    before = prices.price_table(event=priced_event)
    with pytest.raises(Invalid) as refused:
        pricing.adjust_category_prices(
            actor=ADMIN, event=priced_event, **({"category": "premium"} | arguments)
        )
    assert refused.value.code == code
    assert prices.price_table(event=priced_event) == before


# --- unpriced categories ------------------------------------------------------------------------


def test_missing_prices(organizer):
    with schema_context(organizer.schema_name):
        event = make_event(extra_category=True)
        # Nothing priced yet: every category with seats is missing, the unused 'box' is not.
        assert prices.missing_prices(event=event) == ["premium", "standard"]
        # 'standard' has no price at all in the early phase.
        set_table(event, prices=[p for p in PRICES if p["phase"] == "regular"] + PRICES[:1])
        assert prices.missing_prices(event=event) == ["standard"]
        # One ticket type per phase is enough: child tickets are simply not sold in standard.
        set_table(event)
        assert prices.missing_prices(event=event) == []
        table = prices.price_table(event=event)
        assert table["missing"] == []
        assert table["categories_in_use"] == ["premium", "standard"]
        assert [category["key"] for category in table["categories"]] == [
            "premium", "standard", "box",
        ]  # fmt: skip
        # Phases without any amount leave every category in use unpriced.
        set_table(event, prices=[])
        assert prices.missing_prices(event=event) == ["premium", "standard"]
        assert prices.price_table(event=event)["missing"] == ["premium", "standard"]


# --- the API ------------------------------------------------------------------------------------

TABLE_JSON = {
    "ticket_types": TICKET_TYPES,
    "phases": [
        {"code": "regular", "name": "Regular", "until": None},
        {"code": "early", "name": "Early bird", "until": "2030-05-01T14:00:00+02:00"},
    ],
    "prices": PRICES,
}


def test_staff_read_admins_write(organizer):
    with schema_context(organizer.schema_name):
        event = make_event()
    admin = signed_in_client(organizer, make_member(organizer, Role.ADMIN))
    staff = signed_in_client(organizer, make_member(organizer, Role.STAFF))
    url = f"/api/v1/events/{event.uid}/prices"

    refused = staff.put(url, TABLE_JSON, content_type="application/json")
    assert (refused.status_code, plain(refused.json())["code"]) == (403, "forbidden")
    refused = staff.post(f"{url}/adjust", {"category": "premium", "amount_delta": 1},
                         content_type="application/json")  # fmt: skip
    assert refused.status_code == 403

    saved = admin.put(url, TABLE_JSON, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert plain(saved.json())["phases"][0] == {
        "code": "early", "name": "Early bird", "until": "2030-05-01T12:00:00Z",
    }  # fmt: skip

    read = staff.get(f"/api/v1/events/{event.slug}/prices")
    assert read.status_code == 200
    body = plain(read.json())
    assert body["prices"]["standard"] == [
        {"ticket_type": "adult", "phase": "early", "amount": 2000},
        {"ticket_type": "adult", "phase": "regular", "amount": 2500},
    ]
    assert (body["min_price"], body["max_price"], body["missing"]) == (2000, 5000, [])

    adjusted = admin.post(
        f"{url}/adjust", {"category": "standard", "percent": "12.5", "phase": "regular"},
        content_type="application/json",
    )  # fmt: skip
    assert adjusted.status_code == 200, adjusted.content
    assert plain(adjusted.json())["changed"] == 1
    assert plain(adjusted.json())["table"]["prices"]["standard"][1]["amount"] == 2813  # 2812.5 up

    invalid = admin.put(
        url, {**TABLE_JSON, "prices": [*PRICES, _price(category="vip")]},
        content_type="application/json",
    )  # fmt: skip
    assert invalid.status_code == 422
    assert plain(invalid.json())["code"] == "unknown_category"
    assert plain(invalid.json())["details"]["prices"] == [_price(category="vip")]
    malformed = admin.put(url, {"ticket_types": "adult"}, content_type="application/json")
    assert (malformed.status_code, plain(malformed.json())["code"]) == (422, "validation_error")


def test_events_of_other_organizers_do_not_exist_here(organizer, other_organizer):
    with schema_context(organizer.schema_name):
        event = make_event()
    outsider = signed_in_client(other_organizer, make_member(other_organizer, Role.ADMIN))
    url = f"/api/v1/events/{event.uid}/prices"
    for response in (
        outsider.get(url),
        outsider.put(url, TABLE_JSON, content_type="application/json"),
        outsider.get("/api/v1/events/no-such-event/prices"),
    ):
        assert (response.status_code, plain(response.json())["code"]) == (404, "event_not_found")
    # A member of the other organizer only, on this organizer's site: nothing exists for them.
    stranger = signed_in_client(organizer, make_member(other_organizer, Role.OWNER))
    assert stranger.get(url).status_code == 404
    with schema_context(organizer.schema_name):
        assert not TicketType.objects.exists()
