"""The one webhook endpoint's logic: verify, store once, bind to what we created, apply.

A signed event is a claim, not an order. Which order it may touch is decided by what we stored
when we created the checkout session (`PaymentRoute`: session id → organizer schema, order code,
connected account; the payment intent and charge ids are learnt from events already bound to the
session). Metadata may only agree. Every claim the event makes is checked against the order: the
connected account it comes from, the amount and currency, the payment state, the payment intent
of a refund or dispute. Any disagreement changes nothing: the event is stored as `rejected` with
its reason and answered 2xx, so the provider does not retry it for days (platform staff list
them on the platform API).

Each event is stored (unique provider event id) in the same transaction as its effects. Its
effects run in a savepoint: when they fail, the savepoint is undone, the failure is written on the
stored event and committed, and the endpoint answers 500 so that the provider retries; the retry
finds the failed row and tries again. A processed, ignored or rejected event that arrives again
changes nothing. Handlers only ever move an order forward from the state they expect
(boxoffice.sales.services), so any delivery order is harmless.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from boxoffice.errors import Invalid
from boxoffice.payments.error_codes import ErrorCode
from boxoffice.payments.models import ConnectedAccount, PaymentRoute, WebhookEvent
from boxoffice.payments.providers.stripe_provider import account_state
from boxoffice.payments.services import connect
from boxoffice.payments.services.checkout import fulfil_order, payment_failed
from boxoffice.payments.services.refunds import revoke_inactive_tickets
from boxoffice.payments.signatures import BadSignature, verify
from boxoffice.payments.stripe_units import from_stripe_units
from boxoffice.sales.models import Order, Refund
from boxoffice.sales.services import orders
from boxoffice.sales.services import refunds as sales_refunds
from boxoffice.tickets.services import track_order_payment
from tenants.models import Organizer

logger = logging.getLogger(__name__)

STORE_ONCE = (
    "INSERT INTO payments_webhookevent (provider, provider_event_id, type, schema_name, payload, "
    "status, attempts, last_error, outcome, reason, received_at) "
    "VALUES (%s, %s, %s, '', %s, 'received', 0, '', '', '', now()) "
    "ON CONFLICT (provider_event_id) DO NOTHING"
)

# Stripe's objects nest a handful of levels; anything far deeper is not an event of theirs.
MAX_DEPTH = 32
# Column widths (WebhookEvent, PaymentRoute): ids beyond them cannot be ours.
ID_LENGTH = 255
TYPE_LENGTH = 100
# Text PostgreSQL cannot store in jsonb (NUL) or that is not Unicode (lone surrogates).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

FINAL = (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED, WebhookEvent.Status.REJECTED)


@dataclass(frozen=True)
class Answer:
    status: int
    code: ErrorCode
    message: str


class Rejected(Exception):
    """The request is not a verifiable provider event (answered 4xx, nothing stored)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.message)
        self.answer = answer


class Refusal(Exception):
    """A signed event whose claims disagree with what we stored: recorded, changes nothing."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- reading an event's fields (never trusting their type) ---------------------------------


def _text(value: Any, limit: int = ID_LENGTH) -> str:
    """A non-empty string of at most `limit` characters, else ""."""
    return value if isinstance(value, str) and 0 < len(value) <= limit else ""


def _id(value: Any) -> str:
    """An object id, or the id of an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return _text(value)


def _amount(value: Any) -> int | None:
    """A non-negative integer amount (JSON true is not 1 cent)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _object(event: dict[str, Any]) -> dict[str, Any]:
    return event["data"]["object"]


# --- what an event claims, once checked -----------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """The fields of an event's object that handlers act on, each checked against the order."""

    object_id: str
    payment_id: str = ""
    charge_id: str = ""
    status: str = ""
    payment_status: str = ""
    amount: int = 0
    amount_refunded: int = 0
    refund_uid: str = ""
    failure_reason: str = ""
    dispute_reason: str = ""


SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
REFUND_EVENTS = frozenset(
    {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}
)
CHARGE_EVENTS = frozenset({"charge.refunded"})
DISPUTE_EVENTS = frozenset(
    {
        "charge.dispute.created",
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
    }
)
OBJECT_KIND = (
    {name: "checkout.session" for name in SESSION_EVENTS}
    | {name: "refund" for name in REFUND_EVENTS}
    | {name: "charge" for name in CHARGE_EVENTS}
    | {name: "dispute" for name in DISPUTE_EVENTS}
)


def _references(event_type: str, obj: dict[str, Any]) -> tuple[str, str, str]:
    """(session id, payment intent id, charge id) an event's object names."""
    if event_type in SESSION_EVENTS:
        return _text(obj.get("id")), _id(obj.get("payment_intent")), ""
    if event_type in CHARGE_EVENTS:
        return "", _id(obj.get("payment_intent")), _text(obj.get("id"))
    return "", _id(obj.get("payment_intent")), _id(obj.get("charge"))


def _find_route(event_type: str, obj: dict[str, Any]) -> PaymentRoute | None:
    """The route of the session we created that the event is about, found only by the ids we
    stored or learnt: never by metadata."""
    session_id, payment_id, charge_id = _references(event_type, obj)
    routes = PaymentRoute.objects.select_for_update()
    if event_type in SESSION_EVENTS:
        return routes.filter(session_id=session_id).first() if session_id else None
    if payment_id:
        return routes.filter(payment_id=payment_id).first()
    if charge_id:
        return routes.filter(charge_id=charge_id).first()
    return None


def _claims_to_be_ours(obj: dict[str, Any]) -> bool:
    """Whether an object we do not know says it is about one of our orders (or is too odd to
    tell): such events are rejected, not ignored, so that staff see them."""
    metadata = obj.get("metadata")
    if metadata is None:
        return False
    if not isinstance(metadata, dict):
        return True
    return bool({"schema", "order", "organizer"} & metadata.keys())


def _check_route(event: dict[str, Any], route: PaymentRoute) -> None:
    """Refusal unless the event's account and metadata agree with the route."""
    obj = _object(event)
    account = event.get("account")
    if account is not None and not isinstance(account, str):
        raise Refusal(ErrorCode.ACCOUNT_MISMATCH, "The event's account is not an account id.")
    if (account or "") != route.account:
        raise Refusal(
            ErrorCode.ACCOUNT_MISMATCH,
            f"Sent from account {(account or 'the platform')[:64]!r}; the session was created "
            f"on {route.account or 'the platform account'}.",
        )
    organizer = (
        Organizer.objects.filter(schema_name=route.schema_name).only("slug", "schema_name").first()
    )
    if (
        organizer is None
        or route.schema_name == get_public_schema_name()
        or not schema_exists(route.schema_name)
    ):
        raise Refusal(ErrorCode.UNKNOWN_ORGANIZER, f"No organizer schema {route.schema_name!r}.")
    metadata = obj.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise Refusal(ErrorCode.INVALID_METADATA, "The object's metadata is not an object.")
    expected = {"schema": route.schema_name, "order": route.order_code, "organizer": organizer.slug}
    for key, value in expected.items():
        if key in metadata and metadata[key] != value:
            raise Refusal(
                ErrorCode.METADATA_MISMATCH,
                f"Metadata {key}={str(metadata[key])[:40]!r} disagrees with the session's "
                f"{route.schema_name}/{route.order_code}.",
            )


def _minor(value: Any, currency: str) -> int | None:
    """An event's amount (Stripe's units) in our minor units; None when it is not one."""
    amount = _amount(value)
    if amount is None:
        return None
    try:
        return from_stripe_units(amount, currency)
    except Invalid:
        return None


