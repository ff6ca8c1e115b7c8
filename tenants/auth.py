"""Authentication for the JSON APIs (django-ninja auth callables).

Console calls ride the Django session and must carry the CSRF token on unsafe methods;
integrations send `Authorization: Bearer <api token>`. Either way the view gets an `Actor` in
`request.auth`.
"""

from django.http import HttpRequest
from ninja.utils import check_csrf

from boxoffice.actors import Actor, ActorKind
from boxoffice.error_codes import ErrorCode as KernelCode
from boxoffice.errors import Forbidden, NotFound
from tenants.permissions import member_actor, token_actor
from tenants.services import authenticate_api_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _require_csrf(request: HttpRequest) -> None:
    if request.method not in SAFE_METHODS and check_csrf(request) is not None:
        raise Forbidden(
            "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken.",
            code=KernelCode.CSRF_FAILED,
        )


class OrganizerAuth:
    """Members (session) and API tokens of the organizer whose site this is."""

    openapi_type = "http"

    def __call__(self, request: HttpRequest) -> Actor | None:
        header = request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        if scheme.lower() == "bearer" and credential:
            token = authenticate_api_token(organizer=request.tenant, raw=credential.strip())
            return token_actor(token) if token is not None else None
        user = request.user
        if not user.is_authenticated:
            return None
        actor = member_actor(user, request.tenant)
        if actor is None:
            # Signed in, but not here: the organizer's data does not exist for them.
            raise NotFound("Not found.")
        _require_csrf(request)
        return actor


class PlatformStaffAuth:
    """Boxoffice operators signed in on the platform site."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if not user.is_platform_staff:
            raise Forbidden("Only Boxoffice staff may do this.")
        _require_csrf(request)
        return Actor(kind=ActorKind.USER, id=user.pk, label=user.email, role="platform", user=user)


def optional_actor(request: HttpRequest) -> Actor | None:
    """The organizer's member or token behind a request to a public endpoint, if any; never
    refuses (a customer simply gets None). For reads only: no CSRF check."""
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and credential:
        token = authenticate_api_token(organizer=request.tenant, raw=credential.strip())
        return token_actor(token) if token is not None else None
    if request.user.is_authenticated:
        return member_actor(request.user, request.tenant)
    return None
