"""Refunds and cancellations: a paid order's seats back on sale and what is owed back.

Like the order services, these own the order's state and never talk to a payment provider:
boxoffice.payments.services.refunds calls them inside its transaction and sends the money. Each
starts by locking the order (`orders.lock_order`), so a webhook's refund notice, the
organizer's refund and the customer's cancellation on one order take turns."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from boxoffice.actors import Actor
from boxoffice.audit.services import record_audit
from boxoffice.errors import Conflict, DomainError, Gone, Invalid
from boxoffice.events.models import EventSeat
from boxoffice.events.refund_policy import refund_percent
from boxoffice.sales import money
from boxoffice.sales.error_codes import ErrorCode
from boxoffice.sales.models import (
    PAID_STATUSES,
    Order,
    OrderItem,
    Refund,
)
from boxoffice.sales.services.orders import Outcome, lock_order
from boxoffice.transactions import require_transaction
from seatmaps.models import new_uid

REFUNDABLE = PAID_STATUSES  # refundable exactly while paid


def _new_refund_uid() -> str:
    return new_uid("re_")


def _return_to_sale(order: Order, items: list[OrderItem]) -> None:
    EventSeat.objects.filter(
        id__in=[item.seat_id for item in items], order_id=order.pk, status=EventSeat.Status.SOLD
    ).update(status=EventSeat.Status.AVAILABLE, order_id=None)


def _status_after_refund(order: Order) -> str:
    # A free order's refunded 0 of 0 is no reason to call it refunded while tickets remain.
    everything_back = order.total > 0 and order.refunded >= order.total
    if everything_back or not order.items.filter(status="active").exists():
        return Order.Status.REFUNDED
    return Order.Status.PARTIALLY_REFUNDED


def refund_terms(
    *, order: Order, seat_refs: list[str] | None = None, amount: int | None = None
) -> tuple[list[OrderItem], int]:
    """What a refund of `seat_refs` (all active items when None) would take off the order and
    pay back: refund_items applies it; the console's confirmation step shows it first."""
    if order.status not in REFUNDABLE:
        raise Conflict(
            f"A {order.get_status_display().lower()} order cannot be refunded.",
            code=ErrorCode.ORDER_NOT_REFUNDABLE,
            status=order.status,
        )
    active = list(order.items.filter(status=OrderItem.Status.ACTIVE))
    if seat_refs is None:
        items = active
    else:
        by_ref = {item.ref: item for item in active}
        unknown = [ref for ref in dict.fromkeys(seat_refs) if ref not in by_ref]
        if unknown:
            raise Invalid(
                "These seats are not active in this order.",
                code=ErrorCode.SEAT_NOT_IN_ORDER,
                seats=unknown,
            )
        items = [by_ref[ref] for ref in dict.fromkeys(seat_refs)]
    if not items:
        raise Invalid("Choose at least one ticket to refund.", code=ErrorCode.NO_ITEMS)
    owed = sum(item.total for item in items) if amount is None else amount
    return items, min(owed, order.total - order.refunded)


def refund_items(
    *,
    order: Order,
    actor: Actor,
    reason: str,
    seat_refs: list[str] | None = None,
    amount: int | None = None,
    note: str = "",
    message: str = "",
    final_status: str | None = None,
) -> Refund | None:
    """Take items off the order (all active ones when `seat_refs` is None), put their seats back
    on sale, and record a pending refund of their total (or of `amount`, e.g. a policy share).
    The money moves afterwards, through the provider. Call inside a transaction; the caller
    revokes the items' tickets in the same one. Returns None when nothing is owed back.
    `note` is the organizer's internal note (kept here and in the audit log); `message` is for
    the customer (the refund email) and is the only one of the two they ever see."""
    require_transaction("refund_items")
    order = lock_order(order)
    items, owed = refund_terms(order=order, seat_refs=seat_refs, amount=amount)
    OrderItem.objects.filter(pk__in=[item.pk for item in items]).update(
        status=OrderItem.Status.CANCELLED
        if reason == Refund.Reason.CUSTOMER_CANCELLATION
        else OrderItem.Status.REFUNDED
    )
    _return_to_sale(order, items)
    refund = None
    if owed > 0:
        refund = Refund.objects.create(
            uid=_new_refund_uid(), order=order, amount=owed, reason=reason, note=note[:500],
            customer_message=message[:1000], actor=actor.label,
        )  # fmt: skip
        refund.items.set(items)
        order.refunded += owed
    order.status = final_status or _status_after_refund(order)
    if order.status == Order.Status.CANCELLED:
        order.cancelled_at = timezone.now()
    order.save(update_fields=["refunded", "status", "cancelled_at", "updated_at"])
    record_audit(
        actor=actor, action=f"order.{reason}", target_type="order", target_id=order.code,
        data={"seats": [item.ref for item in items], "amount": owed, "note": note,
              "message": message},
    )  # fmt: skip
    return refund


def refund_lost_order(*, order: Order) -> Refund | None:
    """A pending refund of everything paid for an order whose seats were lost (None when
    nothing was paid). Call inside a transaction."""
    require_transaction("refund_lost_order")
    if not order.total:
        return None
    refund = Refund.objects.create(
        uid=_new_refund_uid(), order=order, amount=order.total, reason=Refund.Reason.SEATS_LOST,
        actor="system",
    )  # fmt: skip
    Order.objects.filter(pk=order.pk).update(refunded=order.total)
    return refund


