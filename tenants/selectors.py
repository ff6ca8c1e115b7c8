from django.conf import settings
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from tenants.models import ApiToken, Organizer


def organizer_url(organizer: Organizer, path: str = "/") -> str:
    """Absolute URL on the organizer's own site."""
    scheme = "http" if settings.DEBUG else "https"
    port = f":{settings.DEV_PORT}" if settings.DEBUG and settings.DEV_PORT else ""
    return f"{scheme}://{organizer.slug}.{settings.BASE_DOMAIN}{port}{path}"


def organizers(*, status: str | None = None, search: str | None = None) -> QuerySet[Organizer]:
    """Every organizer but the platform itself, newest first."""
    found = Organizer.objects.exclude(schema_name=get_public_schema_name()).order_by(
        "-created_at", "-id"
    )
    if status:
        found = found.filter(status=status)
    if search:
        found = found.filter(slug__icontains=search) | found.filter(name__icontains=search)
    return found


def organizer_by_slug(slug: str) -> Organizer | None:
    return organizers().filter(slug=slug).first()


def api_tokens(organizer: Organizer) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organizer=organizer).order_by("-created_at", "-id")