def _check_money(order: Order, obj: dict[str, Any], *, field: str, exact: bool) -> int:
    """The object's amount in `field` in the order's currency: equal to the order's total when
    `exact`, else more than nothing and at most the total."""
    currency = obj.get("currency")
    if not isinstance(currency, str) or currency.lower() != order.currency.lower():
        raise Refusal(
            ErrorCode.CURRENCY_MISMATCH,
            f"Currency {str(currency)[:8]!r}; order {order.code} is in {order.currency}.",
        )
    amount = _minor(obj.get(field), order.currency)
    if amount is None:
        raise Refusal(ErrorCode.AMOUNT_MISMATCH, f"{field} is not an amount in {order.currency}.")
    if exact and amount != order.total:
        raise Refusal(
            ErrorCode.AMOUNT_MISMATCH,
            f"{field} {amount} for order {order.code} of {order.total} {order.currency}.",
        )
    if not exact and not 0 < amount <= order.total:
        raise Refusal(
            ErrorCode.AMOUNT_MISMATCH,
            f"{field} {amount} is not within order {order.code}'s {order.total} {order.currency}.",
        )
    return amount


# What each session event's object must say (status, accepted payment states).
SESSION_STATES: dict[str, tuple[str | None, frozenset[str]]] = {
    "checkout.session.completed": ("complete", frozenset({"paid", "unpaid"})),
    "checkout.session.async_payment_succeeded": ("complete", frozenset({"paid"})),
    "checkout.session.async_payment_failed": (None, frozenset({"unpaid"})),
    "checkout.session.expired": ("expired", frozenset({"unpaid"})),
}


def _session_claim(event_type: str, order: Order, route: PaymentRoute, obj: dict) -> Claim:
    if order.provider_session_id != route.session_id:
        raise Refusal(ErrorCode.SESSION_MISMATCH, f"Order {order.code} has another session.")
    _check_money(order, obj, field="amount_total", exact=True)
    status, payment_states = SESSION_STATES[event_type]
    if order.total == 0:
        payment_states = payment_states | {"no_payment_required"}
    payment_status = obj.get("payment_status")
    if payment_status not in payment_states:
        raise Refusal(
            ErrorCode.PAYMENT_STATUS_MISMATCH,
            f"payment_status {str(payment_status)[:24]!r} for {event_type} of a "
            f"{order.total} {order.currency} order.",
        )
    if status is not None and obj.get("status") != status:
        said = str(obj.get("status"))[:16]
        raise Refusal(ErrorCode.STATUS_MISMATCH, f"{event_type} with status {said!r}.")
    payment_id = _id(obj.get("payment_intent"))
    if payment_id:
        if route.payment_id and payment_id != route.payment_id:
            raise Refusal(ErrorCode.PAYMENT_MISMATCH, "Another payment than the session's.")
        if (
            not route.payment_id
            and PaymentRoute.objects.filter(payment_id=payment_id).exclude(pk=route.pk).exists()
        ):
            raise Refusal(ErrorCode.PAYMENT_MISMATCH, "That payment belongs to another session.")
    return Claim(
        object_id=route.session_id,
        payment_id=payment_id or route.payment_id,
        status=obj.get("status") or "",
        payment_status=payment_status,
    )


