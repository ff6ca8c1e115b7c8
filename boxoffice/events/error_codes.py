"""The error codes of events: their settings and transitions, seat blocking, price tables and
refund policies. Sales reuses the event, seat and ticket-type ones."""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    EVENT_NOT_FOUND = "event_not_found", "No event has this id or slug here (or it is not public)."
    EVENT_CLOSED = "event_closed", "The event is cancelled or over; it cannot be changed."
    INVALID_TITLE = "invalid_title", "The event has no title."
    INVALID_CATEGORY = "invalid_category", "Not one of the event categories."
    INVALID_MAX_SEATS = "invalid_max_seats", "Seats per order must be 1 to 50."
    INVALID_HOLD_MINUTES = "invalid_hold_minutes", "A hold lasts 1 to 60 minutes."
    NAIVE_DATETIME = "naive_datetime", "A date and time has no time zone offset."
    INVALID_SALES_WINDOW = (
        "invalid_sales_window",
        "Sales end before they start, or after the event.",
    )
    INVALID_FEE = "invalid_fee", "The fee per ticket is out of range."
    INVALID_TAX_RATE = "invalid_tax_rate", "The tax rate is not a percentage from 0 to 100."
    INVALID_ACTION = "invalid_action", "Not an action an event has (publish, pause, cancel...)."
    INVALID_TRANSITION = "invalid_transition", "The event's status does not allow this action."
    INVALID_REFUND_POLICY = "invalid_refund_policy", "The refund policy's tiers are not valid."
    # Seats of an event.
    SEATS_UNAVAILABLE = (
        "seats_unavailable",
        "Some of the seats are taken, held or blocked; details name them.",
    )
    NOT_ACCESS_SEATS = "not_access_seats", "The seats are not wheelchair spaces or companions."
    # Price tables.
    INVALID_CODE = "invalid_code", "A ticket type or phase code is malformed."
    DUPLICATE_CODE = "duplicate_code", "Two ticket types or phases have the same code."
    DUPLICATE_UNTIL = "duplicate_until", "Two phases end at the same moment."
    PHASES_NEED_ONE_OPEN_ENDED = (
        "phases_need_one_open_ended",
        "A price table needs exactly one phase without an end.",
    )
    DUPLICATE_PRICE = "duplicate_price", "Two amounts for one category, ticket type and phase."
    PRICES_MISSING = (
        "prices_missing",
        "A seat category in use has no price in some phase; details name them.",
    )
    UNKNOWN_TICKET_TYPE = "unknown_ticket_type", "The event has no ticket type of this code."
    UNKNOWN_PHASE = "unknown_phase", "The event has no price phase of this code."
    INVALID_AMOUNT = "invalid_amount", "An amount is not whole minor units in range."
    INVALID_ADJUSTMENT = "invalid_adjustment", "A price change is not a valid percentage or amount."
    NO_PRICE = "no_price", "There is no price for this seat and ticket type now."
