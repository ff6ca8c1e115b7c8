"""Stripe, faked at the SDK's HTTP boundary (its `http_client` hook): the SDK builds every request
for real, FakeStripeAPI records it and answers the way Stripe does, with the objects built here
(checkout sessions, refunds, errors, connected accounts and account links); and the steps the
Connect and Stripe checkout tests share (onboarding started, a Stripe checkout of one seat)."""

import json
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from requests.structures import CaseInsensitiveDict

from boxoffice.actors import Actor
from boxoffice.payments.providers.base import CheckoutRequest, LineItem
from boxoffice.payments.providers.sandbox import event_envelope
from boxoffice.payments.providers.stripe_provider import StripeProvider
from boxoffice.payments.services import connect

API_KEY = "sk_test_51BoxofficeSecretKeyForTests"
ACCOUNT = "acct_1OrganizerAlpha"
SESSION_ID = "cs_test_a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ"
PAYMENT_INTENT_ID = "pi_3PqRsTuVwXyZ0123"
EXPIRES_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EXPIRES_AT_UNIX = "1893499200"
ACCOUNT_ID = "acct_1QxYzAlphaTheatre"
LINK_URL = "https://connect.stripe.com/setup/s/acct_1QxYzAlphaTheatre/aBcDeFgHiJkL"


@dataclass
class SentRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body, keep_blank_values=True))


class FakeStripeAPI(stripe.HTTPClient):
    """Answers each request with the next queued (status, JSON body) or raises a queued error."""

    name = "fake-stripe"

    def __init__(self, *answers: tuple[int, dict[str, Any]] | Exception) -> None:
        super().__init__()
        self.answers = list(answers)
        self.sent: list[SentRequest] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.sent.append(SentRequest(method, url, dict(headers or {}), post_data or ""))
        assert self.answers, f"unexpected request {method.upper()} {url}"
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        response_headers = CaseInsensitiveDict(
            {
                "Content-Type": "application/json",
                "Request-Id": f"req_test{len(self.sent):04d}",
                "Stripe-Version": stripe.api_version,
            }
        )
        return json.dumps(body), status, response_headers

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise AssertionError("the provider never streams")

    def close(self) -> None:
        pass

    def _sleep_time_seconds(self, num_retries: int) -> float:
        # The SDK's retry back-off, without the wait.
        return 0.0


def checkout_session(**overrides: Any) -> dict[str, Any]:
    """A `checkout.session` as Stripe returns it for a freshly created hosted payment session."""
    session = {
        "id": SESSION_ID,
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": 11000,
        "amount_total": 11000,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": "https://alpha.tickets.test/orders/BX7K2/cancelled",
        "client_reference_id": "BX7K2",
        "client_secret": None,
        "consent": None,
        "consent_collection": None,
        "created": 1893497400,
        "currency": "eur",
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": "ada@example.com",
        "discounts": [],
        "expires_at": int(EXPIRES_AT_UNIX),
        "invoice": None,
        "invoice_creation": {"enabled": False, "invoice_data": {}},
        "livemode": False,
        "locale": None,
        "metadata": {"organizer": "alpha", "order": "BX7K2"},
        "mode": "payment",
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required",
        "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": "https://alpha.tickets.test/orders/BX7K2?session={CHECKOUT_SESSION_ID}",
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": f"https://checkout.stripe.com/c/pay/{SESSION_ID}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
    }
    session.update(overrides)
    return session


