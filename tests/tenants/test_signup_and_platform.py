"""The platform site: self-service signup (API and page) and organizer administration."""

import pytest
from django.db import connection
from django.test import Client, override_settings

from tenants.models import Domain, Membership, Organizer, User
from tenants.roles import Role
from tests.builders.organizers import PASSWORD, host_of, make_organizer, make_user


def tenant_schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org\\_%'")
        return {row[0] for row in cursor.fetchall()}


def signup(client: Client, **overrides):
    payload = {
        "slug": "gigs",
        "name": "Gigs & Co",
        "email": "founder@gigs.example",
        "password": PASSWORD,
        "full_name": "Fran Founder",
        "currency": "usd",
        "timezone": "America/New_York",
        **overrides,
    }
    return client.post("/api/platform/signup", payload, content_type="application/json")


def test_signup_creates_a_working_organizer_site(db, platform_client):
    response = signup(platform_client)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organizer"]["slug"] == "gigs"
    assert body["organizer"]["currency"] == "USD"
    assert body["login_url"] == "http://gigs.localhost/login/"
    organizer = Organizer.objects.get(slug="gigs")
    assert organizer.schema_name in tenant_schemas()
    assert Domain.objects.get(tenant=organizer).domain == "gigs.localhost"
    owner = Membership.objects.get(organizer=organizer)
    assert (owner.user.email, owner.role) == ("founder@gigs.example", Role.OWNER)

    site = Client(HTTP_HOST="gigs.localhost")
    signed_in = site.post("/login/", {"username": "founder@gigs.example", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert site.get("/api/v1/me").json()["role"] == "owner"


def test_duplicate_slug_is_409_and_leaves_nothing_behind(db, platform_client):
    make_organizer("gigs")
    schemas, users = tenant_schemas(), User.objects.count()

    response = signup(platform_client, email="someone.else@example.com")

    assert response.status_code == 409
    assert response.json() == {
        "code": "slug_taken",
        "message": "The site name 'gigs' is taken.",
        "details": {"slug": "gigs"},
    }
    assert tenant_schemas() == schemas
    assert User.objects.count() == users


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "invalid_slug"),
        ("Gigs", "invalid_slug"),
        ("-gigs", "invalid_slug"),
        ("gigs-", "invalid_slug"),
        ("gi_gs", "invalid_slug"),
        ("xn--gigs", "invalid_slug"),
        ("g" * 41, "invalid_slug"),
        ("gigs.example", "invalid_slug"),
        ("www", "reserved_slug"),
        ("admin", "reserved_slug"),
        ("public", "reserved_slug"),
        ("checkin", "reserved_slug"),
    ],
)
def test_bad_slugs_are_422_and_create_nothing(db, platform_client, slug, code):
    schemas = tenant_schemas()
    response = signup(platform_client, slug=slug)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert tenant_schemas() == schemas
    assert not User.objects.filter(email="founder@gigs.example").exists()
    assert not Organizer.objects.filter(slug=slug).exclude(schema_name="public").exists()


def test_other_bad_input_is_422_with_a_code(db, platform_client):
    cases = {
        "weak_password": {"password": "12345678"},
        "invalid_email": {"email": "not-an-email"},
        "invalid_timezone": {"timezone": "Mars/Olympus"},
        "invalid_currency": {"currency": "€€€"},
    }
    for code, override in cases.items():
        response = signup(platform_client, **override)
        assert response.status_code == 422, code
        assert response.json()["code"] == code
    assert not Organizer.objects.filter(slug="gigs").exists()


