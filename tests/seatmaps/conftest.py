import pytest
from django_tenants.utils import schema_context

from tenants.roles import Role
from tests.builders.organizers import make_member, make_organizer, signed_in_client


class Site:
    """An organizer with an admin and a staff member signed in, for seat-map API tests."""

    def __init__(self, slug: str) -> None:
        self.organizer = make_organizer(slug)
        self.admin = signed_in_client(self.organizer, make_member(self.organizer, Role.ADMIN))
        self.staff = signed_in_client(self.organizer, make_member(self.organizer, Role.STAFF))

    def schema(self):
        return schema_context(self.organizer.schema_name)

    def post(self, path: str, payload: dict, client=None):
        return (client or self.admin).post(path, payload, content_type="application/json")

    def put(self, path: str, payload: dict, client=None):
        return (client or self.admin).put(path, payload, content_type="application/json")

    def venue(self, name: str = "Grand Hall") -> str:
        response = self.post("/api/v1/venues", {"name": name, "city": "Utrecht", "country": "nl"})
        assert response.status_code == 201, response.content
        return response.json()["id"]

    def seat_map(self, document=None, name: str = "Main layout") -> str:
        payload = {"venue": self.venue(), "name": name}
        if document is not None:
            payload["document"] = document.model_dump(mode="json")
        response = self.post("/api/v1/seatmaps", payload)
        assert response.status_code == 201, response.content
        return response.json()["id"]


@pytest.fixture
def site(db) -> Site:
    return Site("alpha")
