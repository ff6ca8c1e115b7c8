"""Reads of the payments app that are more than one ORM call."""

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from boxoffice.payments.models import PaymentRoute, WebhookEvent
from boxoffice.sales.models import Order
from tenants.models import Organizer

# What platform staff look at: events that changed nothing and need a person.
NEEDS_A_LOOK = (WebhookEvent.Status.REJECTED, WebhookEvent.Status.FAILED)


def webhook_events(
    *,
    statuses: tuple[str, ...] = NEEDS_A_LOOK,
    event_type: str | None = None,
    reason: str | None = None,
    organizer_slug: str | None = None,
) -> QuerySet[WebhookEvent]:
    """Stored provider events, newest first, each with the slug of the organizer it was about."""
    slug = Organizer.objects.filter(schema_name=OuterRef("schema_name")).values("slug")[:1]
    found = (
        WebhookEvent.objects.filter(status__in=statuses)
        .annotate(organizer_slug=Subquery(slug))
        .defer("payload")
        .order_by("-received_at", "-id")
    )
    if event_type:
        found = found.filter(type=event_type)
    if reason:
        found = found.filter(reason=reason)
    if organizer_slug:
        found = found.filter(
            schema_name__in=Organizer.objects.filter(slug=organizer_slug).values("schema_name")
        )
    return found


def webhook_event(event_id: int) -> WebhookEvent | None:
    slug = Organizer.objects.filter(schema_name=OuterRef("schema_name")).values("slug")[:1]
    return WebhookEvent.objects.annotate(organizer_slug=Subquery(slug)).filter(pk=event_id).first()


def session_account(order: Order) -> str:
    """The connected account the order's session was made on (PaymentRoute): the organizer may
    have connected another account since, and the payment stays where it was made."""
    route = (
        PaymentRoute.objects.filter(session_id=order.provider_session_id).only("account").first()
        if order.provider_session_id
        else None
    )
    if route is not None:
        return route.account
    return Organizer.objects.get(schema_name=connection.schema_name).stripe_account_id
