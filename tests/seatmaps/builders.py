"""Hand-built seat-map documents for tests (no editor operations involved)."""

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
