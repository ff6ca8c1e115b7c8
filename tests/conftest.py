import pytest
from django.db import connection
from django.test import Client

from tests.builders.organizers import make_organizer, site_client


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


@pytest.fixture
def committed_organizer(transactional_db):
    """For tests on committed data (threads racing on the real database, a live server): call
    with a slug (and make_organizer's fields) for an organizer, left in the public schema. Its
    schema is dropped at the end: serialized rollback restores the public tables, not schemas."""
    made = []

    def make(slug: str, **fields):
        organizer = make_organizer(slug, **fields)
        made.append(organizer.schema_name)
        connection.set_schema_to_public()
        return organizer

    yield make
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for schema in made:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def platform_client() -> Client:
    return site_client("localhost")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test restores the database it found (serialized rollback).

    A transactional test without it ends by flushing the tables and re-running post_migrate,
    which recreates content types under new ids; the next test that does use serialized
    rollback then fails to load its snapshot (duplicate content types). Whichever order xdist
    picks, one rule for all avoids that.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            kwargs = dict(marker.kwargs) if marker else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs),
                            append=False)  # fmt: skip
