"""The seat-map document: what the editor edits, what a draft stores and what a version freezes.

Coordinates are SVG-like: x grows to the right, y grows downward (away from a stage drawn at the
top). The unit is arbitrary; the editor's defaults assume about 30 per seat. A seat's x/y are
relative to its section's origin; the section is placed at (x, y) and turned by `rotation` degrees
(clockwise, as in SVG) about that origin. `absolute_position` gives a seat's place on the whole
map, which is what publishing stores.

Pydantic checks the shape of a document (types, formats, sizes); `problems()` checks what pydantic
cannot see on a single field (unique labels, known categories, capacities, limits) and names every
offending seat, row or section.
"""

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.errors import Invalid
from seatmaps.error_codes import ErrorCode

MAX_SEATS = 100_000
MAX_SECTIONS = 500
MAX_GA_CAPACITY = 200_000
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
# Labels end up in seat references ("stalls/A/12"), CSV cells and ticket texts: no slashes or
# commas, no whitespace at either end (invisible on a ticket, lost in CSV), and no leading = + - @
# (spreadsheets would run an exported label as a formula).
LABEL_PATTERN = r"^[^/\s,=+\-@](?:[^/,\n\r\t]{0,14}[^/\s,])?$"
# Far beyond any venue, small enough that rotations and sums stay exact enough and finite.
COORDINATE_LIMIT = 1_000_000.0
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
# Names and texts end up in XML (SVG), CSV and tickets: no control characters.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _coordinate(default: float | None = None) -> Any:
    bounds = {"ge": -COORDINATE_LIMIT, "le": COORDINATE_LIMIT, "allow_inf_nan": False}
    return Field(**bounds) if default is None else Field(default=default, **bounds)


class Point(_Model):
    x: float = _coordinate()
    y: float = _coordinate()


class Category(_Model):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=64, pattern=TEXT_PATTERN)
    color: str = Field(pattern=COLOR_PATTERN)


class Seat(_Model):
    label: str = Field(pattern=LABEL_PATTERN)
    x: float = _coordinate()
    y: float = _coordinate()
    category: str = Field(pattern=KEY_PATTERN)
    accessible: bool = False
    restricted_view: bool = False
    companion: bool = False


class Row(_Model):
    label: str = Field(pattern=LABEL_PATTERN)
    seats: list[Seat] = Field(default_factory=list)


class GeneralAdmissionArea(_Model):
    """Standing room. `polygon` points are relative to the section's origin, like seats.
    Capacity is checked by `problems()` so that a bad one is reported with its section."""

    capacity: int
    category: str = Field(pattern=KEY_PATTERN)
    polygon: list[Point] = Field(default_factory=list, max_length=1000)


class Section(_Model):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=64, pattern=TEXT_PATTERN)
    kind: Literal["seated", "ga"] = "seated"
    x: float = _coordinate(0)
    y: float = _coordinate(0)
    rotation: float = Field(default=0, ge=-360, le=360, allow_inf_nan=False)
    rows: list[Row] = Field(default_factory=list)
    area: GeneralAdmissionArea | None = None


class Shape(_Model):
    """Decoration: the stage, a free text label, a wall, a bar. In map coordinates:
    stage/rect/ellipse span x..x+width, y..y+height and turn about their centre; a polygon's
    `points` are relative to (x, y) and turn about it; text is centred on (x, y) with `height` as
    its font size (0: the renderer's default)."""

    kind: Literal["stage", "rect", "ellipse", "polygon", "text"]
    x: float = _coordinate(0)
    y: float = _coordinate(0)
    width: float = Field(default=0, ge=0, le=COORDINATE_LIMIT, allow_inf_nan=False)
    height: float = Field(default=0, ge=0, le=COORDINATE_LIMIT, allow_inf_nan=False)
    rotation: float = Field(default=0, ge=-360, le=360, allow_inf_nan=False)
    points: list[Point] = Field(default_factory=list)
    text: str = Field(default="", max_length=200, pattern=TEXT_PATTERN)


class SeatMapDocument(_Model):
    format: Literal[1] = 1
    categories: list[Category] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list, max_length=MAX_SECTIONS)
    focal_point: Point | None = None
    shapes: list[Shape] = Field(default_factory=list, max_length=1000)

    def category_keys(self) -> set[str]:
        return {category.key for category in self.categories}

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)


def seat_ref(section: Section, row: Row, seat: Seat) -> str:
    return f"{section.key}/{row.label}/{seat.label}"


def row_ref(section: Section, row: Row) -> str:
    return f"{section.key}/{row.label}"


def absolute_position(section: Section, x: float, y: float) -> tuple[float, float]:
    """Where a point given relative to `section` lies on the map."""
    if section.rotation:
        angle = math.radians(section.rotation)
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = x * cos - y * sin, x * sin + y * cos
    return section.x + x, section.y + y


@dataclass(frozen=True)
class PlacedSeat:
    section: Section
    row: Row
    seat: Seat
    x: float
    y: float

    @property
    def ref(self) -> str:
        return seat_ref(self.section, self.row, self.seat)


def placed_seats(document: SeatMapDocument) -> Iterator[PlacedSeat]:
    """Every seat with its absolute position, in document order."""
    for section in document.sections:
        for row in section.rows:
            for seat in row.seats:
                x, y = absolute_position(section, seat.x, seat.y)
                yield PlacedSeat(section, row, seat, x, y)


def focal_point(document: SeatMapDocument) -> Point:
    """The point best seats are closest to: as set, else the stage's centre, else the top middle
    of the seats."""
    if document.focal_point is not None:
        return document.focal_point
    stage = next((shape for shape in document.shapes if shape.kind == "stage"), None)
    if stage is not None:
        return Point(x=stage.x + stage.width / 2, y=stage.y + stage.height / 2)
    positions = [(placed.x, placed.y) for placed in placed_seats(document)]
    if not positions:
        return Point(x=0, y=0)
    xs = [x for x, _ in positions]
    return Point(x=(min(xs) + max(xs)) / 2, y=min(y for _, y in positions))


