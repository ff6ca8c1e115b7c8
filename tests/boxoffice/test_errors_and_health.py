"""One error shape everywhere, and /healthz on both sites."""

import pytest
from django.test import Client

from boxoffice.api_errors import status_for
from boxoffice.errors import Conflict, DomainError, Forbidden, Gone, Invalid, Locked, NotFound
from tenants.roles import Role
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client

SHAPE = {"code", "message", "details"}


@pytest.mark.parametrize(
    ("error", "status"),
    [(NotFound, 404), (Forbidden, 403), (Conflict, 409), (Gone, 410), (Locked, 423),
     (Invalid, 422), (DomainError, 422)],
)  # fmt: skip
def test_each_domain_error_maps_to_one_status(error, status):
    assert status_for(error("x")) == status


def test_404_409_422_share_one_shape(db, platform_client):
    alpha = make_organizer("alpha")
    admin = signed_in_client(alpha, make_member(alpha, Role.ADMIN))

    not_found = admin.delete("/api/v1/tokens/999999")
    no_route = admin.get("/api/v1/no-such-endpoint")
    conflict = platform_client.post(
        "/api/platform/signup",
        {"slug": "alpha", "name": "A", "email": "a@example.com", "password": "x" * 20},
        content_type="application/json",
    )
    domain_invalid = admin.post("/api/v1/tokens", {"name": "   "}, content_type="application/json")
    schema_invalid = admin.post(
        "/api/v1/tokens", {"name": "x", "role": "emperor"}, content_type="application/json"
    )
    bad_json = admin.post("/api/v1/tokens", "{not json", content_type="application/json")

    for response, status, code in [
        (not_found, 404, "not_found"),
        (no_route, 404, "not_found"),
        (conflict, 409, "slug_taken"),
        (domain_invalid, 422, "invalid_name"),
        (schema_invalid, 422, "validation_error"),
        (bad_json, 400, "bad_request"),
    ]:
        assert response.status_code == status, (code, response.content)
        body = response.json()
        assert set(body) == SHAPE, body
        assert body["code"] == code
        assert isinstance(body["message"], str) and body["message"]
    assert schema_invalid.json()["details"]["errors"][0]["loc"][-1] == "role"


def test_wrong_method_is_405_in_the_same_shape(db):
    alpha = make_organizer("alpha")
    admin = signed_in_client(alpha, make_member(alpha, Role.ADMIN))
    response = admin.put("/api/v1/tokens", {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert set(response.json()) == SHAPE
    assert "POST" in response["Allow"]


def test_html_404_is_a_page(db):
    alpha = make_organizer("alpha")
    response = Client(HTTP_HOST=host_of(alpha)).get("/no-such-page/")
    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content


def test_healthz_on_both_sites(db, platform_client):
    alpha = make_organizer("alpha")
    for response in (
        platform_client.get("/healthz"),
        Client(HTTP_HOST=host_of(alpha)).get("/healthz"),
    ):
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
        assert response["Cache-Control"] == "no-store"


def test_healthz_says_503_when_the_database_is_unreachable(db, monkeypatch):
    from django.db import OperationalError, connection

    def unreachable():
        raise OperationalError("connection refused")

    # Fault injection at the driver boundary: the organizer lookup would fail the same way,
    # which is why /healthz answers before it.
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", unreachable)
        response = Client(HTTP_HOST="anything.localhost").get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_openapi_docs_on_both_sites(db, platform_client):
    alpha = make_organizer("alpha")
    tenant_schema = Client(HTTP_HOST=host_of(alpha)).get("/api/v1/openapi.json").json()
    platform_schema = platform_client.get("/api/platform/openapi.json").json()
    assert "/api/v1/tokens" in tenant_schema["paths"]
    assert "/api/platform/signup" in platform_schema["paths"]
    assert platform_client.get("/api/platform/docs").status_code == 200
