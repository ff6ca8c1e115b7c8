from datetime import datetime
from typing import Any

from ninja import Field, Schema


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=80)
    description: str = ""
    category: str = "other"
    seat_map: str = Field(..., description="The seat map's id")
    version: int | None = Field(None, description="Published version; the latest if left out")
    starts_at: datetime
    ends_at: datetime
    timezone: str | None = None
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    max_seats_per_order: int = 6
    hold_minutes: int = 10


class EventPatch(Schema):
    title: str | None = None
    description: str | None = None
    category: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    max_seats_per_order: int | None = None
    hold_minutes: int | None = None


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
    min_price: int | None
    max_price: int | None

    @staticmethod
    def resolve_seat_map(event: Any) -> str:
        return event.seat_map_version.seat_map.uid

    @staticmethod
    def resolve_seat_map_version(event: Any) -> int:
        return event.seat_map_version.number


class SeatsIn(Schema):
    seats: list[str] = Field(..., min_length=1, max_length=10_000)


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
