from datetime import datetime

from ninja import Field, Schema


class BestAvailableIn(Schema):
    category: str
    quantity: int = Field(..., ge=1, le=50)
    allow_split: bool = Field(True, description="Fall back to seats apart if none sit together")
    accessible: bool = Field(
        False,
        description="A wheelchair space with `quantity - 1` seats beside it in its row, "
        "companion seats first (never split). Without it, wheelchair spaces and companion seats "
        "are not offered unless the organizer released them for general sale.",
    )


class GeneralAdmissionIn(Schema):
    section: str
    quantity: int = Field(..., ge=1, le=50)


class HoldIn(Schema):
    """Start a hold, optionally claiming seats in the same request (all or nothing)."""

    seats: list[str] | None = Field(None, max_length=50)
    best_available: BestAvailableIn | None = None
    general_admission: GeneralAdmissionIn | None = None


class SeatsIn(Schema):
    seats: list[str] = Field(..., min_length=1, max_length=50)


class HeldSeatOut(Schema):
    ref: str
    kind: str
    section: str
    row: str
    label: str
    category: str


class HoldOut(Schema):
    event: str
    status: str
    expires_at: datetime
    max_expires_at: datetime
    seats: list[HeldSeatOut]
    together: bool | None = None


class HoldCreatedOut(HoldOut):
    token: str = Field(..., description="Keep it: it is the only way back to this hold")
