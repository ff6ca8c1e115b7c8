"""Checkout and its outcome: an order and its provider session from a hold, an order with
nothing to pay completed at once, and what the provider reports (paid: seats sold and tickets
issued; failed).

This is where order state (boxoffice.sales.services), tickets (boxoffice.tickets) and the provider
(boxoffice.payments.providers) meet. The rule for talking to the provider: the database decision
commits first, then the provider is called with an idempotency key derived from that decision,
so a crash or timeout in between is repaired by calling again with the same key.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.http import HttpRequest

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.currencies import format_rate, is_payable, payable_rule
from boxoffice.errors import Conflict, Unavailable
from boxoffice.payments.error_codes import ErrorCode
from boxoffice.payments.models import PaymentRoute
from boxoffice.payments.presenters import order_lines, order_link
from boxoffice.payments.providers import get_provider
from boxoffice.payments.providers.base import CheckoutRequest, LineItem, ProviderError
from boxoffice.payments.services import connect
from boxoffice.payments.services.emails import queue_order_email
from boxoffice.payments.services.refunds import queue_refund
from boxoffice.sales.models import Hold, Order
from boxoffice.sales.services import orders
from boxoffice.sales.services import refunds as sales_refunds
from boxoffice.tickets.services import issue_tickets
from boxoffice.transactions import require_transaction
from tenants.models import Organizer

logger = logging.getLogger(__name__)


def _line_items(order: Order) -> list[LineItem]:
    """The order's money lines as the provider charges them (presenters.money_lines): each
    ticket net of its discount, the fee per ticket, tax only when added on top."""
    names = {
        "ticket": lambda line: f"{order.event.title}: {line.description}",
        "fee": lambda line: "Service fee",
        "tax": lambda line: f"Tax ({format_rate(order.event.tax_rate)})",
    }
    return [
        LineItem(name=names[line.kind](line), unit_amount=line.unit_charge, quantity=line.quantity)
        for line in order_lines(order, list(order.items.all()))
        if line.unit_charge is not None
    ]


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
            code=ErrorCode.ORDER_NOT_PAYABLE,
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
            code=ErrorCode.ORDER_CLOSED,
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
            code=ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
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
        queue_order_email("confirmation", order)
    elif outcome == orders.Outcome.SEATS_LOST:
        order.refresh_from_db()
        refund = sales_refunds.refund_lost_order(order=order)
        if refund is not None:
            queue_refund(refund)
        queue_order_email("seats_lost", order, refund)
    return outcome


def payment_failed(*, order: Order) -> str:
    outcome = orders.close_unpaid(order=order, failed=True)
    if outcome == orders.Outcome.FAILED:
        queue_order_email("payment_failed", order)
    return outcome
