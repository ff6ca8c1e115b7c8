"""The error codes of payments: checkout and the provider, Stripe Connect, ticket emails, and
the webhook endpoint (its answers to the provider, and the reasons an event is rejected, which
the platform API shows as a webhook event's `reason`)."""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    # Checkout and the provider.
    ORDER_NOT_PAYABLE = "order_not_payable", "The order's total cannot be paid by card."
    ORDER_CLOSED = "order_closed", "The hold's order is already paid, refunded or cancelled."
    PAYMENT_PROVIDER_UNAVAILABLE = (
        "payment_provider_unavailable",
        "The payment provider did not answer; try again in a moment.",
    )
    AMOUNT_NOT_CHARGEABLE = (
        "amount_not_chargeable",
        "The amount is outside what Stripe can charge in this currency.",
    )
    ORDER_NOT_PAID = "order_not_paid", "Only a paid order has tickets to send."
    # Stripe Connect.
    PAYMENTS_NOT_ENABLED = "payments_not_enabled", "The organizer's Stripe account is not set up."
    STRIPE_NOT_CONFIGURED = (
        "stripe_not_configured",
        "The platform runs payments in the sandbox: there is no Stripe account to connect.",
    )
    COUNTRY_REQUIRED = "country_required", "Set the organizer's country before connecting Stripe."
    # The platform API's webhook events.
    WEBHOOK_EVENT_NOT_FOUND = "webhook_event_not_found", "No webhook event has this id."
    # The webhook endpoint's answers to the provider.
    OK = "ok", "The event was applied."
    REJECTED = "rejected", "The event was recorded and changed nothing: its claims disagree."
    DUPLICATE = "duplicate", "The event was applied or rejected before."
    PROCESSING_FAILED = "processing_failed", "The event was recorded but failed; retry later."
    BAD_SIGNATURE = "bad_signature", "The signature check failed."
    INVALID_PAYLOAD = "invalid_payload", "The body is not a provider event."
    # Why a signed event is rejected (a webhook event's reason).
    INVALID_OBJECT = "invalid_object", "The event's object lacks an id, a time or the right kind."
    INVALID_METADATA = "invalid_metadata", "The object's metadata is not an object."
    UNKNOWN_PAYMENT = "unknown_payment", "About a session or payment we did not create."
    UNKNOWN_ORGANIZER = "unknown_organizer", "The route names no organizer schema we have."
    UNKNOWN_ORDER = "unknown_order", "The route names no order of that organizer."
    ACCOUNT_MISMATCH = "account_mismatch", "The event's connected account is not the route's."
    METADATA_MISMATCH = "metadata_mismatch", "The metadata disagrees with the stored route."
    AMOUNT_MISMATCH = "amount_mismatch", "The amount is not the order's."
    CURRENCY_MISMATCH = "currency_mismatch", "The currency is not the order's."
    SESSION_MISMATCH = "session_mismatch", "The order has another checkout session."
    STATUS_MISMATCH = "status_mismatch", "The object's status does not fit the event type."
    PAYMENT_STATUS_MISMATCH = (
        "payment_status_mismatch",
        "The session's payment status does not fit the event or the order's total.",
    )
    PAYMENT_MISMATCH = "payment_mismatch", "The payment is not the one of the order's session."
    CHARGE_MISMATCH = "charge_mismatch", "The charge is not the order's."
