"""The one webhook endpoint's logic: verify, store once, route to the organizer, apply.

Each event is stored (unique provider event id) in the same transaction as its effects. Its
effects run in a savepoint: when they fail, the savepoint is undone, the failure is written on the
stored event and committed, and the endpoint answers 500 so that the provider retries; the retry
finds the failed row and tries again. A processed event that arrives again changes nothing.
Handlers only ever move an order forward from the state they expect (boxoffice.sales.orders), so
any delivery order is harmless.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from boxoffice.payments import flows
from boxoffice.payments.models import PaymentRoute, WebhookEvent
from boxoffice.payments.signatures import BadSignature, verify
from boxoffice.sales import orders
from boxoffice.sales.models import Order, Refund

logger = logging.getLogger(__name__)

STORE_ONCE = (
    "INSERT INTO payments_webhookevent (provider, provider_event_id, type, schema_name, payload, "
    "status, attempts, last_error, outcome, received_at) "
    "VALUES (%s, %s, %s, %s, %s, 'received', 0, '', '', now()) "
    "ON CONFLICT (provider_event_id) DO NOTHING"
)


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    message: str


class Rejected(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.message)
        self.answer = answer


# --- routing --------------------------------------------------------------------------------


def _object(event: dict[str, Any]) -> dict[str, Any]:
    return event["data"]["object"]


def _route(event: dict[str, Any]) -> tuple[str, str] | None:
    """(schema, order code) of the order an event is about, or None if it is not ours."""
    obj = _object(event)
    metadata = obj.get("metadata") or {}
    if metadata.get("schema") and metadata.get("order"):
        return metadata["schema"], metadata["order"]
    session_id = obj.get("id") if obj.get("object") == "checkout.session" else None
    payment_id = obj.get("payment_intent")
    if isinstance(payment_id, dict):
        payment_id = payment_id.get("id")
    route = None
    if session_id:
        route = PaymentRoute.objects.filter(session_id=session_id).first()
    if route is None and payment_id:
        route = PaymentRoute.objects.filter(payment_id=payment_id).first()
    return (route.schema_name, route.order_code) if route else None


# --- handlers (run in the organizer's schema, inside the event's transaction) --------------


def _paid(order: Order, obj: dict[str, Any]) -> str:
    payment_id = obj.get("payment_intent") or ""
    if obj.get("payment_status") in ("paid", "no_payment_required"):
        return flows.fulfil_order(order=order, payment_id=payment_id)
    return orders.mark_processing(order=order, payment_id=payment_id)


def _async_succeeded(order: Order, obj: dict[str, Any]) -> str:
    return flows.fulfil_order(order=order, payment_id=obj.get("payment_intent") or "")


def _async_failed(order: Order, obj: dict[str, Any]) -> str:
    return flows.payment_failed(order=order)


def _expired(order: Order, obj: dict[str, Any]) -> str:
    return orders.close_unpaid(order=order)


def _refund_update(order: Order, obj: dict[str, Any]) -> str:
    refund_uid = (obj.get("metadata") or {}).get("refund")
    ours = Refund.objects.filter(order=order, uid=refund_uid).first() if refund_uid else None
    if ours is None:
        ours = Refund.objects.filter(order=order, provider_refund_id=obj["id"]).first()
    if ours is not None:
        return orders.settle_refund(
            refund=ours,
            provider_refund_id=obj["id"],
            status=obj.get("status", ""),
            failure=obj.get("failure_reason") or "",
        )
    if obj.get("status") in ("succeeded", "pending"):
        return _book_external(order, obj["id"], int(obj.get("amount", 0)))
    return "ignored: unknown refund not going through"


def _charge_refunded(order: Order, obj: dict[str, Any]) -> str:
    """A charge's refunded total: book whatever our own refunds do not explain."""
    ours = sum(
        refund.amount
        for refund in order.refunds.exclude(status=Refund.Status.FAILED)
        if refund.reason != Refund.Reason.EXTERNAL or refund.provider_refund_id
    )
    unexplained = int(obj.get("amount_refunded", 0)) - ours
    if unexplained <= 0:
        return "already booked"
    return _book_external(order, f"{obj['id']}:{obj.get('amount_refunded')}", unexplained)


