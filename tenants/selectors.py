from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.http.request import split_domain_port
from django_tenants.utils import get_public_schema_name, remove_www, schema_exists

from tenants.models import ApiToken, Domain, Organizer
from tenants.slugs import schema_name_for


def hostname_of(host: str) -> str:
    """The site a Host header names, as every entry point reads it (the organizer middleware and
    the availability stream): lower case, without the port, a trailing dot or a leading `www.`
    (django-tenants' rule); "" for a malformed host."""
    return remove_www(split_domain_port(host)[0])


def organizer_for_host(hostname: str) -> Organizer:
    """The organizer whose site `hostname` (from `hostname_of`) is: `<BASE_DOMAIN>` is the
    platform's own (the public schema), any other host a Domain row's. Raises
    Domain.DoesNotExist for a host nobody uses. Suspension is the caller's to refuse
    (`Organizer.is_suspended`), since the platform site and the API answer it differently."""
    if hostname == settings.BASE_DOMAIN:
        return Organizer.objects.get(schema_name=get_public_schema_name())
    return Domain.objects.select_related("tenant").get(domain=hostname).tenant


def _scheme_and_port(request: HttpRequest | None) -> tuple[str, str]:
    if request is not None:
        scheme = request.scheme
        port = request.get_port()
        port = "" if (scheme, port) in (("http", "80"), ("https", "443")) else f":{port}"
    elif settings.DEBUG:
        scheme, port = "http", f":{settings.DEV_PORT}"
    else:
        scheme, port = "https", ""
    return scheme, port


def organizer_url(
    organizer: Organizer, path: str = "/", *, request: HttpRequest | None = None
) -> str:
    """Absolute URL on the organizer's own site: same scheme and port as `request` when there is
    one, else https (or, with DEBUG, the development server's http and port)."""
    scheme, port = _scheme_and_port(request)
    return f"{scheme}://{organizer.slug}.{settings.BASE_DOMAIN}{port}{path}"


def platform_url(path: str = "/", *, request: HttpRequest | None = None) -> str:
    """Absolute URL on the platform site (`BASE_DOMAIN` itself), chosen as organizer_url."""
    scheme, port = _scheme_and_port(request)
    return f"{scheme}://{settings.BASE_DOMAIN}{port}{path}"


def organizers(*, status: str | None = None, search: str | None = None) -> QuerySet[Organizer]:
    """Every organizer but the platform itself, newest first."""
    found = Organizer.objects.exclude(schema_name=get_public_schema_name()).order_by(
        "-created_at", "-id"
    )
    if status:
        found = found.filter(status=status)
    if search:
        found = found.filter(Q(slug__icontains=search) | Q(name__icontains=search))
    return found


def organizer_by_slug(slug: str) -> Organizer | None:
    return organizers().filter(slug=slug).first()


def api_tokens(organizer: Organizer) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organizer=organizer).order_by("-created_at", "-id")


def slug_is_free(slug: str) -> bool:
    """No organizer has the slug and no schema of that name is left over."""
    return not (
        Organizer.objects.filter(slug=slug).exists() or schema_exists(schema_name_for(slug))
    )
