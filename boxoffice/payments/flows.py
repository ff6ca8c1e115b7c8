"""The payment flows: checkout, fulfilment, refunds, cancellations and reconciliation.

This module is where order state (boxoffice.sales.services), tickets (boxoffice.tickets) and the
provider (boxoffice.payments.providers) meet. The rule for talking to the provider: the database
decision commits first, then the provider is called with an idempotency key derived from that
decision, so a crash or timeout in between is repaired by calling again with the same key
(reconciliation does this for refunds left pending).
"""

import logging
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.currencies import is_payable, payable_rule
from boxoffice.errors import Conflict, Unavailable
from boxoffice.events.models import Event
from boxoffice.events.services.events import change_event_status
from boxoffice.jobs import enqueue
from boxoffice.payments import connect
from boxoffice.payments.models import PaymentRoute
from boxoffice.payments.providers import get_provider
from boxoffice.payments.providers.base import CheckoutRequest, LineItem, ProviderError
from boxoffice.sales import selectors as sales_selectors
from boxoffice.sales.models import Hold, Order, OrderItem, Refund
from boxoffice.sales.order_access import order_secret
from boxoffice.sales.services import orders, refunds
from boxoffice.tickets.services import issue_tickets, revoke_tickets, track_order_payment
from boxoffice.transactions import require_transaction
from tenants.models import Organizer
from tenants.selectors import organizer_url

logger = logging.getLogger(__name__)

# A refund the provider has not confirmed after this long is asked for again (same key).
REFUND_RETRY_AFTER_SECONDS = 120


def order_link(order: Order, organizer: Organizer, *, request: HttpRequest | None = None) -> str:
    """The customer's link to their order (code + secret)."""
    return organizer_url(
        organizer, f"/orders/{order.code}/?secret={order_secret(order)}", request=request
    )


def _line_items(order: Order) -> list[LineItem]:
    items = list(order.items.all())
    lines = [
        LineItem(
            name=f"{order.event.title}: {item.line}",
            unit_amount=item.price - item.discount,
        )
        for item in items
    ]
    fee = order.event.fee_per_ticket
    if order.fees:
        lines.append(LineItem(name="Service fee", unit_amount=fee, quantity=len(items)))
    if order.tax and not order.tax_inclusive:
        lines.append(
            LineItem(name=f"Tax ({order.event.tax_rate.normalize()}%)", unit_amount=order.tax)
        )
    return lines


def _require_payable(order: Order, organizer: Organizer) -> None:
    """Every line a provider would be asked to charge is a payable amount. Entry checks and the
    rounding rule (boxoffice.currencies.payable_increment) make this hold; an amount stored
    before them, or a currency changed under existing prices, still must not reach the
    provider, whose refusal would look like a failure worth retrying."""
    unpayable = [
        line for line in _line_items(order) if not is_payable(line.unit_amount, order.currency)
    ]
    if unpayable:
        raise Conflict(
            f"This order cannot be paid by card: {payable_rule(order.currency)} "
            f"Nothing was charged and trying again will not help; please let {organizer.name} "
            "know. Your seats stay held until the hold runs out.",
            code="order_not_payable",
            lines=[
                {"name": line.name, "amount": line.unit_amount, "currency": order.currency}
                for line in unpayable
            ],
        )


def _application_fee(order: Order, organizer: Organizer) -> int:
    """The platform's share of the order, by the organizer's fee when it is first asked for;
    the order keeps it (see Order.application_fee)."""
    if order.application_fee is not None:
        return order.application_fee
    if not (organizer.stripe_account_id and organizer.application_fee_bps):
        fee = 0
    else:
        share = Decimal(order.total) * organizer.application_fee_bps / 10_000
        fee = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    Order.objects.filter(pk=order.pk, application_fee__isnull=True).update(application_fee=fee)
    order.refresh_from_db(fields=["application_fee"])
    return order.application_fee


