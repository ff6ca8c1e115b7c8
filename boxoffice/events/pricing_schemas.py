"""Request and response bodies of the price endpoints (the rules live in boxoffice/events/prices.py
and boxoffice/events/services/pricing.py, so these only shape and bound the input)."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from boxoffice.inputs import ClientDateTime
from boxoffice.money_api import MinorAmount


class TicketTypeIn(Schema):
    code: str = Field(..., description="e.g. adult; lowercase letters, digits, - and _")
    name: str


class PhaseIn(Schema):
    code: str = Field(..., description="e.g. early")
    name: str
    until: ClientDateTime | None = Field(
        None, description="End of the phase (with offset); null for the open-ended phase"
    )


class PriceIn(Schema):
    category: str = Field(..., description="A seat category key of the event's seat map")
    ticket_type: str
    phase: str
    amount: int = Field(..., description="Minor units, e.g. cents")


class PriceTableIn(Schema):
    """The whole table; whatever it leaves out is removed."""

    # Bounds keep a hostile body from costing much before the service looks at it.
    ticket_types: list[TicketTypeIn] = Field(..., max_length=50)
    phases: list[PhaseIn] = Field(..., max_length=20)
    prices: list[PriceIn] = Field(..., max_length=10_000)


class PriceAdjustIn(Schema):
    category: str
    percent: Decimal | None = Field(None, description="e.g. 10 for +10%, -15.5 for -15.5%")
    amount_delta: int | None = Field(None, description="Minor units to add (negative: subtract)")
    phase: str | None = Field(None, description="Only this phase; all phases if left out")
    ticket_type: str | None = Field(None, description="Only this ticket type; all if left out")


class TicketTypeOut(Schema):
    code: str
    name: str


class PhaseOut(Schema):
    code: str
    name: str
    until: datetime | None


class CategoryOut(Schema):
    key: str
    name: str


class AmountOut(Schema):
    ticket_type: str
    phase: str
    amount: MinorAmount


class PriceTableOut(Schema):
    ticket_types: list[TicketTypeOut]
    phases: list[PhaseOut] = Field(..., description="In order; the open-ended phase last")
    categories: list[CategoryOut] = Field(..., description="The seat map's categories")
    prices: dict[str, list[AmountOut]] = Field(..., description="Amounts by seat category")
    categories_in_use: list[str]
    missing: list[str] = Field(
        ...,
        description="Categories in use without a price in some phase; publishing needs none",
    )
    min_price: MinorAmount | None
    max_price: MinorAmount | None


class PriceAdjustOut(Schema):
    changed: int
    table: PriceTableOut
