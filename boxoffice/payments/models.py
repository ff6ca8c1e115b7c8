"""Payment records that belong to the platform, not to one organizer: in the public schema.

The webhook endpoint lives on the platform site, so the events it receives, and the table that
routes them to an organizer, are shared. Orders and refunds themselves live in each organizer's
schema (boxoffice.sales).
"""

from django.db import models


class WebhookEvent(models.Model):
    """One provider event, stored once (unique provider id) in the same transaction as its
    effects. A failed attempt is recorded here and the provider's retry processes it again."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Nothing to do"
        FAILED = "failed", "Failed; waiting for the provider's retry"
        # Signed, but its claims disagree with what we stored (another order's metadata, an
        # unknown account, the wrong amount...): nothing changed, and it is never retried.
        REJECTED = "rejected", "Rejected: does not match what we stored"

    provider = models.CharField(max_length=16)
    provider_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    schema_name = models.CharField(max_length=63, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    outcome = models.CharField(max_length=200, blank=True, help_text="What processing did.")
    reason = models.CharField(
        max_length=40, blank=True, help_text="Why it was rejected (a machine-readable code)."
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["schema_name", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider_event_id} ({self.type})"


class PaymentRoute(models.Model):
    """Which organizer and order a provider checkout session belongs to: written when we create
    the session, so it, not an event's metadata, decides which order an event may touch. The
    payment (intent) and charge ids are learnt from events already bound to the session."""

    provider = models.CharField(max_length=16)
    session_id = models.CharField(max_length=255, unique=True)
    payment_id = models.CharField(max_length=255, blank=True, db_index=True)
    charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    # The connected account the session was created on ("" = the platform's own account):
    # every event about this session must come from it.
    account = models.CharField(max_length=64, blank=True)
    schema_name = models.CharField(max_length=63)
    order_code = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.session_id} -> {self.schema_name}/{self.order_code}"


class SandboxSession(models.Model):
    """The sandbox provider's own record of a checkout session, shaped like Stripe's Checkout
    Session object (what `checkout.session.*` events carry)."""

    session_id = models.CharField(max_length=64, unique=True)
    payment_intent = models.CharField(max_length=64, unique=True)
    account = models.CharField(max_length=64, blank=True)
    amount_total = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    customer_email = models.EmailField(max_length=254)
    client_reference_id = models.CharField(max_length=200)
    metadata = models.JSONField(default=dict)
    line_items = models.JSONField(default=list)
    application_fee_amount = models.PositiveIntegerField(default=0)
    success_url = models.URLField(max_length=2000)
    cancel_url = models.URLField(max_length=2000)
    # Where this session's events go: the webhook endpoint of the site that created it.
    webhook_url = models.URLField(max_length=2000)
    status = models.CharField(max_length=16, default="open")  # open, complete, expired
    payment_status = models.CharField(max_length=16, default="unpaid")
    amount_refunded = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.session_id


class SandboxRefund(models.Model):
    """A refund the sandbox provider made, shaped like Stripe's Refund object."""

    refund_id = models.CharField(max_length=64, unique=True)
    session = models.ForeignKey(SandboxSession, on_delete=models.CASCADE, related_name="refunds")
    amount = models.PositiveIntegerField()
    status = models.CharField(max_length=16, default="succeeded")
    idempotency_key = models.CharField(max_length=255, unique=True)
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.refund_id


class ConnectedAccount(models.Model):
    """An organizer's Stripe account, created by us through Connect onboarding (POST
    /v1/accounts), so its id comes from Stripe and never from what someone typed. Its state is
    what Stripe last told us: read back after onboarding (GET /v1/accounts/{id}) and kept current
    by `account.updated` events bound to this id. Checkout with Stripe needs `charges_enabled`."""

    organizer = models.OneToOneField(
        "tenants.Organizer", on_delete=models.CASCADE, related_name="connected_account"
    )
    account_id = models.CharField(max_length=64, unique=True)
    account_type = models.CharField(max_length=16)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    # What Stripe still asks for: {"currently_due": [...], "past_due": [...],
    # "eventually_due": [...], "disabled_reason": str, "current_deadline": int | None}.
    requirements = models.JSONField(default=dict)
    # When Stripe's answer (a read-back, or the `created` time of an event) describes the
    # account: events older than the state we hold change nothing, whatever order they come in.
    state_at = models.DateTimeField(null=True, blank=True)
    # When the organizer disconnected the account from the platform (Stripe's
    # `account.application.deauthorized`): no payments run on it after that, whatever its state.
    disconnected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.account_id} ({self.organizer_id})"

    @property
    def state(self) -> str:
        """One word for people: disconnected (from the platform, by the organizer), enabled,
        restricted (Stripe wants more), pending (details not yet submitted), or new."""
        if self.disconnected_at is not None:
            return "disconnected"
        if self.state_at is None:
            return "new"
        if self.charges_enabled and self.payouts_enabled:
            return "enabled"
        if not self.details_submitted:
            return "pending"
        return "restricted"
