"""With no database connection to be had, a request is 503 with Retry-After and the error shape,
never a 500: the real refusal of a PostgreSQL that does not answer (a port nothing listens on),
and PostgreSQL's own "too many clients" error."""

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.builders.organizers import host_of, make_organizer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database_gone():
    """The default connection pointed at a port where nothing listens, for one test. With the
    connection pool on, a fresh pool that cannot fill: its refusal comes after a short wait."""
    connection.close()
    connection.close_pool()
    saved = {**connection.settings_dict, "OPTIONS": dict(connection.settings_dict["OPTIONS"])}
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    if "pool" in saved["OPTIONS"]:
        connection.settings_dict["OPTIONS"]["pool"] = {
            **saved["OPTIONS"]["pool"],
            "timeout": 0.5,
        }
    yield
    connection.close()
    connection.close_pool()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_an_api_request_without_a_database_is_503_with_retry_after(database_gone):
    answer = Client(HTTP_HOST="alpha.localhost").get("/api/v1/events")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "2"
    assert answer.json()["code"] == "service_busy"
    assert answer.json()["details"] == {"retry_after": 2}


def test_a_page_without_a_database_is_a_plain_503(database_gone):
    answer = Client(HTTP_HOST="alpha.localhost").get("/events/anything/")
    assert answer.status_code == 503 and answer["Retry-After"] == "2"
    assert b"try again" in answer.content


def test_too_many_clients_is_503_and_the_next_request_is_served(monkeypatch):
    organizer = make_organizer("alpha")
    connection.close()
    real = connection.ensure_connection
    calls = {"n": 0}

    def refuse_once():
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("FATAL:  sorry, too many clients already")
        return real()

    monkeypatch.setattr(connection, "ensure_connection", refuse_once)
    client = Client(HTTP_HOST=host_of(organizer))
    busy = client.get("/api/v1/events")
    assert busy.status_code == 503 and busy.json()["code"] == "service_busy"
    assert client.get("/api/v1/events").status_code == 200
