"""What every console page shares: the decorator that admits a role, the navigation and the
organizer switcher."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tenants.models import Membership
from tenants.permissions import role_required
from tenants.roles import Role
from tenants.selectors import organizer_url

# (url name, label, role needed): staff see only the first five.
NAVIGATION = (
    ("console:dashboard", "Dashboard", Role.STAFF),
    ("console:events", "Events", Role.STAFF),
    ("console:orders", "Orders", Role.STAFF),
    ("console:seatmaps", "Venues & maps", Role.STAFF),
    ("console:checkin", "Check-in", Role.STAFF),
    ("console:team", "Team", Role.ADMIN),
    ("console:tokens", "API tokens", Role.ADMIN),
    ("console:settings", "Settings", Role.ADMIN),
)

staff_only = role_required(Role.STAFF)
admin_only = role_required(Role.ADMIN)


def is_admin(request: HttpRequest) -> bool:
    return Role(request.actor.role).at_least(Role.ADMIN)


def other_organizers(request: HttpRequest) -> list[dict[str, str]]:
    """The user's other organizers, each linked to its own console (each site signs in on its
    own host: session cookies are per subdomain)."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .exclude(organizer=request.tenant)
        .select_related("organizer")
        .order_by("organizer__name")
    )
    return [
        {
            "name": membership.organizer.name,
            "role": membership.get_role_display(),
            "url": organizer_url(membership.organizer, "/console/", request=request),
        }
        for membership in memberships
    ]


def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None,
         *, status: int = 200, section: str = "") -> HttpResponse:  # fmt: skip
    role = Role(request.actor.role)
    context = {
        "organizer": request.tenant,
        "actor": request.actor,
        "is_admin": role.at_least(Role.ADMIN),
        "navigation": [
            (name, label) for name, label, needed in NAVIGATION if role.at_least(needed)
        ],
        "section": section,
        "other_organizers": other_organizers(request),
        **(context or {}),
    }
    # Dates and times on the console are the organizer's local ones.
    with timezone.override(request.tenant.timezone):
        return render(request, template, context, status=status)


ViewFunc = Callable[..., HttpResponse]
