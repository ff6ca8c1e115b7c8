"""When the database cannot take another connection (PostgreSQL's "too many clients", a
pool that stayed empty, a server restarting), a request is answered 503 with Retry-After and
the one error shape, never a 500: an on-sale rush then backs off and retries instead of
showing customers an error page.

The connection is opened here, ahead of the organizer lookup, because that is the first place a
request needs it; once open, the rest of the request uses it. Django turns exceptions raised
inside later middleware or views into 500 pages before an outer middleware could see them, so
catching them later would be too late.
"""

from collections.abc import Callable

from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse

from boxoffice.api_errors import error_response
from boxoffice.http_errors import wants_json

RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "We are very busy right now. Please try again in a few seconds."


def busy_response(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        response: HttpResponse = error_response(
            503, "service_busy", BUSY_MESSAGE, {"retry_after": RETRY_AFTER_SECONDS}
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
