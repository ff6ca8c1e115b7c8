"""Stripe's webhook signature scheme, for the sandbox to sign with and the endpoint to check.

A signature header reads `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the
endpoint's secret>`. Verification is the Stripe SDK's own (`WebhookSignature.verify_header`),
so a sandbox event passes exactly the check a real one does.
"""

import hashlib
import hmac
import time

import stripe
from django.conf import settings
from django.utils.crypto import salted_hmac

# Stripe's default: an event signed more than five minutes ago is refused (replay protection).
TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    pass


def webhook_secret() -> str:
    """The endpoint's signing secret: STRIPE_WEBHOOK_SECRET, or for the sandbox without one a
    secret derived from SECRET_KEY (so every process of one deployment agrees on it)."""
    if settings.STRIPE_WEBHOOK_SECRET:
        return settings.STRIPE_WEBHOOK_SECRET
    return "whsec_" + salted_hmac("boxoffice.payments.sandbox-webhook", "v1").hexdigest()


def sign(payload: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header for `payload`, as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new((secret or webhook_secret()).encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(payload: bytes, header: str, *, secret: str | None = None) -> None:
    """Raise BadSignature unless `header` signs `payload` within the tolerance."""
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), header, secret or webhook_secret(), TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc
