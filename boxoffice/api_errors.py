"""One error shape for every JSON answer: {"code": ..., "message": ..., "details": {...}}.

Domain errors, ninja's validation/auth/throttle errors, Django's 404/403 and anything unexpected
all pass through here, on both NinjaAPIs and in the middleware that answers before a view runs.
"""

import logging
from typing import Any

import psycopg
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from boxoffice.error_codes import ErrorCatalogue, ErrorCode
from boxoffice.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    Locked,
    NotFound,
    TooLarge,
    Unavailable,
)

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Gone: 410,
    Locked: 423,
    TooLarge: 413,
    Invalid: 422,
    Unavailable: 503,
}

CODE_BY_STATUS: dict[int, ErrorCatalogue] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    422: ErrorCode.INVALID,
    413: ErrorCode.TOO_LARGE,
    429: ErrorCode.RATE_LIMITED,
}


def error_response(
    status: int, code: ErrorCatalogue, message: str, details: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": details or {}}, status=status)


def status_for(error: DomainError) -> int:
    for error_class in type(error).__mro__:
        if error_class in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[error_class]
    return 422


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(status_for(exc), exc.code, exc.message, exc.details)


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "message": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in exc.errors
    ]
    return error_response(
        422, ErrorCode.VALIDATION_ERROR, "The request is not valid.", {"errors": errors}
    )


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(
        429,
        ErrorCode.RATE_LIMITED,
        "Too many requests; slow down and try again shortly.",
        {"retry_after": exc.wait},
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, ErrorCode.NOT_AUTHENTICATED, "Sign in or send a valid API token.")


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):
        # ninja wraps whatever the body parser raises as a 400; our parser's refusals say why.
        return _domain_error(request, exc.__cause__)
    code = CODE_BY_STATUS.get(exc.status_code, ErrorCode.ERROR)
    return error_response(exc.status_code, code, str(exc.message))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, ErrorCode.NOT_FOUND, "Not found.")


def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, ErrorCode.FORBIDDEN, "You may not do this.")


def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        413, ErrorCode.TOO_LARGE, "The request body is larger than this endpoint accepts."
    )


def _contention(exc: Exception) -> bool:
    """A deadlock or serialization failure: PostgreSQL undid one of two clashing transactions."""
    cause = exc.__cause__ if isinstance(exc, OperationalError) else exc
    return isinstance(cause, psycopg.errors.DeadlockDetected | psycopg.errors.SerializationFailure)


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Imported here: busy.py builds its answer with this module's error_response.
    from boxoffice.busy import busy_response, had_no_connection

    if had_no_connection(exc):
        return busy_response(request)
    if _contention(exc):
        logger.warning("contention in %s %s: %s", request.method, request.path, exc)
        answer = error_response(
            409, ErrorCode.CONTENTION, "Someone else was changing the same seats; please try again."
        )
        answer["Retry-After"] = "1"
        return answer
    if isinstance(exc, ValueError | DataError) and "NUL (0x00)" in str(exc):
        # psycopg refuses NUL characters in text (as DataError, or ValueError outside Django's
        # wrapper); the request's transaction, if any, is already undone by the time we answer.
        return error_response(
            422,
            ErrorCode.INVALID_CHARACTERS,
            "The request contains a NUL character, which is not allowed.",
        )
    if isinstance(exc, DataError) and isinstance(
        exc.__cause__, psycopg.errors.NumericValueOutOfRange
    ):
        # A number past its column's range (e.g. a promo code's value past integer): the
        # database's range is the rule, so it is the one place that knows every column.
        return error_response(
            422, ErrorCode.OUT_OF_RANGE, "A number in the request is too large or too small."
        )
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(500, ErrorCode.SERVER_ERROR, "Something went wrong on our side.")


def install_error_handlers(api: NinjaAPI) -> None:
    """Make `api` answer every error in the one shape."""
    api.add_exception_handler(DomainError, _domain_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(Throttled, _throttled)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _permission_denied)
    api.add_exception_handler(RequestDataTooBig, _too_big)
    api.add_exception_handler(Exception, _unexpected)
