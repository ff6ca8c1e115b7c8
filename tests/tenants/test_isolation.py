"""Each organizer's data lives in its own schema and is reachable only from its own host."""

from django.db import connection
from django_tenants.utils import schema_context

from boxoffice.audit.models import AuditEntry
from tenants.roles import Role
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client


def audit_actions(client) -> list[str]:
    response = client.get("/api/v1/audit?limit=100")
    assert response.status_code == 200, response.content
    return [entry["action"] for entry in response.json()["items"]]


def test_data_written_in_one_organizer_is_invisible_from_another(db):
    alpha, beta = make_organizer("alpha"), make_organizer("beta")
    alpha_admin = make_member(alpha, Role.ADMIN)
    beta_admin = make_member(beta, Role.ADMIN)
    alpha_client = signed_in_client(alpha, alpha_admin)
    beta_client = signed_in_client(beta, beta_admin)

    created = alpha_client.post(
        "/api/v1/tokens", {"name": "alpha box office"}, content_type="application/json"
    )
    assert created.status_code == 201

    assert "api_token.created" in audit_actions(alpha_client)
    assert "api_token.created" not in audit_actions(beta_client)
    assert [t["name"] for t in beta_client.get("/api/v1/tokens").json()] == []
    # Beneath the API, too: the rows are in alpha's schema only.
    with schema_context(beta.schema_name):
        assert not AuditEntry.objects.filter(action="api_token.created").exists()
    with schema_context(alpha.schema_name):
        assert AuditEntry.objects.filter(action="api_token.created").count() == 1


def test_one_organizers_member_session_and_token_do_not_work_on_another_host(db, client):
    alpha, beta = make_organizer("alpha"), make_organizer("beta")
    alpha_admin = make_member(alpha, Role.ADMIN)
    token = (
        signed_in_client(alpha, alpha_admin)
        .post("/api/v1/tokens", {"name": "sync", "role": "admin"}, content_type="application/json")
        .json()["token"]
    )

    # The same person, signed in, on beta's site: beta has no such member.
    on_beta = signed_in_client(beta, alpha_admin)
    assert on_beta.get("/api/v1/audit").status_code == 404
    assert on_beta.get("/console/").status_code == 404
    # Alpha's token means nothing on beta's host.
    response = client.get(
        "/api/v1/me", HTTP_HOST=host_of(beta), HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    # ...and works on alpha's.
    response = client.get(
        "/api/v1/me", HTTP_HOST=host_of(alpha), HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response.json()["organizer"]["slug"] == "alpha"


def test_platform_site_serves_no_tenant_api(db, client):
    make_organizer("alpha")
    response = client.get("/api/v1/audit", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_host_is_404_for_pages_and_apis(db, client):
    make_organizer("alpha")
    api = client.get("/api/v1/me", HTTP_HOST="nobody.localhost")
    assert api.status_code == 404
    assert api.json()["code"] == "unknown_site"
    page = client.get("/", HTTP_HOST="nobody.localhost")
    assert page.status_code == 404
    assert b"No such site" in page.content
    assert connection.schema_name == "public"


def test_host_outside_the_base_domain_is_refused(db, client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code in (400, 404)
