"""Which organizer a request is for, decided from its host before anything else runs."""

import copy
import time
from collections.abc import Callable

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django_tenants.middleware.main import TenantMainMiddleware

from boxoffice.api_errors import CODE_BY_STATUS, error_response
from boxoffice.error_codes import ErrorCode
from boxoffice.http_errors import error_page, wants_json
from tenants.models import Domain, Organizer
from tenants.selectors import hostname_of, organizer_for_host

# Host -> (until when, organizer): the lookup is two of a hold request's round trips. A change
# to an organizer or a domain empties this process's map at once; other processes see it within
# this many seconds (a suspension, for one).
ORGANIZER_CACHE_SECONDS = 5.0
_organizer_by_host: dict[str, tuple[float, Organizer]] = {}


def forget_organizers(**_kwargs: object) -> None:
    _organizer_by_host.clear()


for _model in (Organizer, Domain):
    post_save.connect(forget_organizers, sender=_model, dispatch_uid=f"forget-{_model.__name__}")
    post_delete.connect(forget_organizers, sender=_model, dispatch_uid=f"forget-{_model.__name__}")


class OrganizerHostMiddleware(TenantMainMiddleware):
    """`<BASE_DOMAIN>` is the platform site; `<slug>.<BASE_DOMAIN>` (or any Domain row) an
    organizer's; any other host is answered 404 without touching tenant data."""

    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        # get_host() refuses hosts outside ALLOWED_HOSTS (DisallowedHost: 404 by the parent).
        return hostname_of(request.get_host())

    def get_tenant(self, domain_model: type, hostname: str) -> Organizer:
        now = time.monotonic()
        cached = _organizer_by_host.get(hostname)
        if cached is None or cached[0] <= now:
            cached = (now + ORGANIZER_CACHE_SECONDS, organizer_for_host(hostname))
            _organizer_by_host[hostname] = cached
        # Each request gets its own instance: nothing one request sets on it reaches another.
        return copy.copy(cached[1])

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return error_page(
            request,
            status=404,
            code=ErrorCode.UNKNOWN_SITE,
            title="No such site",
            message=f"No organizer uses the address {hostname}.",
        )


class UnstorableTextMiddleware:
    """No address holds a NUL, so a path with one is 404; in a query string NUL characters are
    dropped (a search for "AB\x00CD" looks for "ABCD"). Views put both into queries, and
    PostgreSQL text cannot hold NUL: it was a 500. (Django decodes undecodable bytes as U+FFFD,
    so lone surrogates cannot come this way; JSON bodies: boxoffice.inputs.CheckedParser.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return error_page(
                request,
                status=404,
                code=ErrorCode.NOT_FOUND,
                title="Not found",
                message="There is nothing at this address.",
            )
        if "\x00" in request.GET.urlencode() or "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class SuspendedOrganizerMiddleware:
    """A suspended organizer's site answers 423 on every page and API, alike for everyone
    (`/healthz` is answered earlier, by boxoffice.health)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        organizer = getattr(request, "tenant", None)
        if organizer is not None and organizer.is_suspended:
            return error_page(
                request,
                status=423,
                code=ErrorCode.ORGANIZER_SUSPENDED,
                title="Site unavailable",
                message="This organizer's site is suspended.",
            )
        return self.get_response(request)


class JsonApiErrorsMiddleware:
    """Errors that Django or ninja answer themselves under /api/ (405 Method Not Allowed, for
    one) get the JSON error shape too, so API clients never have to parse HTML."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and wants_json(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            shaped = error_response(
                response.status_code,
                CODE_BY_STATUS.get(response.status_code, ErrorCode.ERROR),
                response.reason_phrase,
            )
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
