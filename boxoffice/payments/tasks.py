"""The payments app's django-q2 jobs: each takes ids, runs in the schema it was queued from
(boxoffice.jobs.run_in_schema, or every organizer's for a schedule) and calls one service."""

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from boxoffice.payments.services.emails import deliver_order_email
from boxoffice.payments.services.reconciliation import reconcile_payments
from boxoffice.payments.services.refunds import execute_refund, refund_for_cancelled_event
from boxoffice.sales.models import Order, Refund
from tenants.models import Organizer


def reconcile_payments_everywhere() -> dict[str, int]:
    """Scheduled every minute: in each organizer's schema, ask the provider about orders past
    their payment window and retry refunds the provider has not confirmed."""
    totals = {"orders": 0, "refunds": 0}
    schemas = Organizer.objects.exclude(schema_name=get_public_schema_name()).values_list(
        "schema_name", flat=True
    )
    for schema in schemas:
        with schema_context(schema):
            for name, count in reconcile_payments().items():
                totals[name] += count
    return totals


def execute_refund_job(refund_id: int) -> str:
    """Ask the provider for one pending refund (queued by services.refunds.queue_refund)."""
    return execute_refund(Refund.objects.get(pk=refund_id)).status


def refund_for_cancelled_event_job(order_id: int) -> str:
    """Refund one paid order of a cancelled event (queued by services.refunds.cancel_event)."""
    order = Order.objects.select_related("event").get(pk=order_id)
    return refund_for_cancelled_event(order=order)


def send_order_email(order_id: int, kind: str, refund_id: int | None = None) -> str:
    """Render and send one email about one order (queued by services.emails.queue_order_email)."""
    order = Order.objects.select_related("event", "event__venue").get(pk=order_id)
    organizer = Organizer.objects.get(schema_name=connection.schema_name)
    refund = Refund.objects.get(pk=refund_id) if refund_id else None
    return deliver_order_email(order=order, organizer=organizer, kind=kind, refund=refund)
