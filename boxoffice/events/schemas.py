from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from boxoffice.inputs import ClientDateTime
from boxoffice.money_api import MinorAmount


class RefundTier(Schema):
    """Cancelling at least `days_before` days before the start gives back `percent`."""

    days_before: int = Field(..., ge=0, le=3650)
    percent: int = Field(..., ge=0, le=100)


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=80)
    description: str = ""
    category: str = "other"
    seat_map: str = Field(..., description="The seat map's id")
    version: int | None = Field(None, description="Published version; the latest if left out")
    starts_at: ClientDateTime
    ends_at: ClientDateTime
    timezone: str | None = None
    sales_start: ClientDateTime | None = None
    sales_end: ClientDateTime | None = None
    max_seats_per_order: int = 6
    hold_minutes: int = 10
    fee_per_ticket: int = Field(0, ge=0, description="Minor units added per ticket")
    tax_rate: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)
    tax_inclusive: bool = Field(True, description="Prices include the tax (else added on top)")
    refund_policy: list[RefundTier] = Field(default_factory=list)


class EventPatch(Schema):
    """Absent fields stay; only the sales window may be set to null (boxoffice.inputs)."""

    title: str = None
    description: str = None
    category: str = None
    starts_at: ClientDateTime = None
    ends_at: ClientDateTime = None
    timezone: str = None
    sales_start: ClientDateTime | None = None
    sales_end: ClientDateTime | None = None
    max_seats_per_order: int = None
    hold_minutes: int = None
    fee_per_ticket: int = Field(None, ge=0)
    tax_rate: Decimal = Field(None, ge=0, le=100, decimal_places=2)
    tax_inclusive: bool = None
    refund_policy: list[RefundTier] = None


class VenueBrief(Schema):
    id: str = Field(..., alias="uid")
    name: str
    city: str
    country: str


class EventOut(Schema):
    id: str = Field(..., alias="uid")
    slug: str
    title: str
    description: str
    category: str
    status: str
    venue: VenueBrief
    seat_map: str
    seat_map_version: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    sales_start: datetime | None
    sales_end: datetime | None
    max_seats_per_order: int
    hold_minutes: int
    min_price: MinorAmount | None
    max_price: MinorAmount | None
    fee_per_ticket: MinorAmount
    tax_rate: Decimal
    tax_inclusive: bool
    refund_policy: list[RefundTier]

    @staticmethod
    def resolve_seat_map(event: Any) -> str:
        return event.seat_map_version.seat_map.uid

    @staticmethod
    def resolve_seat_map_version(event: Any) -> int:
        return event.seat_map_version.number


class SeatsIn(Schema):
    seats: list[str] = Field(..., min_length=1, max_length=10_000)


class AccessSeatsIn(Schema):
    seats: list[str] | None = Field(
        None,
        max_length=10_000,
        description="Wheelchair spaces and companion seats by ref; left out: all of the event's",
    )


class SeatsOut(Schema):
    seats: list[str]


class EventSeatsOut(Schema):
    """Static facts per place, in snapshot order: columns named once, then one array per place."""

    columns: list[str]
    seats: list[list[str]]


class AvailabilityOut(Schema):
    event: str
    legend: dict[str, str]
    statuses: str = Field(..., description="One letter per place, in the order of /seats")
    counts: dict[str, int]
