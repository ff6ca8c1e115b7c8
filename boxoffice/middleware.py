"""Which organizer a request is for, decided from its host before anything else runs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from boxoffice.api_errors import CODE_BY_STATUS, error_response
from boxoffice.http_errors import error_page, wants_json
from tenants.models import Organizer


class OrganizerHostMiddleware(TenantMainMiddleware):
    """`<BASE_DOMAIN>` is the platform site; `<slug>.<BASE_DOMAIN>` (or any Domain row) an
    organizer's; any other host is answered 404 without touching tenant data."""

    def get_tenant(self, domain_model: type, hostname: str) -> Organizer:
        if hostname == settings.BASE_DOMAIN:
            return Organizer.objects.get(schema_name=get_public_schema_name())
        return super().get_tenant(domain_model, hostname)

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return error_page(
            request,
            status=404,
            code="unknown_site",
            title="No such site",
            message=f"No organizer uses the address {hostname}.",
        )


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
                code="organizer_suspended",
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
                CODE_BY_STATUS.get(response.status_code, "error"),
                response.reason_phrase,
            )
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
