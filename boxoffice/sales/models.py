"""What sales keeps, in each organizer's schema: holds (a customer's claim on seats for a few
minutes), promo codes, orders and their items, refunds."""

from django.db import models
from django.db.models import F, Q

from boxoffice.events.models import Event


class Hold(models.Model):
    """Reached by a random bearer token (only its SHA-256 is stored). The seats it holds are the
    EventSeat rows with `hold_id` = this id, status `held` and `held_until` not yet passed
    (the rule and its clock: boxoffice/events/seat_rules.py)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        CONVERTED = "converted", "Converted to an order"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="holds")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField()
    max_expires_at = models.DateTimeField(help_text="Extensions never go past this.")
    extensions = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__lte=F("max_expires_at")), name="hold_within_lifetime"
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"hold {self.pk} ({self.status})"


class PromoCode(models.Model):
    """A discount code for one event: a percentage off each ticket, or a fixed amount off the
    order. `used` counts orders that hold a use (given back when an unpaid order lapses)."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent off"
        FIXED = "fixed", "Fixed amount off the order"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="promo_codes")
    code = models.CharField(max_length=32, help_text="Stored upper-case; matched case-blind.")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.PositiveIntegerField(help_text="Percent (1-100) or minor units.")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    used = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="promo_code_unique"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__gte=1, value__lte=100),
                name="promo_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(used__lte=F("max_uses")),
                name="promo_within_max_uses",
            ),
        ]

    def __str__(self) -> str:
        return self.code


# Dispute statuses after which the payment stands (the organizer keeps the money).
DISPUTE_SETTLED = ("won", "warning_closed")
# Dispute statuses that end a dispute: a later event with an open status is an older one.
DISPUTE_FINAL = ("won", "lost", "warning_closed")
DISPUTE_LABELS = {
    "warning_needs_response": "inquiry, needs a response",
    "warning_under_review": "inquiry under review",
    "warning_closed": "inquiry closed",
    "needs_response": "needs a response",
    "under_review": "under review",
    "won": "won",
    "lost": "lost",
}


class Order(models.Model):
    """What a customer bought (or is paying for). Reached by `code` plus a secret derived from it
    (boxoffice.sales.order_access.order_secret), so the secret is never stored."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Awaiting payment"
        PROCESSING = "processing", "Payment processing"
        PAID = "paid", "Paid"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired unpaid"
        PAYMENT_FAILED = "payment_failed", "Payment failed"

    code = models.CharField(max_length=16, unique=True)
    secret_nonce = models.CharField(max_length=32)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="orders")
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="order")
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PENDING_PAYMENT)
    currency = models.CharField(max_length=3)
    promo_code = models.ForeignKey(
        PromoCode, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    subtotal = models.PositiveIntegerField(help_text="Ticket prices before discount.")
    discount = models.PositiveIntegerField(default=0)
    fees = models.PositiveIntegerField(default=0)
    tax = models.PositiveIntegerField(default=0)
    tax_inclusive = models.BooleanField(default=True)
    total = models.PositiveIntegerField()
    refunded = models.PositiveIntegerField(default=0)
    provider = models.CharField(max_length=16)
    # The platform's share of `total` (Stripe's application_fee_amount), worked out once when
    # the payment session is first asked for, so a retry sends the same request under the same
    # idempotency key even if the platform changed the organizer's fee meanwhile. None: not yet.
    application_fee = models.PositiveIntegerField(null=True, blank=True)
    provider_session_id = models.CharField(max_length=255, blank=True)
    provider_payment_id = models.CharField(max_length=255, blank=True)
    payment_url = models.URLField(max_length=2000, blank=True)
    expires_at = models.DateTimeField(help_text="End of the payment window.")
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # A chargeback (the provider's dispute): when it was opened, why, how much, and its status
    # as the provider last reported it (Stripe's: warning_needs_response, needs_response,
    # under_review, won, lost, warning_closed...).
    disputed_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.CharField(max_length=64, blank=True)
    dispute_status = models.CharField(max_length=32, blank=True)
    dispute_amount = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["event", "status"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(refunded__lte=F("total")), name="order_refund_cap"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False), name="order_paid_at"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        """Waiting for the provider: its seats are still reserved."""
        return self.status in (self.Status.PENDING_PAYMENT, self.Status.PROCESSING)

    @property
    def payment_disputed(self) -> bool:
        """A chargeback that is open or lost: the door refuses its tickets until a supervisor
        overrides (checkin/README.md). One the organizer won, or an inquiry closed without a
        chargeback, no longer counts."""
        return self.disputed_at is not None and self.dispute_status not in DISPUTE_SETTLED

    @property
    def dispute_status_label(self) -> str:
        return DISPUTE_LABELS.get(self.dispute_status, self.dispute_status.replace("_", " "))


# Paid and not wholly given back: its tickets admit, reports count its money, it can be refunded.
# The one definition; the check-in manifest's SQL takes it as a parameter.
PAID_STATUSES = (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED)


def item_line(*, place: str, category: str, ticket_type: str) -> str:
    """What a person reads about one ticket: "Stalls Centre, row E, seat 108 · Premium · Adult"
    (the place, the category's name, the ticket type's name; never their keys). The one
    definition: quotes, the payment page, order and ticket pages, emails and the door all use it."""
    return " · ".join(part for part in (place, category, ticket_type) if part)


class OrderItem(models.Model):
    """One seat of an order with its price broken down: price - discount + fee (+ tax when
    exclusive) = total. Refunds are per item."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    seat = models.ForeignKey(
        "events.EventSeat", on_delete=models.PROTECT, related_name="order_items"
    )
    ref = models.CharField(max_length=64)
    label = models.CharField(max_length=120, help_text="Section, row and seat, for people.")
    category = models.CharField(max_length=32)
    # Names as the seat map and the price table had them at checkout, like `label`: people read
    # these, machines (check-in lists, reports) compare the keys.
    category_name = models.CharField(max_length=64)
    ticket_type = models.CharField(max_length=32)
    ticket_type_name = models.CharField(max_length=64)
    price = models.PositiveIntegerField()
    discount = models.PositiveIntegerField(default=0)
    fee = models.PositiveIntegerField(default=0)
    tax = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seat"], name="order_item_seat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.ref}"

    @property
    def line(self) -> str:
        return item_line(
            place=self.label, category=self.category_name, ticket_type=self.ticket_type_name
        )


class Refund(models.Model):
    """Money going back to the customer, through the provider, with the items it covers."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Reason(models.TextChoices):
        ORGANIZER = "organizer", "Refunded by the organizer"
        CUSTOMER_CANCELLATION = "customer_cancellation", "Cancelled by the customer"
        EVENT_CANCELLED = "event_cancelled", "Event cancelled"
        SEATS_LOST = "seats_lost", "Paid after the seats were released"
        EXTERNAL = "external", "Refunded outside Boxoffice"

    uid = models.CharField(max_length=24, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    items = models.ManyToManyField(OrderItem, blank=True, related_name="refunds")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=24, choices=Reason.choices)
    # The organizer's own note (console, audit): never shown or sent to the customer.
    note = models.CharField(max_length=500, blank=True)
    # What the customer reads about this refund (the refund email).
    customer_message = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    actor = models.CharField(max_length=200, blank=True, help_text="Who asked for it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_refund_id"],
                condition=~Q(provider_refund_id=""),
                name="refund_provider_id_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return self.uid
