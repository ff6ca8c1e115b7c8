"""What Boxoffice needs from a payment provider, in Stripe's terms (Checkout Sessions, refunds).

Two providers implement it: `stripe` (the real thing, through the official SDK) and `sandbox` (a
hosted page on the platform site that pays or declines and then delivers Stripe-format, Stripe-
signed webhook events). Both report back through the same webhook endpoint.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the request. `retryable` says whether the
    same request (same idempotency key) may succeed later."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount: int
    quantity: int = 1


@dataclass(frozen=True)
class CheckoutRequest:
    """Everything a Checkout Session is made of. `metadata` routes the webhook back to the
    organizer and order; `idempotency_key` makes a retried creation return the same session."""

    currency: str
    line_items: list[LineItem]
    customer_email: str
    client_reference_id: str
    metadata: dict[str, str]
    expires_at: datetime
    success_url: str
    cancel_url: str
    idempotency_key: str
    connected_account: str = ""
    application_fee_amount: int = 0

    @property
    def amount_total(self) -> int:
        return sum(item.unit_amount * item.quantity for item in self.line_items)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class SessionState:
    """A Checkout Session as the provider sees it now. `status`: open, complete, expired;
    `payment_status`: paid, unpaid, no_payment_required."""

    id: str
    status: str
    payment_status: str
    payment_id: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    """`status` as Stripe's Refund: pending, requires_action, succeeded, failed, canceled."""

    id: str
    status: str
    failure_reason: str = ""


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession: ...

    def get_checkout(self, session_id: str, *, connected_account: str = "") -> SessionState: ...

    def expire_checkout(self, session_id: str, *, connected_account: str = "") -> SessionState:
        """Close an open session so it can no longer be paid (Stripe: only `open` ones)."""
        ...

    def refund(
        self,
        *,
        payment_id: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
        connected_account: str = "",
    ) -> RefundResult: ...
