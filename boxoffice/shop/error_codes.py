"""The error codes of the customer pages' own JSON answers: the live availability stream."""

from boxoffice.error_codes import ErrorCatalogue


class ErrorCode(ErrorCatalogue):
    STREAM_UNAVAILABLE = (
        "stream_unavailable",
        "Live updates need the ASGI server; poll the availability snapshot (details.snapshot).",
    )
    BAD_HOST = "bad_host", "The stream's request has no host we serve."
