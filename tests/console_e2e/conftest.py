"""Console browser tests: the customer shop's browser fixtures (tests/e2e/conftest.py: Debian's
chromium through Playwright, the ASGI app on a live port, jobs run at once) and a fresh
organizer with an owner and a staff member who sign in with a password."""

import pytest
from django.db import connection

from tenants.roles import Role
from tests.builders.organizers import PASSWORD, make_member, make_organizer, make_user
from tests.e2e.conftest import asgi_server, browser, in_database, new_page

ARTIFACTS = __import__("pathlib").Path(__file__).with_name("artifacts")


class ConsoleSite:
    def __init__(self, port: int, organizer):
        self.organizer = organizer
        self.url = f"http://{organizer.slug}.localhost:{port}"
        self.owner = "owner@console.example.com"
        self.staff = "staff@console.example.com"

    def sign_in(self, page, email: str, next_path: str = "/console/") -> None:
        page.goto(f"{self.url}/login/?next={next_path}")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{self.url}{next_path}")


@pytest.fixture
def console_site(asgi_server):
    owner = make_user("owner@console.example.com")
    organizer = make_organizer("e2econsole", owner=owner, name="Riverside Theatre")
    make_member(organizer, Role.STAFF, email="staff@console.example.com")
    connection.set_schema_to_public()
    yield ConsoleSite(asgi_server, organizer)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS org_e2econsole CASCADE")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


__all__ = ["asgi_server", "browser", "in_database", "new_page", "screenshot"]
