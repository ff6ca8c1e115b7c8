"""Which organizer a request is for, decided from its host before anything else runs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from boxoffice.http_errors import error_page
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
    """A suspended organizer's site answers 423 on every page and API, alike for everyone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        organizer = getattr(request, "tenant", None)
        if organizer is not None and organizer.is_suspended and request.path != "/healthz":
            return error_page(
                request,
                status=423,
                code="organizer_suspended",
                title="Site unavailable",
                message="This organizer's site is suspended.",
            )
        return self.get_response(request)
