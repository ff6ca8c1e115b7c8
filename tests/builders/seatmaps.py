"""Seat maps for tests: hand-built documents (no editor operations involved) and a site with an
admin and a staff member for the seat-map API."""

from django_tenants.utils import schema_context

from seatmaps.document import (
    Category,
    GeneralAdmissionArea,
    Point,
    Row,
    Seat,
    SeatMapDocument,
    Section,
    Shape,
)
from tenants.roles import Role
from tests.builders.organizers import make_member, make_organizer, signed_in_client

CATEGORIES = [
    Category(key="premium", name="Premium", color="#7b2cbf"),
    Category(key="standard", name="Standard", color="#2a9d8f"),
]


def grid_document(
    rows: int = 3, seats_per_row: int = 4, *, section: str = "stalls", with_floor: bool = False
) -> SeatMapDocument:
    """A seated block `rows` x `seats_per_row` (first row premium) and, optionally, a GA floor."""
    sections = [
        Section(
            key=section,
            name=section.title(),
            x=100,
            y=200,
            rows=[
                Row(
                    label=chr(ord("A") + index) if index < 26 else f"R{index + 1}",
                    seats=[
                        Seat(
                            label=str(number + 1),
                            x=number * 30,
                            y=index * 35,
                            category="premium" if index == 0 else "standard",
                            accessible=(index == 0 and number == 0),
                        )
                        for number in range(seats_per_row)
                    ],
                )
                for index in range(rows)
            ],
        )
    ]
    if with_floor:
        sections.append(
            Section(
                key="floor",
                name="Floor",
                kind="ga",
                area=GeneralAdmissionArea(
                    capacity=500,
                    category="standard",
                    polygon=[Point(x=0, y=0), Point(x=300, y=0), Point(x=300, y=120),
                             Point(x=0, y=120)],
                ),
            )
        )  # fmt: skip
    return SeatMapDocument(
        categories=CATEGORIES,
        sections=sections,
        shapes=[Shape(kind="stage", x=100, y=20, width=300, height=60, text="Stage")],
    )


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
