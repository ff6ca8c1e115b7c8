"""The `stripe` payment provider: Checkout Sessions and refunds through the official SDK.

Charges are direct charges: with a connected account every call carries the `Stripe-Account`
header, so the session, its PaymentIntent and its refunds live on the organizer's account and the
platform takes `application_fee_amount`. Without one they live on the platform account.

One `stripe.StripeClient` per provider (no module-level `stripe.api_key`), so tests hand in a fake
`http_client` at the SDK's HTTP boundary and nothing else changes.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from stripe import StripeClient

from boxoffice.errors import Invalid
from boxoffice.payments.stripe_units import stripe_units

from .base import CheckoutRequest, CheckoutSession, ProviderError, RefundResult, SessionState

# Connect within a few seconds, answer within half a minute: the SDK's 80 s would hold a customer's
# checkout request (and a web worker) long after the customer gave up.
DEFAULT_TIMEOUT = (5.0, 30.0)

# The SDK retries connection errors, 409 and 5xx itself, with back-off and the same
# Idempotency-Key, so a retried create or refund can never happen twice.
DEFAULT_NETWORK_RETRIES = 2

_KEY_PATTERN = re.compile(r"\b(sk|rk|pk|whsec)_[A-Za-z0-9_*]+")

# What Stripe's `requirements` hash is kept of, and how much of it (a field name is short; an
# account that owes hundreds of them is summarised by the first ones).
REQUIREMENT_LISTS = ("currently_due", "past_due", "eventually_due")
MAX_REQUIREMENTS = 50


@dataclass(frozen=True)
class AccountState:
    """A connected account as Stripe describes it (GET /v1/accounts/{id}, `account.updated`)."""

    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements: dict[str, Any] = field(default_factory=dict)


def account_state(data: dict[str, Any]) -> AccountState:
    """The parts of an `account` object we keep, read without trusting their types (webhook
    payloads arrive here too): anything not a boolean is False, lists keep only short strings."""
    raw = data.get("requirements")
    raw = raw if isinstance(raw, dict) else {}
    requirements: dict[str, Any] = {
        name: [item for item in raw.get(name) or [] if isinstance(item, str) and len(item) <= 200][
            :MAX_REQUIREMENTS
        ]
        if isinstance(raw.get(name), list)
        else []
        for name in REQUIREMENT_LISTS
    }
    reason = raw.get("disabled_reason")
    requirements["disabled_reason"] = reason[:100] if isinstance(reason, str) else ""
    deadline = raw.get("current_deadline")
    requirements["current_deadline"] = (
        deadline if isinstance(deadline, int) and not isinstance(deadline, bool) else None
    )
    account_id = data.get("id")
    return AccountState(
        id=account_id if isinstance(account_id, str) else "",
        charges_enabled=data.get("charges_enabled") is True,
        payouts_enabled=data.get("payouts_enabled") is True,
        details_submitted=data.get("details_submitted") is True,
        requirements=requirements,
    )


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        api_key: str | None = None,
        *,
        http_client: stripe.HTTPClient | None = None,
        max_network_retries: int = DEFAULT_NETWORK_RETRIES,
    ) -> None:
        api_key = api_key if api_key is not None else settings.STRIPE_SECRET_KEY
        if not api_key:
            raise ImproperlyConfigured("the stripe payment provider needs STRIPE_SECRET_KEY")
        self._client = StripeClient(
            api_key,
            http_client=http_client or stripe.RequestsClient(timeout=DEFAULT_TIMEOUT),
            max_network_retries=max_network_retries,
        )

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        if request.application_fee_amount > 0 and not request.connected_account:
            # Stripe only takes an application fee on a connected account's charge.
            raise ProviderError(
                "an application fee needs a connected Stripe account", retryable=False
            )
        if request.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        currency = request.currency.lower()
        payment_intent_data: dict[str, Any] = {"metadata": dict(request.metadata)}
        try:
            unit_amounts = [stripe_units(item.unit_amount, currency) for item in request.line_items]
            fee = stripe_units(request.application_fee_amount, currency, round_down=True)
        except Invalid as exc:
            raise ProviderError(exc.message, retryable=False) from exc
        if fee > 0:
            payment_intent_data["application_fee_amount"] = fee
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": currency,
                        "unit_amount": unit_amount,
                        "product_data": {"name": item.name},
                    },
                    "quantity": item.quantity,
                }
                for item, unit_amount in zip(request.line_items, unit_amounts, strict=True)
            ],
            "metadata": dict(request.metadata),
            "payment_intent_data": payment_intent_data,
            "expires_at": int(request.expires_at.timestamp()),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        # Stripe reads an empty string as "unset this", which it refuses on creation.
        if request.customer_email:
            params["customer_email"] = request.customer_email
        if request.client_reference_id:
            params["client_reference_id"] = request.client_reference_id
        options = _options(request.connected_account, request.idempotency_key)
        try:
            session = self._client.v1.checkout.sessions.create(params, options)
        except stripe.StripeError as exc:
            raise _provider_error("create checkout session", exc) from exc
        return CheckoutSession(id=session.id, url=session.url or "")

    def get_checkout(self, session_id: str, *, connected_account: str = "") -> SessionState:
        try:
            session = self._client.v1.checkout.sessions.retrieve(
                session_id, options=_options(connected_account)
            )
        except stripe.StripeError as exc:
            raise _provider_error("retrieve checkout session", exc) from exc
        return _session_state(session)

    def expire_checkout(self, session_id: str, *, connected_account: str = "") -> SessionState:
        try:
            session = self._client.v1.checkout.sessions.expire(
                session_id, options=_options(connected_account)
            )
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 400:
                raise _provider_error("expire checkout session", exc) from exc
            # Stripe expires only open sessions; a completed or already expired one is the answer
            # the caller needs (a completed one was paid: the webhook decides what happens next).
            state = self.get_checkout(session_id, connected_account=connected_account)
            if state.status == "open":
                raise _provider_error("expire checkout session", exc) from exc
            return state
        except stripe.StripeError as exc:
            raise _provider_error("expire checkout session", exc) from exc
        return _session_state(session)

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
        try:
            units = stripe_units(amount, currency)
        except Invalid as exc:
            raise ProviderError(exc.message, retryable=False) from exc
        params: dict[str, Any] = {
            "payment_intent": payment_id,
            "amount": units,
            "metadata": dict(metadata),
        }
        if connected_account:
            # A direct charge's refund comes out of the organizer's balance, and by default the
            # platform keeps its whole fee. We hand the fee back in proportion to the amount
            # refunded: the platform earns on tickets that stay sold, so an organizer never pays a
            # fee on money the customer got back (pay-after-expiry refunds are ours, not theirs).
            params["refund_application_fee"] = True
        try:
            refund = self._client.v1.refunds.create(
                params, _options(connected_account, idempotency_key)
            )
        except stripe.StripeError as exc:
            raise _provider_error("refund", exc) from exc
        data = refund.to_dict()
        return RefundResult(
            id=data["id"],
            status=data.get("status") or "pending",
            failure_reason=data.get("failure_reason") or "",
        )

    # --- Connect: the organizer's own account --------------------------------------------

    def create_account(
        self, *, account_type: str, country: str, metadata: dict[str, str], idempotency_key: str
    ) -> AccountState:
        """A new connected account (POST /v1/accounts) in `country` (ISO 3166-1 alpha-2; left
        out, Stripe would open it in the platform's country, for good). The idempotency key
        makes a retry after a timeout, or a second click, return the same account."""
        params: dict[str, Any] = {
            "type": account_type,
            "country": country,
            "metadata": dict(metadata),
        }
        try:
            account = self._client.v1.accounts.create(params, {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise _provider_error("create connected account", exc) from exc
        return account_state(account.to_dict())

    def create_account_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        """A one-time onboarding address on Stripe for `account_id` (POST /v1/account_links);
        it expires within minutes, so one is made for each visit."""
        params: dict[str, Any] = {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        try:
            link = self._client.v1.account_links.create(params)
        except stripe.StripeError as exc:
            raise _provider_error("create account link", exc) from exc
        return link.url

    def retrieve_account(self, account_id: str) -> AccountState:
        try:
            account = self._client.v1.accounts.retrieve(account_id)
        except stripe.StripeError as exc:
            raise _provider_error("retrieve connected account", exc) from exc
        return account_state(account.to_dict())


def _options(connected_account: str, idempotency_key: str = "") -> stripe.RequestOptions:
    options: stripe.RequestOptions = {}
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    if connected_account:
        options["stripe_account"] = connected_account
    return options


def _session_state(session: stripe.checkout.Session) -> SessionState:
    data = session.to_dict()
    payment_intent = data.get("payment_intent")
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id")
    return SessionState(
        id=data["id"],
        status=data.get("status") or "",
        payment_status=data.get("payment_status") or "",
        payment_id=payment_intent or "",
        metadata={key: str(value) for key, value in (data.get("metadata") or {}).items()},
    )


def _is_retryable(exc: stripe.StripeError) -> bool:
    if isinstance(exc, stripe.IdempotencyError):
        # Stripe sends this when a key is reused with different parameters: the same request
        # under the same key fails the same way for the key's 24 hours. The retryable idempotency
        # case, the same key still in flight elsewhere, arrives as a 409 (an APIError).
        return False
    # APIError covers 5xx, 409 conflicts and unreadable bodies. Everything else (invalid
    # requests including 404, authentication, permission, card errors) fails again unchanged.
    return isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError)


def _provider_error(action: str, exc: stripe.StripeError) -> ProviderError:
    parts = [type(exc).__name__]
    if exc.http_status:
        parts.append(f"HTTP {exc.http_status}")
    if exc.code:
        parts.append(f"code {exc.code}")
    if exc.request_id:
        parts.append(f"request {exc.request_id}")
    message = f"Stripe could not {action} ({', '.join(parts)})"
    # Stripe's own text helps (which parameter, which object); an authentication error's text
    # names the key, so it is left out, and anything shaped like a key is masked regardless.
    if exc.user_message and not isinstance(exc, stripe.AuthenticationError):
        message += ": " + _KEY_PATTERN.sub("[redacted]", exc.user_message)
    return ProviderError(message, retryable=_is_retryable(exc))
