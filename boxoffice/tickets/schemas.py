from datetime import datetime

from ninja import Field, Schema


class SigningKeyOut(Schema):
    key_id: int
    key_id_hex: str
    public_key: str = Field(description="Raw 32-byte Ed25519 public key, base64.")
    status: str
    created_at: datetime
    rotated_at: datetime | None
    retired_at: datetime | None


class TicketOut(Schema):
    id: int
    uid: str
    order: str
    seat: str = Field(description="The place as people read it: Stalls Centre, row E, seat 108")
    category: str = Field(description="The category's key, as check-in lists name them")
    category_name: str = Field(description="The category's name as people read it")
    description: str = Field(
        description="What people read about the ticket: place · category · ticket type, names "
        "only (Stalls Centre, row E, seat 108 · Premium · Adult)"
    )
    holder_name: str
    status: str
    payload: str
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
