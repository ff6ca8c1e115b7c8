"""Reconciliation: orders past their payment window and refunds the provider has not confirmed,
settled by asking the provider (run every minute by `tasks.reconcile_payments_everywhere`)."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from boxoffice.payments.providers import get_provider
from boxoffice.payments.providers.base import ProviderError
from boxoffice.payments.selectors import session_account
from boxoffice.payments.services.checkout import fulfil_order
from boxoffice.payments.services.refunds import execute_refund
from boxoffice.sales import selectors as sales_selectors
from boxoffice.sales.models import Order, Refund
from boxoffice.sales.services import orders

logger = logging.getLogger(__name__)

# A refund the provider has not confirmed after this long is asked for again (same key).
REFUND_RETRY_AFTER_SECONDS = 120


def reconcile_order(order: Order) -> str:
    """An order still awaiting payment after its window: ask the provider before giving its
    seats back. Paid → fulfilled; open → expired at the provider first, so it cannot be paid
    after we let go; expired → closed."""
    if not order.provider_session_id:
        with transaction.atomic():
            return orders.close_unpaid(order=order)
    account = session_account(order)
    provider = get_provider(order.provider)
    try:
        state = provider.get_checkout(order.provider_session_id, connected_account=account)
        if state.status == "open":
            state = provider.expire_checkout(order.provider_session_id, connected_account=account)
    except ProviderError as exc:
        logger.warning("reconciling %s: provider did not answer: %s", order.code, exc)
        return "provider unavailable"
    with transaction.atomic():
        if state.status == "complete" and state.payment_status in ("paid", "no_payment_required"):
            return fulfil_order(order=order, payment_id=state.payment_id)
        if state.status == "complete":
            return orders.mark_processing(order=order, payment_id=state.payment_id)
        return orders.close_unpaid(order=order)


def reconcile_payments() -> dict[str, int]:
    """Run in one organizer's schema: settle overdue orders, retry refunds left pending."""
    settled = sum(1 for order in sales_selectors.orders_past_window() if reconcile_order(order))
    stale = timezone.now() - timedelta(seconds=REFUND_RETRY_AFTER_SECONDS)
    retried = 0
    for refund in Refund.objects.filter(status=Refund.Status.PENDING, updated_at__lt=stale)[:200]:
        execute_refund(refund)
        retried += 1
    return {"orders": settled, "refunds": retried}