def _payment_claim(event_type: str, order: Order, route: PaymentRoute, obj: dict) -> Claim:
    """Refunds, refunded charges and disputes: about the order's own payment."""
    _session_id, payment_id, charge_id = _references(event_type, obj)
    if not route.payment_id or (payment_id and payment_id != route.payment_id):
        raise Refusal(ErrorCode.PAYMENT_MISMATCH, f"Not the payment of order {order.code}.")
    if charge_id and route.charge_id and charge_id != route.charge_id:
        raise Refusal(ErrorCode.CHARGE_MISMATCH, f"Not the charge of order {order.code}.")
    object_id = _text(obj.get("id"))
    if not object_id:
        raise Refusal(ErrorCode.INVALID_OBJECT, "The object has no id.")
    if event_type in CHARGE_EVENTS:
        _check_money(order, obj, field="amount", exact=True)
        refunded = _minor(obj.get("amount_refunded"), order.currency)
        if refunded is None or refunded > order.total:
            raise Refusal(
                ErrorCode.AMOUNT_MISMATCH,
                f"amount_refunded beyond order {order.code}'s total.",
            )
        return Claim(object_id=object_id, payment_id=route.payment_id, charge_id=charge_id,
                     amount=order.total, amount_refunded=refunded)  # fmt: skip
    amount = _check_money(order, obj, field="amount", exact=False)
    metadata = obj.get("metadata") or {}
    return Claim(
        object_id=object_id,
        payment_id=route.payment_id,
        charge_id=charge_id,
        status=_text(obj.get("status"), 32),
        amount=amount,
        refund_uid=_text(metadata.get("refund"), 24),
        failure_reason=_text(obj.get("failure_reason")),
        dispute_reason=_text(obj.get("reason"), 64) or "dispute",
    )


# --- handlers (run in the organizer's schema, inside the event's savepoint) -----------------


def _paid(order: Order, claim: Claim) -> str:
    if claim.payment_status in ("paid", "no_payment_required"):
        return fulfil_order(order=order, payment_id=claim.payment_id)
    return orders.mark_processing(order=order, payment_id=claim.payment_id)


def _async_succeeded(order: Order, claim: Claim) -> str:
    return fulfil_order(order=order, payment_id=claim.payment_id)


def _async_failed(order: Order, claim: Claim) -> str:
    return payment_failed(order=order)


def _expired(order: Order, claim: Claim) -> str:
    return orders.close_unpaid(order=order)


def _refund_update(order: Order, claim: Claim) -> str:
    ours = (
        Refund.objects.filter(order=order, uid=claim.refund_uid).first()
        if claim.refund_uid
        else None
    )
    if ours is None:
        ours = Refund.objects.filter(order=order, provider_refund_id=claim.object_id).first()
    if ours is not None:
        return sales_refunds.settle_refund(
            refund=ours,
            provider_refund_id=claim.object_id,
            status=claim.status,
            failure=claim.failure_reason,
        )
    if claim.status in ("succeeded", "pending"):
        return _book_external(order, claim.object_id, claim.amount)
    return "ignored: unknown refund not going through"


def _charge_refunded(order: Order, claim: Claim) -> str:
    """A charge's refunded total: book whatever our own refunds do not explain."""
    ours = sum(
        refund.amount
        for refund in order.refunds.exclude(status=Refund.Status.FAILED)
        if refund.reason != Refund.Reason.EXTERNAL or refund.provider_refund_id
    )
    unexplained = claim.amount_refunded - ours
    if unexplained <= 0:
        return "already booked"
    return _book_external(order, f"{claim.object_id}:{claim.amount_refunded}", unexplained)


def _book_external(order: Order, provider_refund_id: str, amount: int) -> str:
    outcome = sales_refunds.record_external_refund(
        order=order, provider_refund_id=provider_refund_id, amount=amount
    )
    order.refresh_from_db()
    revoke_inactive_tickets(order)
    return outcome


def _dispute(order: Order, claim: Claim) -> str:
    outcome = orders.record_dispute(
        order=order, reason=claim.dispute_reason, status=claim.status, amount=claim.amount
    )
    track_order_payment(order=order)  # the door refuses or admits its tickets from now on
    return outcome


HANDLERS: dict[str, Callable[[Order, Claim], str]] = {
    "checkout.session.completed": _paid,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _expired,
    "charge.refunded": _charge_refunded,
    "refund.created": _refund_update,
    "refund.updated": _refund_update,
    "refund.failed": _refund_update,
    "charge.refund.updated": _refund_update,
    **{name: _dispute for name in DISPUTE_EVENTS},
}


# --- connected accounts (not about an order) ------------------------------------------------

ACCOUNT_EVENTS = frozenset({"account.updated", "account.application.deauthorized"})
# A Unix time past any event's (the year 2242): beyond it the number is not a time.
LATEST_TIMESTAMP = 2**33


