"""Signing in and out on organizer sites: email + password (argon2), members only, rate-limited."""

from django.test import Client, override_settings

from tenants.models import User
from tenants.roles import Role
from tests.builders.organizers import PASSWORD, host_of, make_member, make_organizer, make_user


def sign_in(client: Client, email: str, password: str = PASSWORD, next_url: str = ""):
    return client.post("/login/", {"username": email, "password": password, "next": next_url})


def test_member_signs_in_with_email_and_reaches_the_console(db):
    alpha = make_organizer("alpha")
    staff = make_member(alpha, Role.STAFF, email="Door.Staff@Example.com")
    assert staff.email == "door.staff@example.com"
    assert staff.password.startswith("argon2")

    client = Client(HTTP_HOST=host_of(alpha))
    response = sign_in(client, "DOOR.staff@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200

    assert client.post("/logout/").status_code == 302
    assert client.get("/console/").status_code == 302  # back to the sign-in page


def test_wrong_password_and_non_member_get_the_same_refusal(db):
    alpha = make_organizer("alpha")
    make_member(alpha, Role.ADMIN, email="admin@example.com")
    make_user("outsider@example.com")
    client = Client(HTTP_HOST=host_of(alpha))

    wrong_password = sign_in(client, "admin@example.com", "not the password")
    non_member = sign_in(client, "outsider@example.com")
    for response in (wrong_password, non_member):
        assert response.status_code == 200
        assert b"Please enter a correct email and password" in response.content
    assert "_auth_user_id" not in client.session


def test_next_parameter_cannot_redirect_off_site(db):
    alpha = make_organizer("alpha")
    make_member(alpha, Role.ADMIN, email="admin@example.com")
    client = Client(HTTP_HOST=host_of(alpha))
    response = sign_in(client, "admin@example.com", next_url="https://evil.example.com/")
    assert response["Location"] == "/console/"


@override_settings(RATE_LIMITS={"login": "3/min", "signup": "10/hour"})
def test_sign_in_attempts_are_rate_limited(db):
    alpha = make_organizer("alpha")
    make_member(alpha, Role.ADMIN, email="admin@example.com")
    client = Client(HTTP_HOST=host_of(alpha))
    for _ in range(3):
        assert sign_in(client, "admin@example.com", "guess").status_code == 200
    blocked = sign_in(client, "admin@example.com")  # even the right password waits
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.content
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(db):
    alpha = make_organizer("alpha")
    assert Client(HTTP_HOST=host_of(alpha)).get("/logout/").status_code == 405


def test_user_email_is_unique_whatever_its_case(db):
    make_user("Someone@Example.com")
    assert User.objects.filter(email="someone@example.com").count() == 1