@dataclass(frozen=True)
class CancellationTerms:
    """What a customer cancelling now would get back, or why they cannot (the one rule the
    order page, the API and the cancellation itself read)."""

    percent: int
    amount: int
    refusal: DomainError | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _cancellation_refusal(order: Order, at: datetime, percent: int) -> DomainError | None:
    if order.status not in REFUNDABLE:
        return Conflict("This order cannot be cancelled.", code=ErrorCode.ORDER_NOT_CANCELLABLE)
    if order.event.starts_at <= at:
        return Gone(
            "The event has started: orders can no longer be cancelled.",
            code=ErrorCode.EVENT_STARTED,
        )
    if percent == 0:
        return Conflict(
            "The refund policy no longer allows cancelling this order.",
            code=ErrorCode.REFUND_POLICY_CLOSED,
            policy=order.event.refund_policy,
        )
    return None


def cancellation_terms(order: Order, at: datetime | None = None) -> CancellationTerms:
    """The terms of a self-service cancellation of the whole order at `at` (default now)."""
    at = at or timezone.now()
    percent = refund_percent(order.event.refund_policy, starts_at=order.event.starts_at, at=at)
    refusal = _cancellation_refusal(order, at, percent)
    if refusal is not None:
        return CancellationTerms(percent=0, amount=0, refusal=refusal)
    remaining = sum(item.total for item in order.items.all() if item.status == "active")
    amount = money.refund_share(remaining, percent, currency=order.currency)
    return CancellationTerms(percent=percent, amount=amount)


def cancel_by_customer(*, order: Order) -> Refund | None:
    """Self-service cancellation of the whole order under the event's refund policy.
    Call inside a transaction."""
    require_transaction("cancel_by_customer")
    order = lock_order(order)
    terms = cancellation_terms(order)
    if terms.refusal is not None:
        raise terms.refusal
    why = f"{terms.percent}% under the refund policy"
    return refund_items(
        order=order,
        actor=Actor.system(f"customer {order.email}"),
        reason=Refund.Reason.CUSTOMER_CANCELLATION,
        amount=terms.amount,
        note=why,
        message=why,
        final_status=Order.Status.CANCELLED,
    )


def settle_refund(
    *, refund: Refund, provider_refund_id: str, status: str, failure: str = ""
) -> str:
    """Record what the provider said about one of our refunds (repeatable, any order).
    Call inside a transaction."""
    require_transaction("settle_refund")
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    new = {
        "succeeded": Refund.Status.SUCCEEDED,
        "failed": Refund.Status.FAILED,
        "canceled": Refund.Status.FAILED,
    }.get(status, Refund.Status.PENDING)
    if refund.status == new and refund.provider_refund_id == provider_refund_id:
        return Outcome.ALREADY
    if refund.status != Refund.Status.PENDING and new == Refund.Status.PENDING:
        return Outcome.ALREADY  # a stale "pending" after the final word
    if new == Refund.Status.FAILED and refund.status != Refund.Status.FAILED:
        # The money did not go back: the order no longer counts it as refunded (the seats stay
        # released and the tickets revoked; the audit entry below asks a person to follow up).
        Order.objects.filter(pk=refund.order_id).update(refunded=F("refunded") - refund.amount)
    refund.status = new
    refund.provider_refund_id = provider_refund_id or refund.provider_refund_id
    refund.failure_reason = failure[:255]
    refund.save(update_fields=["status", "provider_refund_id", "failure_reason", "updated_at"])
    if new == Refund.Status.FAILED:
        record_audit(
            actor=Actor.system("payment provider"), action="refund.failed", target_type="order",
            target_id=refund.order.code, data={"refund": refund.uid, "reason": failure},
        )  # fmt: skip
    return new


def record_external_refund(*, order: Order, provider_refund_id: str, amount: int) -> str:
    """A refund made outside Boxoffice (e.g. in Stripe's dashboard): book it; when it covers the
    rest of the order, the order is refunded and its seats go back on sale.
    Call inside a transaction."""
    require_transaction("record_external_refund")
    if Refund.objects.filter(provider_refund_id=provider_refund_id).exists():
        return Outcome.ALREADY
    order = lock_order(order)
    amount = min(amount, order.total - order.refunded)
    if amount <= 0 or order.status not in REFUNDABLE:
        return Outcome.ALREADY
    Refund.objects.create(
        uid=_new_refund_uid(), order=order, amount=amount, reason=Refund.Reason.EXTERNAL,
        status=Refund.Status.SUCCEEDED, provider_refund_id=provider_refund_id,
        actor="payment provider",
    )  # fmt: skip
    order.refunded += amount
    if order.refunded >= order.total:
        items = list(order.items.filter(status=OrderItem.Status.ACTIVE))
        OrderItem.objects.filter(pk__in=[item.pk for item in items]).update(
            status=OrderItem.Status.REFUNDED
        )
        _return_to_sale(order, items)
        order.status = Order.Status.REFUNDED
    else:
        order.status = Order.Status.PARTIALLY_REFUNDED
    order.save(update_fields=["refunded", "status", "updated_at"])
    return "booked"