def _book_external(order: Order, provider_refund_id: str, amount: int) -> str:
    outcome = orders.record_external_refund(
        order=order, provider_refund_id=provider_refund_id, amount=amount
    )
    order.refresh_from_db()
    flows.revoke_inactive_tickets(order)
    return outcome


def _dispute(order: Order, obj: dict[str, Any]) -> str:
    return orders.flag_dispute(order=order, reason=obj.get("reason") or "dispute")


HANDLERS: dict[str, Callable[[Order, dict[str, Any]], str]] = {
    "checkout.session.completed": _paid,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _expired,
    "charge.refunded": _charge_refunded,
    "refund.created": _refund_update,
    "refund.updated": _refund_update,
    "refund.failed": _refund_update,
    "charge.refund.updated": _refund_update,
    "charge.dispute.created": _dispute,
}


# --- the endpoint's body --------------------------------------------------------------------


def parse(payload: bytes, signature: str) -> dict[str, Any]:
    """The verified event, or Rejected (400): nothing is stored for a bad or stale signature."""
    try:
        verify(payload, signature)
    except BadSignature as exc:
        raise Rejected(Answer(400, "bad_signature", f"Signature check failed: {exc}")) from exc
    try:
        event = json.loads(payload)
        if not (isinstance(event, dict) and event.get("id") and event.get("type")):
            raise ValueError("not an event")
        if not isinstance(event["data"]["object"], dict):
            raise ValueError("no data.object")
    except (ValueError, KeyError, TypeError) as exc:
        raise Rejected(Answer(400, "invalid_payload", "Not a provider event.")) from exc
    return event


def _apply(event: dict[str, Any], schema: str, code: str) -> tuple[str, str]:
    """(status, outcome) of applying the event in the organizer's schema."""
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return WebhookEvent.Status.IGNORED, f"{event['type']} is not handled"
    if not schema_exists(schema) or schema == get_public_schema_name():
        return WebhookEvent.Status.IGNORED, f"no organizer schema {schema!r}"
    with schema_context(schema):
        order = Order.objects.select_related("event").filter(code=code).first()
        if order is None:
            return WebhookEvent.Status.IGNORED, f"no order {code} in {schema}"
        return WebhookEvent.Status.PROCESSED, f"{code}: {handler(order, _object(event))}"


def process(event: dict[str, Any], *, provider: str = "stripe") -> Answer:
    """Store the event once and apply it, all in one transaction."""
    route = _route(event)
    schema, code = route or ("", "")
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute(
                STORE_ONCE, [provider, event["id"], event["type"], schema, json.dumps(event)]
            )
        stored = WebhookEvent.objects.select_for_update().get(provider_event_id=event["id"])
        if stored.status in (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED):
            return Answer(200, "duplicate", f"Event {event['id']} was already {stored.status}.")
        stored.attempts += 1
        try:
            if route is None:
                status, outcome = WebhookEvent.Status.IGNORED, "not about a Boxoffice order"
            else:
                with transaction.atomic():  # the effects: undone as a whole if anything fails
                    status, outcome = _apply(event, schema, code)
        except Exception as exc:
            logger.exception("webhook %s (%s) failed", event["id"], event["type"])
            stored.status = WebhookEvent.Status.FAILED
            stored.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            stored.save(update_fields=["status", "attempts", "last_error"])
            return Answer(500, "processing_failed", "Recorded; retry later.")
        stored.status, stored.outcome = status, outcome[:200]
        stored.processed_at = timezone.now()
        stored.last_error = ""
        stored.save(update_fields=["status", "outcome", "processed_at", "attempts", "last_error"])
    return Answer(200, "ok", outcome)
