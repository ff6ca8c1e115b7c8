from datetime import datetime

from ninja import Field, Schema

from boxoffice.inputs import ClientDateTime
from boxoffice.money_api import CurrencyScope, MinorAmount


class TicketChoiceIn(Schema):
    seat: str = Field(..., description="The seat's ref, as in the hold")
    ticket_type: str = Field(..., description="A ticket type code, e.g. adult")


class CheckoutIn(Schema):
    email: str = Field(..., min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(..., min_length=1, max_length=200)
    tickets: list[TicketChoiceIn] = Field(
        default_factory=list, max_length=50, description="Ticket type per seat; default: first"
    )
    promo_code: str | None = Field(None, max_length=32)


class QuoteIn(Schema):
    tickets: list[TicketChoiceIn] = Field(default_factory=list, max_length=50)
    promo_code: str | None = Field(None, max_length=32)


class _TicketItem(Schema):
    """A ticket of a quote or an order: keys for machines, names for people."""

    seat: str
    label: str = Field(
        ..., description="The place as people read it: Stalls Centre, row E, seat 108"
    )
    category: str = Field(..., description="The price category's key, e.g. premium")
    category_name: str = Field(
        ..., description="The category's name as people read it, e.g. Premium Circle"
    )
    ticket_type: str = Field(..., description="The ticket type's code, e.g. adult")
    ticket_type_name: str = Field(..., description="Its name as people read it, e.g. Adult")
    description: str = Field(
        ...,
        description="What people read about this ticket: place · category · ticket type, "
        "names only (Stalls Centre, row E, seat 108 · Premium · Adult)",
    )


class QuoteItemOut(_TicketItem):
    notes: list[str] = Field(
        ...,
        description="What to know about the place: Wheelchair space, Companion seat, "
        "Restricted view",
    )
    price: MinorAmount
    discount: MinorAmount
    fee: MinorAmount
    tax: MinorAmount
    total: MinorAmount


class QuoteOut(CurrencyScope):
    currency: str
    items: list[QuoteItemOut]
    lines: list["LineOut"]
    subtotal: MinorAmount
    discount: MinorAmount
    fees: MinorAmount
    tax: MinorAmount
    tax_inclusive: bool
    total: MinorAmount
    promo_code: str | None


class CheckoutOut(CurrencyScope):
    order_code: str
    order_secret: str
    status: str
    total: MinorAmount
    currency: str
    payment_url: str | None = Field(
        ..., description="The provider's payment page; null when there is nothing to pay"
    )
    next_url: str = Field(
        ...,
        description="Where to send the customer now: the payment page, or the order page when "
        "the order needed no payment and is already paid",
    )
    expires_at: datetime


class LineOut(Schema):
    kind: str = Field(..., description="ticket, discount, fee or tax")
    description: str
    amount: MinorAmount


class ItemOut(_TicketItem):
    price: MinorAmount
    discount: MinorAmount
    fee: MinorAmount
    tax: MinorAmount
    total: MinorAmount
    status: str


class TicketOut(Schema):
    id: str
    seat: str
    status: str


class RefundOut(Schema):
    id: str
    amount: MinorAmount
    reason: str
    status: str
    note: str | None = Field(
        ..., description="The organizer's internal note; null on the customer's own view"
    )
    message: str = Field(..., description="What the customer was told in the refund email")
    seats: list[str]
    created_at: datetime


class CancellationOut(Schema):
    allowed: bool
    percent: int
    amount: MinorAmount
    # why not, when not allowed: the message for people and the code the refusal would carry
    reason: str | None = None
    reason_code: str | None = None


class OrderOut(CurrencyScope):
    code: str
    status: str
    event: str
    event_title: str
    email: str
    name: str
    currency: str
    subtotal: MinorAmount
    discount: MinorAmount
    fees: MinorAmount
    tax: MinorAmount
    tax_inclusive: bool
    total: MinorAmount
    refunded: MinorAmount
    lines: list[LineOut]
    items: list[ItemOut]
    tickets: list[TicketOut]
    refunds: list[RefundOut]
    payment_url: str | None
    expires_at: datetime
    paid_at: datetime | None
    disputed: bool
    cancellation: CancellationOut | None


class RefundIn(Schema):
    seats: list[str] | None = Field(
        None, max_length=50, description="Refs of the tickets to refund; all when left out"
    )
    note: str = Field(
        "", max_length=500, description="Internal: kept for the organizer, never sent"
    )
    message: str = Field(
        "", max_length=1000, description="To the customer: written into the refund email"
    )


class RefundResultOut(Schema):
    order: OrderOut
    refund: RefundOut | None


class PromoCodeIn(Schema):
    code: str = Field(..., min_length=2, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    kind: str = Field(..., pattern="^(percent|fixed)$")
    value: int = Field(..., ge=1)
    valid_from: ClientDateTime | None = None
    valid_until: ClientDateTime | None = None
    max_uses: int | None = Field(None, ge=1)
    active: bool = True


class PromoCodePatch(Schema):
    """Absent fields stay; null clears the window's ends and the use limit only."""

    value: int = Field(None, ge=1)
    valid_from: ClientDateTime | None = None
    valid_until: ClientDateTime | None = None
    max_uses: int | None = Field(None, ge=1)
    active: bool = None


class PromoCodeOut(Schema):
    code: str
    kind: str
    value: int
    valid_from: datetime | None
    valid_until: datetime | None
    max_uses: int | None
    used: int
    active: bool


class EventCancelledOut(Schema):
    event: str
    status: str
    orders_to_refund: int


class WebhookEventOut(Schema):
    """A stored provider event, for platform staff (rejected and failed ones need a person)."""

    id: int
    provider: str
    provider_event_id: str
    type: str
    status: str = Field(..., description="received, processed, ignored, failed or rejected")
    reason: str = Field(..., description="Why it was rejected: a machine-readable code")
    outcome: str = Field(..., description="What processing did, or why it was rejected")
    last_error: str
    organizer: str | None = Field(None, description="Slug of the organizer it was about")
    attempts: int
    received_at: datetime
    processed_at: datetime | None

    @staticmethod
    def resolve_organizer(event: object) -> str | None:
        return getattr(event, "organizer_slug", None)


class WebhookEventDetailOut(WebhookEventOut):
    payload: dict = Field(..., description="The event as received (unstorable text as U+FFFD)")