def checkout_request(
    order: Order, organizer: Organizer, *, request: HttpRequest | None = None
) -> CheckoutRequest:
    link = order_link(order, organizer, request=request)
    return CheckoutRequest(
        currency=order.currency,
        line_items=_line_items(order),
        customer_email=order.email,
        client_reference_id=f"{organizer.schema_name}:{order.code}",
        metadata={
            "organizer": organizer.slug,
            "schema": organizer.schema_name,
            "order": order.code,
            "event": order.event.uid,
        },
        expires_at=order.expires_at,
        success_url=f"{link}&paid=1",
        cancel_url=f"{link}&cancelled=1",
        idempotency_key=f"checkout-{organizer.schema_name}-{order.code}",
        connected_account=organizer.stripe_account_id,
        application_fee_amount=_application_fee(order, organizer),
    )


def start_checkout(
    *,
    hold: Hold,
    organizer: Organizer,
    email: str,
    name: str,
    tickets: list[orders.TicketChoice] | None = None,
    promo_code: str | None = None,
    request: HttpRequest | None = None,
) -> Order:
    """Order from the hold (or the one it already became), then its provider session. Safe to
    call again after a provider failure: the same idempotency key finds the same session. An
    order with nothing to pay is paid at once, in the same transaction, with no provider."""
    provider = get_provider(request=request)
    with transaction.atomic():
        order = orders.place_order(
            hold=hold, email=email, name=name, currency=organizer.currency,
            provider=provider.name, tickets=tickets, promo_code=promo_code,
        )  # fmt: skip
        if order.provider == orders.NO_PAYMENT and order.status == Order.Status.PENDING_PAYMENT:
            _complete_free_order(order)
        elif not order.provider_session_id:
            # Refused before any session exists; the exception undoes the order, so the hold
            # stays the customer's (not converted, its own deadline, nobody's seats kept longer).
            if order.provider == "stripe":
                connect.require_payments_enabled(organizer)
            _require_payable(order, organizer)
    if order.provider == orders.NO_PAYMENT and order.status == Order.Status.PAID:
        return order  # asking again (a double click) finds the completed order
    if not order.is_open:
        raise Conflict(
            f"This hold's order is {order.get_status_display().lower()}.",
            code="order_closed",
            order=order.code,
            status=order.status,
        )
    if order.provider_session_id:
        return order
    checkout = checkout_request(order, organizer, request=request)
    try:
        session = get_provider(order.provider, request=request).create_checkout(checkout)
    except ProviderError as exc:
        logger.warning("checkout session for %s failed: %s", order.code, exc)
        raise Unavailable(
            "The payment provider did not answer; try again in a moment.",
            code="payment_provider_unavailable",
            order=order.code,
        ) from exc
    with transaction.atomic():
        orders.attach_payment_session(order=order, session_id=session.id, payment_url=session.url)
        PaymentRoute.objects.get_or_create(
            session_id=session.id,
            defaults={
                "provider": order.provider,
                "schema_name": connection.schema_name,
                "order_code": order.code,
                "account": checkout.connected_account,
            },
        )
    return order


def _complete_free_order(order: Order) -> None:
    """Nothing to pay: the same fulfilment as a payment (seats sold by the same statement,
    tickets, confirmation email), audited, since no provider will ever report it."""
    outcome = fulfil_order(order=order, payment_id="")
    record_audit(
        actor=Actor.system(f"customer {order.email}"), action="order.completed_free",
        target_type="order", target_id=order.code, data={"outcome": outcome},
    )  # fmt: skip
    order.refresh_from_db()


# --- outcomes reported by the provider (webhooks and reconciliation) ------------------------


def _queue_email(kind: str, order: Order, refund: Refund | None = None) -> None:
    enqueue(
        "boxoffice.payments.emails.send_order_email",
        order.pk,
        kind,
        refund.pk if refund else None,
    )


def _queue_refund(refund: Refund) -> None:
    enqueue(execute_refund_job, refund.pk)


def fulfil_order(*, order: Order, payment_id: str) -> str:
    """Money in: seats sold, tickets issued, confirmation queued — or, when the seats were
    lost to someone else meanwhile, a full refund and an apology. Call inside a transaction."""
    require_transaction("fulfil_order")
    outcome = orders.confirm_payment(order=order, payment_id=payment_id)
    if payment_id:
        PaymentRoute.objects.filter(session_id=order.provider_session_id).update(
            payment_id=payment_id
        )
    if outcome == orders.Outcome.PAID:
        issue_tickets(order=order)
        _queue_email("confirmation", order)
    elif outcome == orders.Outcome.SEATS_LOST:
        order.refresh_from_db()
        refund = refunds.refund_lost_order(order=order)
        if refund is not None:
            _queue_refund(refund)
        _queue_email("seats_lost", order, refund)
    return outcome