def seat_count(document: SeatMapDocument) -> int:
    return sum(len(row.seats) for section in document.sections for row in section.rows)


def ga_capacity(document: SeatMapDocument) -> int:
    return sum(section.area.capacity for section in document.sections if section.area)


@dataclass
class Problem:
    code: ErrorCode
    message: str
    seats: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        found = {"code": self.code, "message": self.message}
        if self.seats:
            found["seats"] = self.seats
        if self.sections:
            found["sections"] = self.sections
        return found


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def problems(document: SeatMapDocument) -> list[Problem]:
    """Everything wrong with a structurally valid document; empty when it may be saved."""
    found: list[Problem] = []
    categories = [category.key for category in document.categories]
    if duplicated := _duplicates(categories):
        found.append(
            Problem(
                ErrorCode.DUPLICATE_CATEGORY, f"Category keys used twice: {', '.join(duplicated)}."
            ),
        )
    known = set(categories)

    section_keys = [section.key for section in document.sections]
    if duplicated := _duplicates(section_keys):
        found.append(
            Problem(
                ErrorCode.DUPLICATE_SECTION, "Section keys must be unique.", sections=duplicated
            ),
        )

    refs: list[str] = []
    uncategorized: list[str] = []
    for section in document.sections:
        if section.kind == "ga":
            found.extend(_area_problems(section, known))
            if section.rows:
                found.append(
                    Problem(
                        ErrorCode.GA_SECTION_HAS_ROWS,
                        f"General-admission section '{section.key}' cannot have seat rows.",
                        sections=[section.key],
                    )
                )
            continue
        if section.area is not None:
            found.append(
                Problem(
                    ErrorCode.SEATED_SECTION_HAS_AREA,
                    f"Seated section '{section.key}' cannot have a general-admission area.",
                    sections=[section.key],
                )
            )
        if duplicated := _duplicates([row.label for row in section.rows]):
            found.append(
                Problem(
                    ErrorCode.DUPLICATE_ROW,
                    f"Section '{section.key}' has rows labelled twice: {', '.join(duplicated)}.",
                    sections=[section.key],
                )
            )
        for row in section.rows:
            for seat in row.seats:
                ref = seat_ref(section, row, seat)
                refs.append(ref)
                if seat.category not in known:
                    uncategorized.append(ref)

    if duplicated := _duplicates(refs):
        found.append(
            Problem(
                ErrorCode.DUPLICATE_SEAT,
                f"{len(duplicated)} seat labels are used twice in the same row.",
                seats=duplicated[:1000],
            )
        )
    if uncategorized:
        found.append(
            Problem(
                ErrorCode.UNKNOWN_CATEGORY,
                f"{len(uncategorized)} seats have a category that is not defined.",
                seats=uncategorized[:1000],
            )
        )
    if len(refs) > MAX_SEATS:
        found.append(
            Problem(
                ErrorCode.TOO_MANY_SEATS,
                f"A seat map may have at most {MAX_SEATS:,} seats; this one has {len(refs):,}.",
            )
        )
    if (capacity := ga_capacity(document)) > MAX_GA_CAPACITY:
        found.append(
            Problem(
                ErrorCode.TOO_MUCH_CAPACITY,
                f"General-admission capacity may total at most {MAX_GA_CAPACITY:,}; "
                f"this map has {capacity:,}.",
            )
        )
    return found


def _area_problems(section: Section, known_categories: set[str]) -> list[Problem]:
    area = section.area
    where = [section.key]
    if area is None:
        return [
            Problem(
                ErrorCode.GA_SECTION_WITHOUT_AREA,
                f"General-admission section '{section.key}' needs an area with a capacity.",
                sections=where,
            )
        ]
    found = []
    if area.capacity <= 0:
        found.append(
            Problem(
                ErrorCode.GA_CAPACITY_NOT_POSITIVE,
                f"Section '{section.key}' needs a capacity above 0 (it has {area.capacity}).",
                sections=where,
            )
        )
    if area.category not in known_categories:
        found.append(
            Problem(
                ErrorCode.UNKNOWN_CATEGORY,
                f"Section '{section.key}' uses the undefined category '{area.category}'.",
                sections=where,
            )
        )
    if area.polygon and len(area.polygon) < 3:
        found.append(
            Problem(
                ErrorCode.GA_POLYGON_TOO_SMALL,
                f"The outline of section '{section.key}' needs at least 3 points.",
                sections=where,
            )
        )
    return found


def ensure_valid(document: SeatMapDocument) -> SeatMapDocument:
    """Return the document if it has no problems, else raise Invalid listing all of them."""
    if found := problems(document):
        raise Invalid(
            f"The seat map has {len(found)} problem{'s' if len(found) > 1 else ''}.",
            code=ErrorCode.INVALID_SEAT_MAP,
            problems=[problem.as_dict() for problem in found],
        )
    return document


def parse_document(data: Any) -> SeatMapDocument:
    """Parse untrusted JSON-like data into a document; shape errors become Invalid with the
    pydantic error list (a 422 like any other)."""
    from pydantic import ValidationError

    try:
        return SeatMapDocument.model_validate(data)
    except ValidationError as exc:
        raise Invalid(
            "The seat map document is malformed.",
            code=ErrorCode.MALFORMED_SEAT_MAP,
            errors=[
                {"loc": [str(part) for part in error["loc"]], "message": error["msg"]}
                for error in exc.errors()[:200]
            ],
        ) from exc
