"""Organizer API tokens: created by admins, shown once, stored hashed, revocable, role-bound."""

from django.test import Client

from tenants.models import ApiToken
from tenants.roles import Role
from tests.builders.organizers import host_of, make_member, make_organizer, signed_in_client


def create_token(client: Client, name: str = "box office sync", role: str = "staff"):
    return client.post(
        "/api/v1/tokens", {"name": name, "role": role}, content_type="application/json"
    )


def bearer(organizer, token: str, path: str = "/api/v1/me", **payload):
    """GET `path` with the token, or POST `payload` as JSON when one is given."""
    client = Client(HTTP_HOST=host_of(organizer), HTTP_AUTHORIZATION=f"Bearer {token}")
    if payload:
        return client.post(path, payload, content_type="application/json")
    return client.get(path)


def test_token_is_shown_once_stored_hashed_and_authenticates(db):
    alpha = make_organizer("alpha")
    admin_client = signed_in_client(alpha, make_member(alpha, Role.ADMIN))

    created = create_token(admin_client, role="staff")
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("bxo_")

    stored = ApiToken.objects.get()
    assert secret not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash != secret and len(stored.key_hash) == 64
    listed = admin_client.get("/api/v1/tokens").json()
    assert "token" not in listed[0]
    assert listed[0]["prefix"] == secret[4:12]
    assert listed[0]["last_used_at"] is None

    me = bearer(alpha, secret)
    assert me.status_code == 200
    assert me.json()["kind"] == "token"
    assert me.json()["role"] == "staff"
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_revoked_token_fails(db):
    alpha = make_organizer("alpha")
    admin_client = signed_in_client(alpha, make_member(alpha, Role.ADMIN))
    created = create_token(admin_client).json()
    assert bearer(alpha, created["token"]).status_code == 200

    revoked = admin_client.delete(f"/api/v1/tokens/{created['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None

    response = bearer(alpha, created["token"])
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_wrong_or_malformed_tokens_fail(db):
    alpha = make_organizer("alpha")
    for token in ("bxo_" + "A" * 43, "not-a-token", ""):
        assert bearer(alpha, token).status_code == 401


def test_token_role_limits_what_it_may_do(db):
    alpha = make_organizer("alpha")
    admin_client = signed_in_client(alpha, make_member(alpha, Role.ADMIN))
    staff_token = create_token(admin_client, role="staff").json()["token"]
    admin_token = create_token(admin_client, role="admin").json()["token"]

    refused = bearer(alpha, staff_token, "/api/v1/tokens", name="more", role="staff")
    assert refused.status_code == 403
    allowed = bearer(alpha, admin_token, "/api/v1/tokens", name="more", role="staff")
    assert allowed.status_code == 201
    # Bearer calls are not subject to CSRF (no cookies involved).
    assert ApiToken.objects.count() == 3


def test_no_owner_tokens_and_no_escalation(db):
    alpha = make_organizer("alpha")
    admin_client = signed_in_client(alpha, make_member(alpha, Role.ADMIN))
    owner_token = create_token(admin_client, role="owner")
    assert owner_token.status_code == 422
    assert owner_token.json()["code"] == "invalid_role"


def test_revoking_another_organizers_token_is_404(db):
    alpha, beta = make_organizer("alpha"), make_organizer("beta")
    alpha_token = create_token(signed_in_client(alpha, make_member(alpha, Role.ADMIN))).json()
    beta_admin = signed_in_client(beta, make_member(beta, Role.ADMIN))
    response = beta_admin.delete(f"/api/v1/tokens/{alpha_token['id']}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=alpha_token["id"]).revoked_at is None


def test_session_writes_need_the_csrf_token(db):
    alpha = make_organizer("alpha")
    admin = make_member(alpha, Role.ADMIN)
    client = signed_in_client(alpha, admin, enforce_csrf_checks=True)

    refused = create_token(client)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not ApiToken.objects.exists()

    client.get("/login/")  # any page that renders a form sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/tokens",
        {"name": "with csrf"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert accepted.status_code == 201
