from datetime import datetime
from typing import Any

from ninja import Field, Schema


class VenueIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    address: str = Field("", max_length=300)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    timezone: str = "UTC"


class VenuePatch(Schema):
    """Absent fields stay; none may be null (boxoffice.inputs)."""

    name: str = Field(None, min_length=1, max_length=200)
    address: str = Field(None, max_length=300)
    city: str = Field(None, max_length=100)
    country: str = Field(None, max_length=2)
    timezone: str = None


class VenueOut(Schema):
    id: str = Field(..., alias="uid")
    name: str
    address: str
    city: str
    country: str
    timezone: str
    seat_map_count: int = 0
    created_at: datetime
    updated_at: datetime


class SeatMapIn(Schema):
    venue: str = Field(..., description="The venue's id")
    name: str = Field(..., min_length=1, max_length=200)
    document: dict[str, Any] | None = Field(None, description="A draft document; empty if left out")
    sample: str | None = Field(
        None, description="Start from a shipped sample instead: theatre, arena or club"
    )


class SeatMapPatch(Schema):
    name: str = Field(..., min_length=1, max_length=200)


class SeatMapOut(Schema):
    id: str = Field(..., alias="uid")
    name: str
    venue: str
    draft_version: int
    version_count: int = 0
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_venue(seat_map: Any) -> str:
        return seat_map.venue.uid


class DraftIn(Schema):
    version: int = Field(..., description="The draft version you loaded (optimistic concurrency)")
    document: dict[str, Any]


class DraftOut(Schema):
    version: int
    document: dict[str, Any]
    seat_count: int
    ga_capacity: int


class OperationIn(Schema):
    version: int = Field(..., description="The draft version you loaded")
    params: dict[str, Any] = Field(default_factory=dict)


class OperationOut(Schema):
    name: str
    summary: str
    params_schema: dict[str, Any]


class PublishIn(Schema):
    version: int | None = Field(
        None, description="Publish only if the draft is still at this version"
    )


class VersionOut(Schema):
    number: int
    seat_count: int
    ga_capacity: int
    draft_version: int
    published_by: str
    created_at: datetime


class VersionDetailOut(VersionOut):
    document: dict[str, Any]
    focal_x: float
    focal_y: float
