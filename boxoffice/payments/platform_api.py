"""Platform-site API of the payments app: provider events that need a person (staff only)."""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from boxoffice.errors import NotFound
from boxoffice.inputs import Pagination
from boxoffice.payments import selectors
from boxoffice.payments.error_codes import ErrorCode
from boxoffice.payments.models import WebhookEvent
from boxoffice.payments.schemas import WebhookEventDetailOut, WebhookEventOut
from tenants.auth import PlatformStaffAuth

router = Router(tags=["platform: payments"], auth=PlatformStaffAuth())


class WebhookEventFilters(Schema):
    status: Literal["rejected", "failed"] | None = None
    type: str | None = None
    reason: str | None = None
    organizer: str | None = None


@router.get(
    "/webhook-events",
    response=list[WebhookEventOut],
    summary="Provider events that were rejected or failed, newest first (staff)",
)
@paginate(Pagination)
def list_webhook_events(
    request: HttpRequest, filters: Query[WebhookEventFilters]
) -> QuerySet[WebhookEvent]:
    return selectors.webhook_events(
        statuses=(filters.status,) if filters.status else selectors.NEEDS_A_LOOK,
        event_type=filters.type,
        reason=filters.reason,
        organizer_slug=filters.organizer,
    )


@router.get(
    "/webhook-events/{event_id}",
    response=WebhookEventDetailOut,
    summary="One stored provider event with its payload (staff)",
)
def get_webhook_event(request: HttpRequest, event_id: int) -> WebhookEvent:
    event = selectors.webhook_event(event_id)
    if event is None:
        raise NotFound("No such webhook event.", code=ErrorCode.WEBHOOK_EVENT_NOT_FOUND)
    return event
