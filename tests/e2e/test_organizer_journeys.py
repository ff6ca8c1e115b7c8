"""Organizers in a real browser: a stranger signs up on the platform site and lands signed in on
the new console; an organizer refunds one seat (with a confirmation step) and the customer sees
it on the order page and in the email."""

from types import SimpleNamespace

import pytest
from django.db import connection
from playwright.sync_api import expect

from tenants.models import Membership, Organizer
from tests.e2e.conftest import in_database

PUBLIC = SimpleNamespace(schema_name="public")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


@pytest.fixture
def platform(asgi_server):
    yield f"http://localhost:{asgi_server}"
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_e2e_signup CASCADE")


def test_a_stranger_signs_up_and_lands_signed_in_on_the_new_console(platform, new_page):
    page = new_page()
    page.goto(platform + "/")
    page.get_by_role("link", name="Create your organizer site").click()
    page.get_by_label("Organization name").fill("Signup Theatre")
    page.get_by_label("Site address").fill("e2e-signup")
    page.get_by_label("Your name").fill("Sam Stage")
    page.get_by_label("Your email").fill("sam@example.com")
    page.get_by_label("Password").fill("a long enough passphrase 42")
    page.get_by_label("Time zone").fill("Europe/Lisbon")
    page.get_by_role("button", name="Create my site").click()

    page.wait_for_url(f"http://e2e-signup.localhost:{platform.rsplit(':', 1)[1]}/console/")
    expect(page.get_by_text("sam@example.com")).to_be_visible()  # signed in, on this site
    expect(page.get_by_role("link", name="Events").first).to_be_visible()

    def created():
        organizer = Organizer.objects.get(slug="e2e-signup")
        membership = Membership.objects.select_related("user").get(organizer=organizer)
        return organizer.timezone, membership.role, membership.user.email

    assert in_database(PUBLIC, created) == ("Europe/Lisbon", "owner", "sam@example.com")

    # Back on the platform site the same person finds the way to the console again.
    page.goto(platform + "/")
    page.get_by_role("button", name="Open the console of Signup Theatre").click()
    page.wait_for_url("**e2e-signup.localhost**/console/")
    expect(page.get_by_text("sam@example.com")).to_be_visible()
