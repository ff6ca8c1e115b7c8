"""Users, organizers and their members, made through tenants' services, and clients for an
organizer's site (anonymous or signed in)."""

import itertools

from django.conf import settings
from django.test import Client

from boxoffice.actors import Actor
from tenants import services
from tenants.models import Membership, Organizer, User
from tenants.roles import Role

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_user(email: str | None = None, *, password: str = PASSWORD, **fields) -> User:
    email = email or f"person{next(_sequence)}@example.com"
    return services.create_user(email=email, password=password, **fields)


def make_organizer(slug: str | None = None, *, owner: User | None = None, **fields) -> Organizer:
    slug = slug or f"org{next(_sequence)}"
    owner = owner or make_user(f"owner@{slug}.example.com")
    return services.provision_organizer(
        slug=slug, name=fields.pop("name", slug.title()), owner=owner, **fields
    )


def make_member(
    organizer: Organizer, role: Role, *, is_supervisor: bool = False, email: str | None = None
) -> User:
    user = make_user(email)
    services.add_member(
        organizer=organizer,
        user=user,
        role=role,
        is_supervisor=is_supervisor,
        actor=Actor.system("test"),
    )
    return user


def owner_of(organizer: Organizer) -> User:
    return Membership.objects.get(organizer=organizer, role=Role.OWNER).user


def host_of(organizer: Organizer) -> str:
    return f"{organizer.slug}.{settings.BASE_DOMAIN}"


def signed_in_client(organizer: Organizer, user: User, **kwargs) -> Client:
    client = Client(HTTP_HOST=host_of(organizer), **kwargs)
    client.force_login(user)
    return client


def site_client(host: str, **kwargs) -> Client:
    """A client for the site at `host` (an organizer's subdomain or the platform's)."""
    return Client(HTTP_HOST=host, **kwargs)