def test_malformed_body_gets_the_same_error_shape(db, platform_client):
    response = platform_client.post(
        "/api/platform/signup", {"slug": "gigs"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"]
    missing = {tuple(error["loc"][-1:]) for error in body["details"]["errors"]}
    assert {("name",), ("email",), ("password",)} <= missing


def test_existing_user_adds_an_organizer_only_with_their_password(db, platform_client):
    make_user("founder@gigs.example")
    wrong = signup(platform_client, password="something else entirely")
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "email_in_use"
    assert signup(platform_client).status_code == 201
    assert User.objects.filter(email="founder@gigs.example").count() == 1


def test_slug_availability(db, platform_client):
    make_organizer("gigs")
    taken = platform_client.get("/api/platform/slugs/gigs").json()
    assert (taken["available"], taken["code"]) == (False, "slug_taken")
    assert platform_client.get("/api/platform/slugs/www").json()["code"] == "reserved_slug"
    assert platform_client.get("/api/platform/slugs/fresh-name").json()["available"] is True


@override_settings(RATE_LIMITS={"login": "10/min", "signup": "2/hour"})
def test_signup_is_rate_limited(db, platform_client):
    assert signup(platform_client, slug="one", email="a@example.com").status_code == 201
    assert signup(platform_client, slug="two", email="b@example.com").status_code == 201
    response = signup(platform_client, slug="three", email="c@example.com")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert not Organizer.objects.filter(slug="three").exists()


def test_signup_page(db, platform_client):
    assert platform_client.get("/signup/").status_code == 200
    form = {
        "name": "Page Org",
        "slug": "page-org",
        "full_name": "",
        "email": "page@example.com",
        "password": PASSWORD,
        "currency": "EUR",
        "timezone": "UTC",
    }
    created = platform_client.post("/signup/", form)
    assert created.status_code == 303
    assert created["Location"].startswith("http://page-org.localhost/login/continue/?token=")

    again = platform_client.post("/signup/", {**form, "email": "other@example.com"})
    assert again.status_code == 200
    assert b"is taken" in again.content


def staff_client() -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.create_superuser("ops@boxoffice.example", PASSWORD))
    return client


def test_staff_lists_and_suspends_organizers_and_the_site_answers_423(db):
    alpha = make_organizer("alpha")
    make_organizer("beta")
    ops = staff_client()

    listed = ops.get("/api/platform/organizers").json()
    assert listed["count"] == 2
    assert {o["slug"] for o in listed["items"]} == {"alpha", "beta"}
    assert ops.get("/api/platform/organizers?q=alp").json()["count"] == 1

    suspended = ops.post(
        "/api/platform/organizers/alpha/suspend", {"reason": "chargebacks"},
        content_type="application/json",
    )  # fmt: skip
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"

    visitor = Client(HTTP_HOST=host_of(alpha))
    for path in ("/", "/console/", "/login/", "/api/v1/me", "/api/v1/audit"):
        response = visitor.get(path)
        assert response.status_code == 423, path
    assert visitor.get("/api/v1/me").json()["code"] == "organizer_suspended"
    assert Client(HTTP_HOST="beta.localhost").get("/").status_code == 200

    assert ops.get("/api/platform/organizers?status=suspended").json()["count"] == 1
    ops.post("/api/platform/organizers/alpha/reactivate", {}, content_type="application/json")
    assert visitor.get("/").status_code == 200


def test_only_platform_staff_may_administer_organizers(db):
    make_organizer("alpha")
    anonymous = Client(HTTP_HOST="localhost")
    assert anonymous.get("/api/platform/organizers").status_code == 401
    member = Client(HTTP_HOST="localhost")
    member.force_login(make_user())
    response = member.post(
        "/api/platform/organizers/alpha/suspend", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Organizer.objects.get(slug="alpha").status == "active"
    assert (
        staff_client()
        .post("/api/platform/organizers/nope/suspend", {}, content_type="application/json")
        .status_code
        == 404
    )


def test_a_leftover_schema_is_never_handed_to_a_new_organizer(db, platform_client):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA org_ghost")
        cursor.execute("CREATE TABLE org_ghost.secrets (note text)")
    assert platform_client.get("/api/platform/slugs/ghost").json()["available"] is False

    response = signup(platform_client, slug="ghost")

    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"
    assert not Organizer.objects.filter(slug="ghost").exists()
