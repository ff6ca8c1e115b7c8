"""When the database cannot take another connection (PostgreSQL's "too many clients", a
pool that stayed empty, a server restarting), a request is answered 503 with Retry-After and
the one error shape, never a 500: an on-sale rush then backs off and retries instead of
showing customers an error page.

The connection is opened here, ahead of the organizer lookup, because that is the first place a
request needs it; once open, the rest of the request uses it. Django turns exceptions raised
inside later middleware or views into 500 pages before an outer middleware could see them, so
catching them later would be too late. With the connection pool on (settings, DB_POOL_MAX_SIZE)
this is also where a request waits for a free connection, and where the pool's refusal
(`PoolTimeout` after DB_POOL_TIMEOUT seconds) becomes the 503. Code that takes a connection later
in another thread (the availability stream's lookup) or in a view asks `had_no_connection`, as do
the JSON APIs' error handler and `process_exception` here.
"""

from collections.abc import Callable

from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from psycopg_pool import PoolTimeout, TooManyRequests

from boxoffice.api_errors import error_response
from boxoffice.error_codes import ErrorCode
from boxoffice.http_errors import wants_json

RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "We are very busy right now. Please try again in a few seconds."


def had_no_connection(error: BaseException) -> bool:
    """The pool had no connection to lend (none free within its timeout, or too many waiting),
    as psycopg_pool raises it or as Django wraps it."""
    cause = error.__cause__ if isinstance(error, OperationalError) else error
    return isinstance(cause, PoolTimeout | TooManyRequests)


def busy_response(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        response: HttpResponse = error_response(
            503, ErrorCode.SERVICE_BUSY, BUSY_MESSAGE, {"retry_after": RETRY_AFTER_SECONDS}
        )
    else:
        # Plain HTML: the site's templates may read the session, which needs the database.
        response = HttpResponse(
            "<!doctype html><meta charset=utf-8><title>Busy</title>"
            f"<h1>Busy</h1><p>{BUSY_MESSAGE}</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            connection.ensure_connection()
        except OperationalError:
            return busy_response(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if had_no_connection(exception):
            return busy_response(request)
        return None
