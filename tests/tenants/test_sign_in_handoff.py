"""From the platform site to an organizer's console, signed in: after signup, and from the
platform's own sign-in (which used to be a dead end). The handoff link works once, for its own
organizer, for its member, for two minutes."""

from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tenants import handoff
from tenants.models import Membership
from tests.builders.organizers import PASSWORD, make_organizer, make_user

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Page Org",
    "slug": "page-org",
    "full_name": "Pat Page",
    "email": "pat@example.com",
    "password": PASSWORD,
    "currency": "EUR",
    "timezone": "Europe/Lisbon",
}


def follow_on_organizer_site(location: str) -> tuple[Client, object]:
    link = urlsplit(location)
    client = Client(HTTP_HOST=link.netloc)
    return client, client.get(f"{link.path}?{link.query}")


def test_signup_lands_signed_in_on_the_new_console(platform_client):
    created = platform_client.post("/signup/", FORM)
    assert created.status_code == 303
    client, landed = follow_on_organizer_site(created["Location"])
    assert landed.status_code == 302 and landed["Location"] == "/console/"
    console = client.get("/console/")
    assert console.status_code == 200
    assert b"Page Org" in console.content and b"pat@example.com" in console.content
    # The platform site knows them too: its home links to the console.
    home = platform_client.get("/").content.decode()
    assert "Your organizers" in home and "Open the console of Page Org" in home


def test_a_handoff_link_works_once(platform_client):
    location = platform_client.post("/signup/", FORM)["Location"]
    follow_on_organizer_site(location)
    stranger, again = follow_on_organizer_site(location)
    assert again.status_code == 400
    assert b"expired or was already used" in again.content and b'name="password"' in again.content
    assert stranger.get("/console/").status_code == 302  # to the sign-in page


def test_a_handoff_link_is_for_its_organizer_its_member_and_two_minutes():
    alpha, beta = make_organizer("alpha"), make_organizer("beta")
    owner = Membership.objects.get(organizer=alpha).user
    token = handoff.handoff_token(user=owner, organizer=alpha)
    assert handoff.redeem_handoff(token=token, organizer=beta) is None
    assert handoff.redeem_handoff(token=token + "x", organizer=alpha) is None
    assert handoff.redeem_handoff(token="", organizer=alpha) is None
    with mock.patch("django.core.signing.time.time", return_value=10**12):
        assert handoff.redeem_handoff(token=token, organizer=alpha) is None
    Membership.objects.filter(user=owner, organizer=alpha).delete()
    assert handoff.redeem_handoff(token=token, organizer=alpha) is None
    # A handoff link on the platform site itself is refused.
    assert Client(HTTP_HOST="localhost").get("/login/continue/", {"token": token}).status_code == (
        404
    )


def test_the_platform_sign_in_leads_to_each_console(platform_client):
    organizer = make_organizer("hall", name="Harbour Hall")
    owner = Membership.objects.get(organizer=organizer).user
    make_organizer("other", name="Other Hall")
    signed_in = platform_client.post("/login/", {"username": owner.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    home = platform_client.get("/").content.decode()
    assert "Open the console of Harbour Hall" in home and "Other Hall" not in home

    opened = platform_client.post("/organizers/hall/console/")
    assert opened.status_code == 303
    client, landed = follow_on_organizer_site(opened["Location"])
    assert landed["Location"] == "/console/" and client.get("/console/").status_code == 200
    # Not a member: nothing to open, and nothing said about the site.
    assert platform_client.post("/organizers/other/console/").status_code == 404
    assert platform_client.post("/organizers/nope/console/").status_code == 404
    assert Client(HTTP_HOST="localhost").post("/organizers/hall/console/").status_code == 404


def test_the_platform_home_tells_a_visitor_where_to_sign_in(platform_client):
    home = platform_client.get("/").content.decode()
    assert 'href="/login/"' in home and "open your console" in home
    make_user("nobody@example.com")
    platform_client.post("/login/", {"username": "nobody@example.com", "password": PASSWORD})
    assert "not a member of any organizer" in platform_client.get("/").content.decode()
