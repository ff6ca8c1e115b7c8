"""Refunds and cancellations: an organizer's refund, a customer's cancellation under the refund
policy, a cancelled event's refunds, and asking the provider to pay a refund back.

The decision commits first (items refunded or cancelled, seats back on sale, tickets revoked, a
pending `Refund`), then the provider is called with the refund's own idempotency key, so a crash
or a timeout in between is repaired by asking again (reconciliation does this for refunds left
pending).
"""

import logging

from django.db import connection, transaction

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.events.models import Event
from boxoffice.events.services.events import change_event_status
from boxoffice.jobs import enqueue
from boxoffice.payments.providers import get_provider
from boxoffice.payments.providers.base import ProviderError
from boxoffice.payments.selectors import session_account
from boxoffice.payments.services.emails import queue_order_email
from boxoffice.sales.models import Order, OrderItem, Refund
from boxoffice.sales.services import refunds as sales_refunds
from boxoffice.tickets.services import revoke_tickets, track_order_payment

logger = logging.getLogger(__name__)

# The jobs, by dotted path: tasks.py imports this module, so naming them keeps the import one way.
EXECUTE_REFUND_JOB = "boxoffice.payments.tasks.execute_refund_job"
CANCELLED_EVENT_REFUND_JOB = "boxoffice.payments.tasks.refund_for_cancelled_event_job"


def queue_refund(refund: Refund) -> None:
    """Ask the provider for the refund in a job, once the decision has committed."""
    enqueue(EXECUTE_REFUND_JOB, refund.pk)


def execute_refund(refund: Refund) -> Refund:
    """Ask the provider to pay back a pending refund (idempotent: the key is the refund's)."""
    refund = Refund.objects.select_related("order").get(pk=refund.pk)
    if refund.status != Refund.Status.PENDING:
        return refund
    order = refund.order
    try:
        result = get_provider(order.provider).refund(
            payment_id=order.provider_payment_id,
            amount=refund.amount,
            currency=order.currency,
            idempotency_key=f"refund-{connection.schema_name}-{refund.uid}",
            metadata={"schema": connection.schema_name, "order": order.code, "refund": refund.uid},
            connected_account=session_account(order),
        )
    except ProviderError as exc:
        if exc.retryable:
            logger.warning("refund %s will be retried: %s", refund.uid, exc)
            return refund
        with transaction.atomic():
            sales_refunds.settle_refund(
                refund=refund, provider_refund_id="", status="failed", failure=str(exc)
            )
        refund.refresh_from_db()
        return refund
    with transaction.atomic():
        sales_refunds.settle_refund(
            refund=refund, provider_refund_id=result.id, status=result.status,
            failure=result.failure_reason,
        )  # fmt: skip
    refund.refresh_from_db()
    return refund


def revoke_inactive_tickets(order: Order) -> None:
    """After items left the order (refund, cancellation): their tickets revoked, the others'
    standing at the door in step with the order."""
    # Each ticket says why its own item left (the order's status object may predate the change,
    # and a partly refunded order's status says nothing about one ticket).
    for status in (OrderItem.Status.REFUNDED, OrderItem.Status.CANCELLED):
        revoke_tickets(items=order.items.filter(status=status), reason=status)
    track_order_payment(order=order)


def refund_order(
    *,
    order: Order,
    actor: Actor,
    seat_refs: list[str] | None = None,
    note: str = "",
    message: str = "",
) -> Refund | None:
    """An organizer's full (no `seat_refs`) or per-ticket refund: seats back on sale, tickets
    revoked, money back through the provider, an email to the customer. `note` stays with the
    organizer; `message` goes to the customer in the refund email."""
    with transaction.atomic(durable=True):
        refund = sales_refunds.refund_items(
            order=order, actor=actor, reason=Refund.Reason.ORGANIZER, seat_refs=seat_refs,
            note=note, message=message,
        )  # fmt: skip
        revoke_inactive_tickets(order)
        queue_order_email("refund", order, refund)
    return execute_refund(refund) if refund else None


def cancel_order(*, order: Order) -> Refund | None:
    """The customer cancels under the event's refund policy."""
    with transaction.atomic(durable=True):
        refund = sales_refunds.cancel_by_customer(order=order)
        revoke_inactive_tickets(order)
        queue_order_email("cancellation", order, refund)
    return execute_refund(refund) if refund else None


def cancel_event(*, event: Event, actor: Actor) -> tuple[Event, int]:
    """Cancel the event and refund every paid order in full (one job per order, so one failing
    refund cannot hold up the others). Returns the event and how many orders will be refunded."""
    with transaction.atomic(durable=True):
        event = change_event_status(actor=actor, event=event, action="cancel")
        paid = list(
            Order.objects.filter(event=event, status__in=sales_refunds.REFUNDABLE).values_list(
                "pk", flat=True
            )
        )
        for order_id in paid:
            enqueue(CANCELLED_EVENT_REFUND_JOB, order_id)
        record_audit(
            actor=actor, action="event.cancel_refunds", target_type="event",
            target_id=event.uid, data={"orders": len(paid)},
        )  # fmt: skip
    return event, len(paid)


def refund_for_cancelled_event(*, order: Order) -> str:
    """One paid order of a cancelled event refunded in full (the job `cancel_event` queues)."""
    if order.status not in sales_refunds.REFUNDABLE:
        return "nothing to refund"
    with transaction.atomic(durable=True):
        refund = sales_refunds.refund_items(
            order=order, actor=Actor.system("event cancellation"),
            reason=Refund.Reason.EVENT_CANCELLED, note="The event was cancelled.",
            message="The event was cancelled.",
        )  # fmt: skip
        revoke_inactive_tickets(order)
        queue_order_email("event_cancelled", order, refund)
    return execute_refund(refund).status if refund else "nothing owed"
