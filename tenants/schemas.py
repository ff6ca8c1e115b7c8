from datetime import datetime
from typing import Any

from ninja import Field, Schema

from tenants.models import Organizer
from tenants.roles import Role
from tenants.selectors import organizer_url
from tenants.services import MAX_APPLICATION_FEE_BPS


class OrganizerOut(Schema):
    slug: str
    name: str
    currency: str
    timezone: str
    status: str
    url: str
    created_at: datetime

    @staticmethod
    def resolve_url(organizer: Organizer, context: dict[str, Any] | None = None) -> str:
        return organizer_url(organizer, request=(context or {}).get("request"))


class OrganizerAdminOut(OrganizerOut):
    """An organizer as platform staff see it."""

    application_fee_bps: int = Field(
        ..., description="The platform's fee in basis points (1/100 %) of each Stripe order"
    )
    stripe_account_id: str


class OrganizerChangeIn(Schema):
    application_fee_bps: int = Field(
        ..., ge=0, le=MAX_APPLICATION_FEE_BPS, description="Basis points: 250 is 2.5%"
    )
    reason: str = Field("", max_length=500, description="Kept in the organizer's audit log")


class MeOut(Schema):
    email: str
    full_name: str | None = None
    kind: str
    role: str
    is_supervisor: bool
    organizer: OrganizerOut


class ApiTokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    role: Role = Role.STAFF


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(..., description="The secret. Shown once; store it now.")


class SignupIn(Schema):
    slug: str = Field(..., description="Your site address: <slug>.<base domain>")
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=256)
    full_name: str = Field("", max_length=200)
    currency: str = Field("EUR", min_length=3, max_length=3)
    timezone: str = "UTC"


class SignupOut(Schema):
    organizer: OrganizerOut
    login_url: str


class SlugCheckOut(Schema):
    slug: str
    available: bool
    code: str | None = None
    message: str | None = None


class StatusChangeIn(Schema):
    reason: str = Field("", max_length=500)


class AuditEntryOut(Schema):
    id: int
    actor_kind: str
    actor_label: str
    action: str
    target_type: str
    target_id: str
    data: dict[str, Any]
    created_at: datetime
