"""The one permission helper, used by HTML views and APIs alike.

Rules: on an organizer's site only its members (or its API tokens) exist. Anyone else — signed in
or not — gets 404 for tenant data, never 403, so the site reveals nothing about what is there.
A member whose role is too low for an action gets 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from boxoffice.actors import Actor, ActorKind
from boxoffice.errors import Forbidden, NotFound
from tenants.models import ApiToken, Membership, Organizer, User
from tenants.roles import Role

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def member_actor(user: User, organizer: Organizer) -> Actor | None:
    """The user as an actor on `organizer`'s site, or None when they are not a member."""
    if not user.is_authenticated or not user.is_active:
        return None
    membership = (
        Membership.objects.filter(user=user, organizer=organizer)
        .only("role", "is_supervisor")
        .first()
    )
    if membership is None:
        return None
    return Actor(
        kind=ActorKind.USER,
        id=user.pk,
        label=user.email,
        role=membership.role,
        is_supervisor=membership.is_supervisor,
        user=user,
    )


def token_actor(token: ApiToken) -> Actor:
    return Actor(kind=ActorKind.TOKEN, id=token.pk, label=f"token {token.name}", role=token.role)


def request_actor(request: HttpRequest) -> Actor | None:
    """The actor behind a request: what API auth put on it, else the signed-in member."""
    actor = getattr(request, "auth", None)
    if isinstance(actor, Actor):
        return actor
    cached = getattr(request, "_boxoffice_actor", False)
    if cached is not False:
        return cached
    organizer = getattr(request, "tenant", None)
    actor = member_actor(request.user, organizer) if organizer is not None else None
    request._boxoffice_actor = actor  # type: ignore[attr-defined]
    return actor


def check_role(actor: Actor | None, role: Role, *, supervisor: bool = False) -> Actor:
    """Return `actor` if it may act with `role` (and as a supervisor when asked), else raise."""
    if actor is None or actor.role is None:
        raise NotFound("Not found.")
    actor_role = Role(actor.role)
    if not actor_role.at_least(role):
        raise Forbidden(
            f"This needs the {role.label.lower()} role; you are {actor_role.label.lower()}.",
            required_role=role.value,
        )
    if supervisor and not may_supervise(actor):
        raise Forbidden("This needs a supervisor.", required_role="supervisor")
    return actor


def may_supervise(actor: Actor) -> bool:
    """Supervisors may override check-in denials; admins and owners may do whatever they may."""
    return actor.is_supervisor or (actor.role is not None and Role(actor.role).at_least(Role.ADMIN))


def require_role(request: HttpRequest, role: Role, *, supervisor: bool = False) -> Actor:
    """The request's actor if it may act with `role` here; NotFound/Forbidden otherwise."""
    return check_role(request_actor(request), role, supervisor=supervisor)


def role_required(role: Role, *, supervisor: bool = False) -> Callable[[ViewFunc], ViewFunc]:
    """Decorator for HTML views: sign-in page when anonymous, 404 for non-members, 403 when the
    role is too low. The view finds the actor in `request.actor`."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                request.actor = require_role(request, role, supervisor=supervisor)  # type: ignore[attr-defined]
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
