"""Roles owner > admin > staff; non-members see 404; too-low roles get 403."""

import pytest
from django.test import Client

from boxoffice.actors import Actor, ActorKind
from boxoffice.errors import Forbidden, NotFound
from tenants.models import ApiToken
from tenants.permissions import check_role
from tenants.roles import Role
from tests.builders.organizers import (
    host_of,
    make_member,
    make_organizer,
    make_user,
    signed_in_client,
)


def test_staff_member_is_refused_an_admin_action_and_nothing_changes(db):
    alpha = make_organizer("alpha")
    staff = make_member(alpha, Role.STAFF)
    client = signed_in_client(alpha, staff)

    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden"
    assert body["details"] == {"required_role": "admin"}
    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/audit").status_code == 403
    # Staff may still do staff things.
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["role"] == "staff"


def test_admin_and_owner_may_do_admin_actions(db):
    alpha = make_organizer("alpha")
    for role in (Role.ADMIN, Role.OWNER):
        client = signed_in_client(alpha, make_member(alpha, role))
        response = client.post(
            "/api/v1/tokens", {"name": f"by {role}"}, content_type="application/json"
        )
        assert response.status_code == 201


def test_signed_in_non_member_gets_404_on_console_and_api(db):
    alpha = make_organizer("alpha")
    outsider = make_user()
    client = signed_in_client(alpha, outsider)
    for path in ("/console/", "/api/v1/me", "/api/v1/tokens", "/api/v1/audit"):
        assert client.get(path).status_code == 404, path
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_visitor_is_sent_to_sign_in_or_told_401(db):
    alpha = make_organizer("alpha")
    client = Client(HTTP_HOST=host_of(alpha))
    page = client.get("/console/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/?next=/console/")
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json()["code"] == "not_authenticated"


def test_console_shows_the_members_role(db):
    alpha = make_organizer("alpha")
    staff = make_member(alpha, Role.STAFF, is_supervisor=True)
    page = signed_in_client(alpha, staff).get("/console/")
    assert page.status_code == 200
    assert b"staff" in page.content
    assert b"supervisor" in page.content


def _actor(role: Role, supervisor: bool = False) -> Actor:
    return Actor(kind=ActorKind.USER, id=1, label="x", role=role, is_supervisor=supervisor)


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.OWNER, Role.ADMIN, True),
        (Role.ADMIN, Role.ADMIN, True),
        (Role.STAFF, Role.ADMIN, False),
        (Role.ADMIN, Role.OWNER, False),
        (Role.STAFF, Role.STAFF, True),
    ],
)
def test_role_ranking(role, needed, allowed):
    if allowed:
        assert check_role(_actor(role), needed) is not None
    else:
        with pytest.raises(Forbidden):
            check_role(_actor(role), needed)


def test_supervisor_flag_or_admin_needed_for_supervisor_actions():
    with pytest.raises(Forbidden):
        check_role(_actor(Role.STAFF), Role.STAFF, supervisor=True)
    assert check_role(_actor(Role.STAFF, supervisor=True), Role.STAFF, supervisor=True)
    assert check_role(_actor(Role.ADMIN), Role.STAFF, supervisor=True)
    with pytest.raises(NotFound):
        check_role(None, Role.STAFF)
