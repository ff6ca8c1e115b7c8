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
    seat: str
    category: str
    holder_name: str
    status: str
    payload: str
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