def completed_session(**overrides: Any) -> dict[str, Any]:
    completed = {
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": PAYMENT_INTENT_ID,
        "customer_details": {
            "address": None,
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
        "url": None,
    }
    return checkout_session(**{**completed, **overrides})


def refund_object(**overrides: Any) -> dict[str, Any]:
    refund = {
        "id": "re_3PqRsTuVwXyZ0123",
        "object": "refund",
        "amount": 4500,
        "balance_transaction": "txn_3PqRsTuVwXyZ0123",
        "charge": "ch_3PqRsTuVwXyZ0123",
        "created": 1893600000,
        "currency": "eur",
        "destination_details": {"card": {"reference_status": "pending", "type": "refund"}},
        "metadata": {"organizer": "alpha", "order": "BX7K2", "refund": "R1"},
        "payment_intent": PAYMENT_INTENT_ID,
        "reason": None,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
    refund.update(overrides)
    return refund


def stripe_error(error_type: str, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": error_type}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    error["request_log_url"] = "https://dashboard.stripe.com/test/logs/req_test0001"
    return {"error": error}


def checkout_request(**overrides: Any) -> CheckoutRequest:
    request = CheckoutRequest(
        currency="EUR",
        line_items=[
            LineItem(name="Stalls, row C — adult", unit_amount=4500, quantity=2),
            LineItem(name="Booking fee", unit_amount=1000, quantity=2),
        ],
        customer_email="ada@example.com",
        client_reference_id="BX7K2",
        metadata={"organizer": "alpha", "order": "BX7K2"},
        expires_at=EXPIRES_AT,
        success_url="https://alpha.tickets.test/orders/BX7K2?session={CHECKOUT_SESSION_ID}",
        cancel_url="https://alpha.tickets.test/orders/BX7K2/cancelled",
        idempotency_key="checkout-alpha-BX7K2-1",
    )
    return replace(request, **overrides)


def make_provider(fake: FakeStripeAPI, **kwargs: Any) -> StripeProvider:
    kwargs.setdefault("max_network_retries", 0)
    return StripeProvider(API_KEY, http_client=fake, **kwargs)


def account_object(**overrides: Any) -> dict[str, Any]:
    """A Standard connected account as Stripe returns it: new (details not submitted)."""
    account = {
        "id": ACCOUNT_ID,
        "object": "account",
        "business_profile": {"mcc": None, "name": None, "support_email": None, "url": None},
        "business_type": None,
        "capabilities": {},
        "charges_enabled": False,
        "controller": {
            "is_controller": True,
            "type": "application",
            "stripe_dashboard": {"type": "full"},
            "fees": {"payer": "account"},
            "losses": {"payments": "stripe"},
            "requirement_collection": "stripe",
        },
        "country": "NL",
        "created": 1764790000,
        "default_currency": "eur",
        "details_submitted": False,
        "email": None,
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/accounts/{ACCOUNT_ID}/external_accounts",
        },
        "future_requirements": {
            "alternatives": [],
            "current_deadline": None,
            "currently_due": [],
            "disabled_reason": None,
            "errors": [],
            "eventually_due": [],
            "past_due": [],
            "pending_verification": [],
        },
        "metadata": {"organizer": "alpha", "schema": "org_alpha"},
        "payouts_enabled": False,
        "requirements": {
            "alternatives": [],
            "current_deadline": None,
            "currently_due": ["business_profile.url", "external_account", "tos_acceptance.date"],
            "disabled_reason": "requirements.past_due",
            "errors": [],
            "eventually_due": ["business_profile.url", "external_account"],
            "past_due": ["external_account"],
            "pending_verification": [],
        },
        "settings": {"payouts": {"schedule": {"delay_days": 7, "interval": "daily"}}},
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        "type": "standard",
    }
    account.update(overrides)
    return account


def enabled_account(**overrides: Any) -> dict[str, Any]:
    enabled = {
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
        "requirements": {
            "alternatives": [], "current_deadline": None, "currently_due": [],
            "disabled_reason": None, "errors": [], "eventually_due": [], "past_due": [],
            "pending_verification": [],
        },
    }  # fmt: skip
    return account_object(**{**enabled, **overrides})


def account_link() -> dict[str, Any]:
    return {
        "object": "account_link",
        "created": int(time.time()),
        "expires_at": int(time.time()) + 300,
        "url": LINK_URL,
    }


def start(organizer):
    return connect.start_onboarding(
        organizer=organizer,
        actor=Actor.system("test"),
        refresh_url="http://alpha.localhost/console/settings/stripe/refresh/",
        return_url="http://alpha.localhost/console/settings/stripe/return/",
    )


def account_updated(obj: dict[str, Any], *, account: str | None = None, created: int = 0) -> dict:
    event = event_envelope(
        "account.updated", obj, account=obj["id"] if account is None else account
    )
    event["data"]["previous_attributes"] = {"charges_enabled": False}
    if created:
        event["created"] = created
    return event


def stripe_checkout(shop, monkeypatch, fake):
    provider = connect.StripeProvider(API_KEY, http_client=fake, max_network_retries=0)
    for module in ("checkout", "reconciliation"):
        monkeypatch.setattr(
            f"boxoffice.payments.services.{module}.get_provider",
            lambda name=None, request=None: provider,
        )
    token = shop.hold("stalls/B/1")
    answer = shop.post(
        f"/api/v1/holds/{token}/checkout", {"email": "ana@example.com", "name": "Ana Lima"}
    )
    return token, answer