def _created(event: dict[str, Any]) -> int:
    created = _amount(event.get("created"))
    if created is None or created > LATEST_TIMESTAMP:
        raise Refusal(ErrorCode.INVALID_OBJECT, "The event has no creation time.")
    return created


def _ours(account_id: str, stored: WebhookEvent) -> bool:
    """Whether we created this connected account; if so, the event is filed under its
    organizer."""
    known = (
        ConnectedAccount.objects.filter(account_id=account_id).select_related("organizer").first()
        if account_id
        else None
    )
    if known is not None:
        stored.schema_name = known.organizer.schema_name
    return known is not None


def _apply_deauthorized(event: dict[str, Any], stored: WebhookEvent) -> tuple[str, str]:
    """`account.application.deauthorized`: the connected account named by the event (its
    `account`; the object is our application) left the platform. Only an account we created
    is touched; any other changes nothing."""
    if _object(event).get("object") != "application":
        raise Refusal(ErrorCode.INVALID_OBJECT, f"{event['type']} about an object of another kind.")
    account_id = _text(event.get("account"), 64)
    if not _ours(account_id, stored):
        return WebhookEvent.Status.IGNORED, "not one of our connected accounts"
    outcome = connect.apply_account_deauthorized(account_id=account_id, created=_created(event))
    return WebhookEvent.Status.PROCESSED, outcome


def _apply_account(event: dict[str, Any], stored: WebhookEvent) -> tuple[str, str]:
    """`account.updated`: only about an account we created, and only when sent from it."""
    if event["type"] == "account.application.deauthorized":
        return _apply_deauthorized(event, stored)
    obj = _object(event)
    if obj.get("object") != "account":
        raise Refusal(ErrorCode.INVALID_OBJECT, f"{event['type']} about an object of another kind.")
    account_id = _text(obj.get("id"), 64)
    if not _ours(account_id, stored):
        return WebhookEvent.Status.IGNORED, "not one of our connected accounts"
    sender = event.get("account")
    if sender != account_id:
        raise Refusal(
            ErrorCode.ACCOUNT_MISMATCH,
            f"About account {account_id}, sent from {str(sender or 'the platform')[:64]!r}.",
        )
    outcome = connect.apply_account_update(
        account_id=account_id, state=account_state(obj), created=_created(event)
    )
    return WebhookEvent.Status.PROCESSED, outcome


