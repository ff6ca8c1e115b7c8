"""Error codes: the base of every app's catalogue, and the kernel's own codes.

Every `code` an error answer can carry is a member of one catalogue: this module's `ErrorCode`
(codes any endpoint can give, and codes shared by apps with no domain meaning) or an app's
`<app>/error_codes.py`. A code two apps use lives once, in the lower layer of the two (the
import order in tests/boxoffice/test_import_direction.py); a module that needs another app's
codes imports that catalogue under the app's name, e.g.
`from seatmaps.error_codes import ErrorCode as SeatMapCode`.

A member is its code string (a `StrEnum`), so it compares equal to the string, and JSON answers,
templates and logs carry the plain string; its `meaning` is what the OpenAPI description lists
(boxoffice.openapi). tests/boxoffice/test_error_codes.py keeps string literals out of raise
sites, every member in use, and every code string in one catalogue.
"""

from enum import StrEnum
from typing import Self


class ErrorCatalogue(StrEnum):
    """The base of a catalogue: members are `NAME = "code", "What it means."`."""

    meaning: str

    def __new__(cls, value: str, meaning: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member


class ErrorCode(ErrorCatalogue):
    """Codes any endpoint can give (the error classes' defaults, the HTTP-level answers), and
    rules of no one app."""

    # The defaults of boxoffice.errors' classes.
    INVALID = "invalid", "The input breaks a rule; the message says which."
    NOT_FOUND = "not_found", "No such thing here, or not yours to know of."
    FORBIDDEN = "forbidden", "Your role does not allow this."
    CONFLICT = "conflict", "The request clashes with the current state."
    GONE = "gone", "The thing existed but has expired or ended."
    TOO_LARGE = "too_large", "The request body is larger than this endpoint accepts."
    ORGANIZER_SUSPENDED = "organizer_suspended", "The organizer's site is suspended."
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        "A service we depend on (the payment provider) did not answer; try again.",
    )
    # HTTP-level answers (boxoffice.api_errors, boxoffice.http_errors, boxoffice.middleware).
    BAD_REQUEST = "bad_request", "The request could not be read (e.g. the body is not JSON)."
    NOT_AUTHENTICATED = "not_authenticated", "No valid credentials: sign in or send a token."
    METHOD_NOT_ALLOWED = "method_not_allowed", "This address does not take this method."
    RATE_LIMITED = "rate_limited", "Too many requests; details.retry_after says when to retry."
    ERROR = "error", "An HTTP error with no code of its own; the status says what."
    VALIDATION_ERROR = "validation_error", "The request's fields are invalid; details.errors."
    INVALID_CHARACTERS = "invalid_characters", "The input holds a character we cannot store."
    OUT_OF_RANGE = "out_of_range", "A number in the request is too large or too small."
    CONTENTION = "contention", "Someone else was changing the same thing; try again."
    SERVER_ERROR = "server_error", "Something went wrong on our side."
    CSRF_FAILED = "csrf_failed", "The CSRF header or form token is missing or stale."
    UNKNOWN_SITE = "unknown_site", "No organizer uses this address."
    SERVICE_BUSY = "service_busy", "Every database connection is in use; retry shortly."
    # Rules of values any app takes (boxoffice.currencies, times, validators).
    AMOUNT_NOT_PAYABLE = (
        "amount_not_payable",
        "An amount is not a whole number of the currency's minor units, or out of range.",
    )
    INVALID_CURRENCY = "invalid_currency", "Not a three-letter ISO 4217 currency code."
    INVALID_LOCALE = "invalid_locale", "Not a language tag such as en, de_DE or pt_BR."
    NONEXISTENT_TIME = "nonexistent_time", "A local time that a DST change skips."
    AMBIGUOUS_TIME = "ambiguous_time", "A local time that a DST change repeats."
    INVALID_TIMEZONE = "invalid_timezone", "Not an IANA time zone."
    INVALID_COUNTRY = "invalid_country", "Not a two-letter ISO 3166 country code."
    # Shared by several apps, meaning the same in each.
    INVALID_NAME = "invalid_name", "A name is missing or too long."
    INVALID_DATES = "invalid_dates", "An end does not come after its start."
    INVALID_SLUG = "invalid_slug", "A slug (the name in an address) is malformed."
    SLUG_TAKEN = "slug_taken", "The slug is taken."


def catalogue_markdown(catalogues: dict[str, type[ErrorCatalogue]]) -> str:
    """The "Error codes" section of an API's description: per heading, `code` — meaning."""
    lines = [
        "## Error codes",
        "",
        "Every `code` an error answer can carry, by the part of the product that gives it "
        "(with the webhook endpoint's answers and reasons); `message` says it for people.",
    ]
    for heading, catalogue in catalogues.items():
        lines += ["", f"### {heading}", ""]
        lines += [f"- `{member}` — {member.meaning}" for member in catalogue]
    return "\n".join(lines)