def resend_tickets(*, order: Order, actor: Actor) -> None:
    """Send the confirmation with the valid tickets again (same job and template as after the
    payment), audited: the console lists resends among the order's emails."""
    if order.status not in refunds.REFUNDABLE:
        raise Conflict("Only a paid order has tickets to send.", code="order_not_paid")
    with transaction.atomic():
        _queue_email("confirmation", order)
        record_audit(
            actor=actor, action="order.tickets_resent", target_type="order",
            target_id=order.code, data={"email": order.email},
        )  # fmt: skip


def payment_failed(*, order: Order) -> str:
    outcome = orders.close_unpaid(order=order, failed=True)
    if outcome == orders.Outcome.FAILED:
        _queue_email("payment_failed", order)
    return outcome


def _session_account(order: Order) -> str:
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


# --- refunds --------------------------------------------------------------------------------


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
            connected_account=_session_account(order),
        )
    except ProviderError as exc:
        if exc.retryable:
            logger.warning("refund %s will be retried: %s", refund.uid, exc)
            return refund
        with transaction.atomic():
            refunds.settle_refund(
                refund=refund, provider_refund_id="", status="failed", failure=str(exc)
            )
        refund.refresh_from_db()
        return refund
    with transaction.atomic():
        refunds.settle_refund(refund=refund, provider_refund_id=result.id, status=result.status,
                             failure=result.failure_reason)  # fmt: skip
    refund.refresh_from_db()
    return refund


def execute_refund_job(refund_id: int) -> str:
    return execute_refund(Refund.objects.get(pk=refund_id)).status


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
        refund = refunds.refund_items(
            order=order, actor=actor, reason=Refund.Reason.ORGANIZER, seat_refs=seat_refs,
            note=note, message=message,
        )  # fmt: skip
        revoke_inactive_tickets(order)
        _queue_email("refund", order, refund)
    return execute_refund(refund) if refund else None


def cancel_order(*, order: Order) -> Refund | None:
    """The customer cancels under the event's refund policy."""
    with transaction.atomic(durable=True):
        refund = refunds.cancel_by_customer(order=order)
        revoke_inactive_tickets(order)
        _queue_email("cancellation", order, refund)
    return execute_refund(refund) if refund else None


def cancel_event(*, event: Event, actor: Actor) -> tuple[Event, int]:
    """Cancel the event and refund every paid order in full (one job per order, so one failing
    refund cannot hold up the others). Returns the event and how many orders will be refunded."""
    with transaction.atomic(durable=True):
        event = change_event_status(actor=actor, event=event, action="cancel")
        paid = list(
            Order.objects.filter(event=event, status__in=refunds.REFUNDABLE).values_list(
                "pk", flat=True
            )
        )
        for order_id in paid:
            enqueue(refund_for_cancelled_event_job, order_id)
        record_audit(
            actor=actor, action="event.cancel_refunds", target_type="event",
            target_id=event.uid, data={"orders": len(paid)},
        )  # fmt: skip
    return event, len(paid)


def refund_for_cancelled_event_job(order_id: int) -> str:
    order = Order.objects.select_related("event").get(pk=order_id)
    if order.status not in refunds.REFUNDABLE:
        return "nothing to refund"
    with transaction.atomic(durable=True):
        refund = refunds.refund_items(
            order=order, actor=Actor.system("event cancellation"),
            reason=Refund.Reason.EVENT_CANCELLED, note="The event was cancelled.",
            message="The event was cancelled.",
        )  # fmt: skip
        revoke_inactive_tickets(order)
        _queue_email("event_cancelled", order, refund)
    return execute_refund(refund).status if refund else "nothing owed"


# --- reconciliation -------------------------------------------------------------------------


def reconcile_order(order: Order) -> str:
    """An order still awaiting payment after its window: ask the provider before giving its
    seats back. Paid → fulfilled; open → expired at the provider first, so it cannot be paid
    after we let go; expired → closed."""
    if not order.provider_session_id:
        with transaction.atomic():
            return orders.close_unpaid(order=order)
    account = _session_account(order)
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
