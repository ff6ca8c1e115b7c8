"""The error codes of sales: holds, checkout, orders, promo codes, refunds and cancellations,
reports. The console reuses no_seats."""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    # Selling.
    NOT_ON_SALE = "not_on_sale", "Tickets for this event are not on sale."
    SALES_NOT_STARTED = "sales_not_started", "The event's sales have not started yet."
    SALES_ENDED = "sales_ended", "The event's sales have ended."
    # Holds.
    HOLD_NOT_FOUND = "hold_not_found", "No hold has this token."
    HOLD_RELEASED = "hold_released", "The hold was released."
    HOLD_CONVERTED = "hold_converted", "The hold became an order."
    HOLD_EXPIRED = "hold_expired", "The hold has expired; its seats may have been taken."
    HOLD_LIFETIME_EXCEEDED = "hold_lifetime_exceeded", "The hold cannot be extended any further."
    NO_SEATS = "no_seats", "No seats were chosen."
    INVALID_QUANTITY = "invalid_quantity", "Ask for at least one seat or place."
    NO_WHEELCHAIR_SPACES = "no_wheelchair_spaces", "The category has no wheelchair spaces."
    SEAT_NOT_HELD = "seat_not_held", "The seat is not in this hold."
    EMPTY_HOLD = "empty_hold", "The hold has no seats to check out."
    # Checkout and promo codes.
    NO_TICKET_TYPES = "no_ticket_types", "The event has no ticket types."
    PROMO_INVALID = "promo_invalid", "The promo code does not exist."
    PROMO_EXPIRED = "promo_expired", "The promo code is not valid now."
    PROMO_EXHAUSTED = "promo_exhausted", "The promo code has been used up."
    INVALID_PROMO_KIND = "invalid_promo_kind", "A promo code is 'percent' or 'fixed'."
    INVALID_PROMO_VALUE = "invalid_promo_value", "The promo code's value is out of range."
    INVALID_MAX_USES = "invalid_max_uses", "The promo code was used more times than this."
    PROMO_CODE_TAKEN = "promo_code_taken", "The event has a promo code of this name already."
    PROMO_CODE_NOT_FOUND = "promo_code_not_found", "The event has no promo code of this name."
    # Orders, refunds and cancellations.
    ORDER_NOT_FOUND = "order_not_found", "No order has this code, or the secret does not match."
    ORDER_NOT_REFUNDABLE = "order_not_refundable", "The order's status does not allow refunds."
    SEAT_NOT_IN_ORDER = "seat_not_in_order", "The seats are not active in this order."
    NO_ITEMS = "no_items", "No tickets were chosen to refund."
    ORDER_NOT_CANCELLABLE = "order_not_cancellable", "The order cannot be cancelled."
    EVENT_STARTED = "event_started", "The event has started: orders can no longer be cancelled."
    REFUND_POLICY_CLOSED = (
        "refund_policy_closed",
        "The event's refund policy no longer allows cancelling.",
    )
    # Reports.
    INVALID_STATUS = "invalid_status", "Not an order status; details.allowed lists them."
