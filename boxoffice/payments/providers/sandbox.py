"""The sandbox provider: Stripe Checkout's behaviour without Stripe, for development and tests.

Sessions and refunds are rows in the public schema (SandboxSession, SandboxRefund), the hosted
page is /sandbox/checkout/<id> on the platform site (boxoffice/payments/views.sandbox_checkout),
and every state change is announced as a Stripe-format event, signed as Stripe signs, POSTed by
a background job to the same webhook endpoint real Stripe events reach.
"""

import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from boxoffice.jobs import enqueue
from boxoffice.payments.models import SandboxRefund, SandboxSession
from boxoffice.payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    ProviderError,
    RefundResult,
    SessionState,
)
from boxoffice.payments.signatures import sign
from boxoffice.payments.stripe_units import stripe_units

API_VERSION = "2025-10-29.clover"


def _random_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def session_object(session: SandboxSession) -> dict[str, Any]:
    """The session as Stripe's API shows a `checkout.session` object (the fields we use, and
    the ones a reader of the payload would look for)."""
    return {
        "id": session.session_id,
        "object": "checkout.session",
        "amount_subtotal": stripe_units(session.amount_total, session.currency),
        "amount_total": stripe_units(session.amount_total, session.currency),
        "client_reference_id": session.client_reference_id,
        "created": int(session.created_at.timestamp()),
        "currency": session.currency.lower(),
        "customer_email": session.customer_email,
        "expires_at": int(session.expires_at.timestamp()),
        "livemode": False,
        "metadata": session.metadata,
        "mode": "payment",
        "payment_intent": session.payment_intent if session.status == "complete" else None,
        "payment_status": session.payment_status,
        "status": session.status,
        "success_url": session.success_url,
        "cancel_url": session.cancel_url,
        "url": None if session.status != "open" else "",
    }


def refund_object(refund: SandboxRefund) -> dict[str, Any]:
    return {
        "id": refund.refund_id,
        "object": "refund",
        "amount": stripe_units(refund.amount, refund.session.currency),
        "currency": refund.session.currency.lower(),
        "created": int(refund.created_at.timestamp()),
        "metadata": refund.metadata,
        "payment_intent": refund.session.payment_intent,
        "status": refund.status,
    }


def event_envelope(
    event_type: str, data_object: dict[str, Any], *, account: str = ""
) -> dict[str, Any]:
    event = {
        "id": _random_id("evt_sbx_"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": data_object},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account:
        event["account"] = account
    return event


def deliver_event(url: str, event: dict[str, Any], attempts: int = 3) -> int:
    """POST a signed event to the webhook endpoint, as Stripe does; retries a few times on a
    non-2xx answer (Stripe retries for days). Returns the final HTTP status."""
    body = json.dumps(event).encode()
    status = 0
    for attempt in range(attempts):
        request = urllib.request.Request(  # noqa: S310 (our own endpoint, http(s) only)
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": sign(body)},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        if 200 <= status < 300:
            return status
        time.sleep(0.5 * (attempt + 1))
    return status


def announce(url: str, event_type: str, data_object: dict[str, Any], account: str = "") -> None:
    """Queue the delivery of an event once the current transaction commits."""
    enqueue(deliver_event, url, event_envelope(event_type, data_object, account=account))


class SandboxProvider:
    name = "sandbox"

    def __init__(self, *, platform_url: str) -> None:
        """`platform_url`: the platform site's root, e.g. http://localhost:8000 (the hosted page
        and the webhook endpoint live there)."""
        self.platform_url = platform_url.rstrip("/")

    @property
    def webhook_url(self) -> str:
        return f"{self.platform_url}/webhooks/stripe"

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        if request.amount_total <= 0:
            raise ProviderError("amount_total must be positive", retryable=False)
        existing = SandboxSession.objects.filter(idempotency_key=request.idempotency_key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = SandboxSession.objects.create(
                        session_id=_random_id("cs_test_sbx_"),
                        payment_intent=_random_id("pi_sbx_"),
                        account=request.connected_account,
                        amount_total=request.amount_total,
                        currency=request.currency,
                        customer_email=request.customer_email,
                        client_reference_id=request.client_reference_id,
                        metadata=request.metadata,
                        line_items=[
                            {
                                "name": item.name,
                                "unit_amount": item.unit_amount,
                                "quantity": item.quantity,
                            }
                            for item in request.line_items
                        ],
                        application_fee_amount=request.application_fee_amount,
                        success_url=request.success_url,
                        cancel_url=request.cancel_url,
                        webhook_url=self.webhook_url,
                        idempotency_key=request.idempotency_key,
                        expires_at=request.expires_at,
                    )
            except IntegrityError:  # the same key, created concurrently: that one wins
                existing = SandboxSession.objects.get(idempotency_key=request.idempotency_key)
        return CheckoutSession(
            id=existing.session_id,
            url=f"{self.platform_url}/sandbox/checkout/{existing.session_id}",
        )

    def _session(self, session_id: str) -> SandboxSession:
        session = SandboxSession.objects.filter(session_id=session_id).first()
        if session is None:
            raise ProviderError(f"No such checkout.session: {session_id}", retryable=False)
        return session

    @staticmethod
    def _state(session: SandboxSession) -> SessionState:
        return SessionState(
            id=session.session_id,
            status=session.status,
            payment_status=session.payment_status,
            payment_id=session.payment_intent if session.status == "complete" else "",
            metadata=session.metadata,
        )

    def get_checkout(self, session_id: str, *, connected_account: str = "") -> SessionState:
        return self._state(self._session(session_id))

    def expire_checkout(self, session_id: str, *, connected_account: str = "") -> SessionState:
        with transaction.atomic():
            expired = SandboxSession.objects.filter(session_id=session_id, status="open").update(
                status="expired", updated_at=timezone.now()
            )
            session = self._session(session_id)
            if expired:
                announce(
                    session.webhook_url,
                    "checkout.session.expired",
                    session_object(session),
                    session.account,
                )
        return self._state(session)

    def refund(
        self,
        *,
        payment_id: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
        connected_account: str = "",
    ) -> RefundResult:
        with transaction.atomic():
            done = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
            if done is not None:
                return RefundResult(id=done.refund_id, status=done.status)
            session = (
                SandboxSession.objects.select_for_update()
                .filter(payment_intent=payment_id, status="complete")
                .first()
            )
            if session is None:
                raise ProviderError(f"No such payment_intent: {payment_id}", retryable=False)
            if session.amount_refunded + amount > session.amount_total:
                raise ProviderError(
                    "Refund amount is greater than the unrefunded amount", retryable=False
                )
            refund = SandboxRefund.objects.create(
                refund_id=_random_id("re_sbx_"),
                session=session,
                amount=amount,
                idempotency_key=idempotency_key,
                metadata=metadata,
            )
            session.amount_refunded += amount
            session.save(update_fields=["amount_refunded", "updated_at"])
            announce(session.webhook_url, "refund.created", refund_object(refund), session.account)
        return RefundResult(id=refund.refund_id, status=refund.status)

    # --- the hosted page's actions (not part of the provider interface) --------------------

    def pay(self, session_id: str) -> SandboxSession | None:
        """The customer paid: complete the session and announce it. None if it was not open."""
        with transaction.atomic():
            paid = SandboxSession.objects.filter(
                session_id=session_id, status="open", expires_at__gt=timezone.now()
            ).update(status="complete", payment_status="paid", updated_at=timezone.now())
            if not paid:
                return None
            session = self._session(session_id)
            announce(
                session.webhook_url,
                "checkout.session.completed",
                session_object(session),
                session.account,
            )
        return session