# --- the endpoint's body --------------------------------------------------------------------


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def _storable(value: Any, depth: int = 0) -> Any:
    """`value` with text PostgreSQL cannot store replaced by U+FFFD; ValueError when nested
    deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_storable(key, depth): _storable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item, depth + 1) for item in value]
    return value


def stored_event_id(event_id: str) -> str:
    """The id an event is stored once under: longer ids keep a prefix and a hash (still unique)."""
    if len(event_id) <= ID_LENGTH:
        return event_id
    return event_id[:190] + "#" + hashlib.sha256(event_id.encode("utf-8", "replace")).hexdigest()


def parse(payload: bytes, signature: str) -> dict[str, Any]:
    """The verified event, or Rejected (400): nothing is stored for a bad or stale signature or
    a body that is not an event."""
    try:
        verify(payload, signature)
    except BadSignature as exc:
        raise Rejected(
            Answer(400, ErrorCode.BAD_SIGNATURE, f"Signature check failed: {exc}"),
        ) from exc
    try:
        event = _storable(json.loads(payload, parse_constant=_no_constant, parse_float=_finite))
        if not isinstance(event, dict):
            raise ValueError("not an object")
        if not (
            isinstance(event.get("id"), str)
            and event["id"]
            and isinstance(event.get("type"), str)
            and event["type"]
        ):
            raise ValueError("no event id or type")
        if not isinstance(event.get("data"), dict) or not isinstance(
            event["data"].get("object"), dict
        ):
            raise ValueError("no data.object")
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Rejected(
            Answer(400, ErrorCode.INVALID_PAYLOAD, f"Not a provider event: {str(exc)[:100]}")
        ) from exc
    return event


def _apply(event: dict[str, Any], stored: WebhookEvent) -> tuple[str, str]:
    """(status, outcome) of applying the event; Refusal when its claims disagree with ours."""
    if event["type"] in ACCOUNT_EVENTS:
        return _apply_account(event, stored)
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return WebhookEvent.Status.IGNORED, f"{event['type'][:TYPE_LENGTH]} is not handled"
    obj = _object(event)
    if obj.get("object") != OBJECT_KIND[event["type"]]:
        raise Refusal(ErrorCode.INVALID_OBJECT, f"{event['type']} about an object of another kind.")
    route = _find_route(event["type"], obj)
    if route is None:
        if _claims_to_be_ours(obj):
            raise Refusal(
                ErrorCode.UNKNOWN_PAYMENT,
                "About a session or payment we did not create.",
            )
        return WebhookEvent.Status.IGNORED, "not about a Boxoffice order"
    stored.schema_name = route.schema_name  # whose order it was about, even when rejected
    _check_route(event, route)
    with schema_context(route.schema_name):
        order = Order.objects.select_related("event").filter(code=route.order_code).first()
        if order is None:
            raise Refusal(
                ErrorCode.UNKNOWN_ORDER,
                f"No order {route.order_code} in {route.schema_name}.",
            )
        if event["type"] in SESSION_EVENTS:
            claim = _session_claim(event["type"], order, route, obj)
        else:
            claim = _payment_claim(event["type"], order, route, obj)
        learnt = {}
        if claim.payment_id and not route.payment_id:
            learnt["payment_id"] = claim.payment_id
        if claim.charge_id and not route.charge_id:
            learnt["charge_id"] = claim.charge_id
        if learnt:
            PaymentRoute.objects.filter(pk=route.pk).update(**learnt)
        return WebhookEvent.Status.PROCESSED, f"{order.code}: {handler(order, claim)}"


def process(event: dict[str, Any], *, provider: str = "stripe") -> Answer:
    """Store the event once and apply it, all in one transaction."""
    event_id = stored_event_id(event["id"])
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute(
                STORE_ONCE, [provider, event_id, event["type"][:TYPE_LENGTH], json.dumps(event)]
            )
        stored = WebhookEvent.objects.select_for_update().get(provider_event_id=event_id)
        if stored.status in FINAL:
            return Answer(
                200,
                ErrorCode.DUPLICATE,
                f"Event {event_id} was already {stored.status}.",
            )
        stored.attempts += 1
        stored.reason = ""
        try:
            with transaction.atomic():  # the effects: undone as a whole if anything fails
                status, outcome = _apply(event, stored)
        except Refusal as refusal:
            logger.warning("webhook %s (%s) rejected: %s", event_id, event["type"], refusal)
            status, outcome, stored.reason = (
                WebhookEvent.Status.REJECTED, refusal.message, refusal.code
            )  # fmt: skip
        except Exception as exc:
            logger.exception("webhook %s (%s) failed", event_id, event["type"])
            stored.status = WebhookEvent.Status.FAILED
            stored.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            stored.save(update_fields=["status", "attempts", "last_error", "schema_name"])
            return Answer(500, ErrorCode.PROCESSING_FAILED, "Recorded; retry later.")
        stored.status, stored.outcome = status, outcome[:200]
        stored.processed_at = timezone.now()
        stored.last_error = ""
        stored.save(
            update_fields=[
                "status", "outcome", "reason", "processed_at", "attempts", "last_error",
                "schema_name",
            ]
        )  # fmt: skip
    if status == WebhookEvent.Status.REJECTED:
        return Answer(200, ErrorCode.REJECTED, outcome)
    return Answer(200, ErrorCode.OK, outcome)
