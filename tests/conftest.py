import pytest
from django.db import connection
from django.test import Client

from tests.factories import make_member, make_organizer, make_user


@pytest.fixture(autouse=True)
def _public_schema():
    """django-tenants' connection remembers the last schema across tests; start each in public."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def organizer(db):
    return make_organizer("alpha")


@pytest.fixture
def other_organizer(db):
    return make_organizer("beta")


def site_client(host: str, **kwargs) -> Client:
    return Client(HTTP_HOST=host, **kwargs)


@pytest.fixture
def platform_client() -> Client:
    return site_client("localhost")


__all__ = ["make_member", "make_organizer", "make_user", "site_client"]
