"""Domain errors: what a service raises when it refuses, with a code from a catalogue
(boxoffice.error_codes). The APIs map them to HTTP in one place
(`boxoffice.api_errors`), so services never think about status codes."""

from typing import Any

from boxoffice.error_codes import ErrorCatalogue, ErrorCode


class DomainError(Exception):
    """A refusal with a machine-readable code, a human message and optional details."""

    code: ErrorCatalogue = ErrorCode.INVALID

    def __init__(self, message: str, *, code: ErrorCatalogue | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class Invalid(DomainError):
    """The input breaks a rule (422)."""

    code = ErrorCode.INVALID


class NotFound(DomainError):
    """No such thing here, or the caller may not know it exists (404)."""

    code = ErrorCode.NOT_FOUND


class Forbidden(DomainError):
    """The caller is known here but their role does not allow this (403)."""

    code = ErrorCode.FORBIDDEN


class Conflict(DomainError):
    """The request clashes with current state, e.g. a taken slug (409)."""

    code = ErrorCode.CONFLICT


class Gone(DomainError):
    """The thing existed but has expired or ended (410)."""

    code = ErrorCode.GONE


class TooLarge(DomainError):
    """The request is bigger than this kind of thing may be (413)."""

    code = ErrorCode.TOO_LARGE


class Locked(DomainError):
    """The organizer is suspended (423)."""

    code = ErrorCode.ORGANIZER_SUSPENDED


class Unavailable(DomainError):
    """A service we depend on (the payment provider) did not answer; try again (503)."""

    code = ErrorCode.SERVICE_UNAVAILABLE
