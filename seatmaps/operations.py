"""Editor operations: pure functions from a seat-map document and parameters to a new document.

The console editor, integrations (through `POST /seatmaps/{id}/operations/{name}`) and the sample
maps all change documents through these functions, so there is one code path per edit. Each
operation copies the document first and never touches its input; each refuses with `Invalid`
naming the offending sections, rows or seats. Document-wide rules (unique labels, limits) are
`seatmaps.document.ensure_valid`'s job, which the caller runs on the result.

References follow `seatmaps.document`: a section by its key, a row as "section/row" and a seat as
"section/row/seat" (labels cannot contain "/", so the split is unambiguous).
"""

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from boxoffice.errors import Invalid, NotFound
from seatmaps import geometry, numbering
from seatmaps.csv_io import ImportCsvParams, import_csv
from seatmaps.document import (
    COLOR_PATTERN,
    KEY_PATTERN,
    MAX_GA_CAPACITY,
    MAX_SEATS,
    MAX_SECTIONS,
    Category,
    GeneralAdmissionArea,
    Point,
    Row,
    Seat,
    SeatMapDocument,
    Section,
    Shape,
    absolute_position,
    row_ref,
    seat_count,
    seat_ref,
)
from seatmaps.error_codes import ErrorCode
from seatmaps.numbering import RowLabeling, SeatNumbering

# Error details name at most this many items, like `seatmaps.document.problems`.
MAX_REPORTED = 1000
MAX_SHAPES = 1000
# Far beyond any venue drawing, and small enough that sums of coordinates stay finite.
COORDINATE_LIMIT = 1_000_000

Coordinate = Annotated[float, Field(ge=-COORDINATE_LIMIT, le=COORDINATE_LIMIT)]
Length = Annotated[float, Field(gt=0, le=COORDINATE_LIMIT)]
Degrees = Annotated[float, Field(ge=-360, le=360)]
Key = Annotated[str, Field(pattern=KEY_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=64)]


class Params(BaseModel):
    """Base for operation parameters: unknown fields and infinities are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Selection(Params):
    """What an operation applies to: whole sections by key, rows as "section/row", seats as
    "section/row/seat"."""

    sections: list[str] = Field(default_factory=list, max_length=MAX_SECTIONS)
    rows: list[str] = Field(default_factory=list, max_length=MAX_SEATS)
    seats: list[str] = Field(default_factory=list, max_length=MAX_SEATS)

    @model_validator(mode="after")
    def _not_empty(self) -> "Selection":
        if not (self.sections or self.rows or self.seats):
            raise ValueError("select at least one section, row or seat")
        return self


# --- parameters -------------------------------------------------------------------------------


class AddSectionParams(Params):
    key: Key
    name: Name
    rows: int = Field(ge=1, le=500)
    seats_per_row: int = Field(ge=1, le=500)
    seat_spacing: Length = 30
    row_spacing: Length = 35
    x: Coordinate = 0
    y: Coordinate = 0
    rotation: Degrees = 0
    category: str
    seat_numbering: SeatNumbering = Field(default_factory=SeatNumbering)
    row_labels: RowLabeling = Field(default_factory=RowLabeling)


class AddGeneralAdmissionSectionParams(Params):
    key: Key
    name: Name
    capacity: int = Field(ge=1, le=MAX_GA_CAPACITY)
    category: str
    x: Coordinate = 0
    y: Coordinate = 0
    width: Length
    height: Length
    rotation: Degrees = 0


class CurveParams(Params):
    section: str
    rows: list[str] | None = Field(default=None, description="Row labels; all rows when null.")
    radius: Length


class MoveParams(Params):
    selection: Selection
    dx: Coordinate = 0
    dy: Coordinate = 0


class RotateParams(Params):
    selection: Selection
    degrees: Degrees
    origin: Point | None = Field(
        default=None, description="Map point to turn about; the selection's centre when null."
    )


class DuplicateParams(Params):
    section: str
    key: Key
    name: Name
    dx: Coordinate = 0
    dy: Coordinate = 0


class RenumberParams(Params):
    section: str
    rows: list[str] | None = Field(default=None, description="Row labels; all rows when null.")
    seat_numbering: SeatNumbering = Field(default_factory=SeatNumbering)
    row_labels: RowLabeling | None = Field(
        default=None, description="Relabel the rows too, front to back; keep labels when null."
    )


class AssignCategoryParams(Params):
    selection: Selection
    category: str


class SetSeatFlagsParams(Params):
    selection: Selection
    accessible: bool | None = None
    restricted_view: bool | None = None
    companion: bool | None = None

    @model_validator(mode="after")
    def _sets_something(self) -> "SetSeatFlagsParams":
        if self.accessible is None and self.restricted_view is None and self.companion is None:
            raise ValueError("set at least one of accessible, restricted_view, companion")
        return self


class DeleteParams(Params):
    selection: Selection


class UpsertCategoryParams(Params):
    key: Key
    name: Name
    color: str = Field(pattern=COLOR_PATTERN)


class DeleteCategoryParams(Params):
    key: str


class SetFocalPointParams(Params):
    x: Coordinate
    y: Coordinate


class AddShapeParams(Params):
    shape: Shape


class DeleteShapeParams(Params):
    index: int = Field(ge=0)


# --- resolving references ---------------------------------------------------------------------


@dataclass
class Picked:
    """A resolved selection: whole sections; the rows named, and the seats picked (on their own
    or through their rows), inside other sections."""

    sections: list[Section] = field(default_factory=list)
    rows: list[tuple[Section, Row]] = field(default_factory=list)
    seats: list[tuple[Section, list[tuple[Row, Seat]]]] = field(default_factory=list)

    def all_seats(self) -> Iterable[tuple[Section, Row, Seat]]:
        for section in self.sections:
            for row in section.rows:
                for seat in row.seats:
                    yield section, row, seat
        for section, picked in self.seats:
            for row, seat in picked:
                yield section, row, seat


def _named(refs: list[str], shown: int = 5) -> str:
    listed = ", ".join(refs[:shown])
    return listed if len(refs) <= shown else f"{listed} and {len(refs) - shown} more"


def _section(document: SeatMapDocument, key: str) -> Section:
    section = document.section(key)
    if section is None:
        raise Invalid(
            f"There is no section '{key}' on this map.",
            code=ErrorCode.UNKNOWN_SECTION,
            sections=[key],
        )
    return section


def _seated_section(document: SeatMapDocument, key: str) -> Section:
    section = _section(document, key)
    if section.kind != "seated":
        raise Invalid(
            f"Section '{key}' is general admission; it has no rows of seats.",
            code=ErrorCode.NOT_SEATED_SECTION,
            sections=[key],
        )
    return section


def _rows_of(section: Section, labels: list[str] | None) -> list[Row]:
    """The section's rows with these labels (all rows for None), in document order."""
    if labels is None:
        return list(section.rows)
    wanted = set(labels)
    known = {row.label for row in section.rows}
    if missing := [label for label in dict.fromkeys(labels) if label not in known]:
        refs = [f"{section.key}/{label}" for label in missing]
        raise Invalid(
            f"Section '{section.key}' has no row{'s' if len(refs) > 1 else ''} {_named(missing)}.",
            code=ErrorCode.UNKNOWN_ROWS,
            rows=refs[:MAX_REPORTED],
        )
    return [row for row in section.rows if row.label in wanted]


def resolve(document: SeatMapDocument, selection: Selection) -> Picked:
    """Find the selected items in `document`, refusing unknown references by name.

    A seat picked both on its own and through its row or section counts once.
    """
    whole = _whole_sections(document, selection.sections)
    whole_keys = {section.key for section in whole}
    chosen: dict[int, tuple[Section, Row, Seat]] = {}
    named_rows: dict[int, tuple[Section, Row]] = {}
    if selection.rows:
        rows = _index_rows(document)
        if unknown := [ref for ref in dict.fromkeys(selection.rows) if ref not in rows]:
            raise Invalid(
                f"{_count(unknown, 'row')} not on this map: {_named(unknown)}.",
                code=ErrorCode.UNKNOWN_ROWS,
                rows=unknown[:MAX_REPORTED],
            )
        for ref in selection.rows:
            for section, row in rows[ref]:
                if section.key not in whole_keys:
                    named_rows[id(row)] = (section, row)
                for seat in row.seats:
                    chosen[id(seat)] = (section, row, seat)
    if selection.seats:
        seats = _index_seats(document)
        if unknown := [ref for ref in dict.fromkeys(selection.seats) if ref not in seats]:
            raise Invalid(
                f"{_count(unknown, 'seat')} not on this map: {_named(unknown)}.",
                code=ErrorCode.UNKNOWN_SEATS,
                seats=unknown[:MAX_REPORTED],
            )
        for ref in selection.seats:
            for section, row, seat in seats[ref]:
                chosen[id(seat)] = (section, row, seat)
    return Picked(
        sections=whole,
        rows=list(named_rows.values()),
        seats=_group_by_section(document, chosen, whole_keys),
    )


def _count(items: list[str], noun: str) -> str:
    return f"1 {noun} is" if len(items) == 1 else f"{len(items)} {noun}s are"


def _whole_sections(document: SeatMapDocument, keys: list[str]) -> list[Section]:
    known = {section.key for section in document.sections}
    if unknown := [key for key in dict.fromkeys(keys) if key not in known]:
        raise Invalid(
            f"{_count(unknown, 'section')} not on this map: {_named(unknown)}.",
            code=ErrorCode.UNKNOWN_SECTION,
            sections=unknown,
        )
    wanted = set(keys)
    return [section for section in document.sections if section.key in wanted]


def _index_rows(document: SeatMapDocument) -> dict[str, list[tuple[Section, Row]]]:
    index: dict[str, list[tuple[Section, Row]]] = {}
    for section in document.sections:
        for row in section.rows:
            index.setdefault(row_ref(section, row), []).append((section, row))
    return index


def _index_seats(document: SeatMapDocument) -> dict[str, list[tuple[Section, Row, Seat]]]:
    index: dict[str, list[tuple[Section, Row, Seat]]] = {}
    for section in document.sections:
        for row in section.rows:
            for seat in row.seats:
                index.setdefault(seat_ref(section, row, seat), []).append((section, row, seat))
    return index


def _group_by_section(
    document: SeatMapDocument,
    chosen: dict[int, tuple[Section, Row, Seat]],
    skip_keys: set[str],
) -> list[tuple[Section, list[tuple[Row, Seat]]]]:
    by_section: dict[int, list[tuple[Row, Seat]]] = {}
    for section, row, seat in chosen.values():
        if section.key not in skip_keys:
            by_section.setdefault(id(section), []).append((row, seat))
    return [
        (section, by_section[id(section)])
        for section in document.sections
        if id(section) in by_section
    ]


# --- checks shared by operations --------------------------------------------------------------


def _require_category(document: SeatMapDocument, key: str) -> None:
    if key not in document.category_keys():
        raise Invalid(
            f"There is no category '{key}'; add it first.",
            code=ErrorCode.UNKNOWN_CATEGORY,
            categories=[key],
        )


def _require_new_section_key(document: SeatMapDocument, key: str) -> None:
    if document.section(key) is not None:
        raise Invalid(
            f"A section with key '{key}' already exists.",
            code=ErrorCode.SECTION_EXISTS,
            sections=[key],
        )
    if len(document.sections) >= MAX_SECTIONS:
        raise Invalid(
            f"A seat map may have at most {MAX_SECTIONS} sections.",
            code=ErrorCode.TOO_MANY_SECTIONS,
        )


def _require_room_for_seats(document: SeatMapDocument, more: int) -> None:
    # Checked before building, so a request for 250,000 seats is refused without making them.
    if (total := seat_count(document) + more) > MAX_SEATS:
        raise Invalid(
            f"A seat map may have at most {MAX_SEATS:,} seats; this would make {total:,}.",
            code=ErrorCode.TOO_MANY_SEATS,
        )


def _copy(document: SeatMapDocument) -> SeatMapDocument:
    return document.model_copy(deep=True)


def _seat_positions(section: Section, seats: Iterable[Seat]) -> Iterable[geometry.XY]:
    return (absolute_position(section, seat.x, seat.y) for seat in seats)


def _section_points(section: Section) -> list[geometry.XY]:
    """Map points that stand for a whole section: its seats, its area's outline, else its
    origin."""
    points = list(_seat_positions(section, (seat for row in section.rows for seat in row.seats)))
    if section.area is not None:
        outline = section.area.polygon
        points.extend(absolute_position(section, point.x, point.y) for point in outline)
    return points or [(section.x, section.y)]


# --- operations -------------------------------------------------------------------------------


def add_section(document: SeatMapDocument, params: AddSectionParams) -> SeatMapDocument:
    """A seated section as a grid: the front row (nearest the stage) at y=0, the next rows
    `row_spacing` further back, seats `seat_spacing` apart from x=0 to the right."""
    _require_new_section_key(document, params.key)
    _require_category(document, params.category)
    _require_room_for_seats(document, params.rows * params.seats_per_row)
    row_names = numbering.row_labels(params.rows, params.row_labels)
    seat_names = numbering.seat_labels(params.seats_per_row, params.seat_numbering)
    rows = [
        Row(
            label=row_name,
            seats=[
                Seat(
                    label=seat_name,
                    x=geometry.tidy(column * params.seat_spacing),
                    y=geometry.tidy(line * params.row_spacing),
                    category=params.category,
                )
                for column, seat_name in enumerate(seat_names)
            ],
        )
        for line, row_name in enumerate(row_names)
    ]
    changed = _copy(document)
    changed.sections.append(
        Section(
            key=params.key,
            name=params.name,
            x=params.x,
            y=params.y,
            rotation=params.rotation,
            rows=rows,
        )
    )
    return changed


def add_ga_section(
    document: SeatMapDocument, params: AddGeneralAdmissionSectionParams
) -> SeatMapDocument:
    """A general-admission section: a width x height area from its origin, with a capacity."""
    _require_new_section_key(document, params.key)
    _require_category(document, params.category)
    outline = [Point(x=x, y=y) for x, y in geometry.rectangle(params.width, params.height)]
    changed = _copy(document)
    changed.sections.append(
        Section(
            key=params.key,
            name=params.name,
            kind="ga",
            x=params.x,
            y=params.y,
            rotation=params.rotation,
            area=GeneralAdmissionArea(
                capacity=params.capacity, category=params.category, polygon=outline
            ),
        )
    )
    return changed


def curve(document: SeatMapDocument, params: CurveParams) -> SeatMapDocument:
    """Bend rows onto concentric arcs centred `radius` in front of the section's front row.

    The centre line and front row are taken from all the section's seats, so curving rows one
    at a time gives the same result as curving them together.
    """
    changed = _copy(document)
    section = _seated_section(changed, params.section)
    rows = _rows_of(section, params.rows)
    seats = [seat for row in section.rows for seat in row.seats]
    if not seats:
        return changed
    box = geometry.bounding_box((seat.x, seat.y) for seat in seats)
    assert box is not None
    arc = {"centre_x": box.centre[0], "front_y": box.min_y, "radius": params.radius}
    _refuse_wrapping(section, rows, arc)
    for row in rows:
        for seat in row.seats:
            x, y = geometry.bend_onto_arc(seat.x, seat.y, **arc)
            seat.x, seat.y = geometry.tidy(x), geometry.tidy(y)
    return changed


def _refuse_wrapping(section: Section, rows: list[Row], arc: dict[str, float]) -> None:
    """Past a quarter turn either way a row would bend back on itself (and face away from the
    stage); refuse and say which radius would do."""
    too_tight = [
        row
        for row in rows
        if any(abs(geometry.arc_angle(seat.x, seat.y, **arc)) > math.pi / 2 for seat in row.seats)
    ]
    if not too_tight:
        return
    least = max(
        abs(seat.x - arc["centre_x"]) / (math.pi / 2) - (seat.y - arc["front_y"])
        for row in too_tight
        for seat in row.seats
    )
    refs = [row_ref(section, row) for row in too_tight]
    raise Invalid(
        f"A radius of {arc['radius']:g} bends {_named(refs)} past a half circle; "
        f"use at least {math.ceil(least)}.",
        code=ErrorCode.CURVE_TOO_TIGHT,
        rows=refs[:MAX_REPORTED],
    )


def move(document: SeatMapDocument, params: MoveParams) -> SeatMapDocument:
    """Shift the selection by (dx, dy) on the map: whole sections by their origin, rows and
    seats within their section (the delta turned into the section's own frame)."""
    changed = _copy(document)
    picked = resolve(changed, params.selection)
    for section in picked.sections:
        section.x = geometry.tidy(section.x + params.dx)
        section.y = geometry.tidy(section.y + params.dy)
    for section, seats in picked.seats:
        dx, dy = geometry.rotate_vector(params.dx, params.dy, -section.rotation)
        for _, seat in seats:
            seat.x, seat.y = geometry.tidy(seat.x + dx), geometry.tidy(seat.y + dy)
    return changed


def rotate(document: SeatMapDocument, params: RotateParams) -> SeatMapDocument:
    """Turn the selection by `degrees` (clockwise on screen) about a map point: whole sections
    turn their origin about it and add to their rotation; rows and seats turn within their
    section."""
    changed = _copy(document)
    picked = resolve(changed, params.selection)
    origin = _rotation_origin(picked, params.origin)
    for section in picked.sections:
        x, y = geometry.rotate_point(section.x, section.y, params.degrees, origin)
        section.x, section.y = geometry.tidy(x), geometry.tidy(y)
        section.rotation = geometry.normalize_degrees(section.rotation + params.degrees)
    for section, seats in picked.seats:
        local_origin = geometry.to_frame(*origin, (section.x, section.y), section.rotation)
        for _, seat in seats:
            x, y = geometry.rotate_point(seat.x, seat.y, params.degrees, local_origin)
            seat.x, seat.y = geometry.tidy(x), geometry.tidy(y)
    return changed


def _rotation_origin(picked: Picked, origin: Point | None) -> geometry.XY:
    if origin is not None:
        return origin.x, origin.y
    points = [point for section in picked.sections for point in _section_points(section)]
    for section, seats in picked.seats:
        points.extend(_seat_positions(section, (seat for _, seat in seats)))
    box = geometry.bounding_box(points)
    assert box is not None, "a resolved selection is never empty"
    return box.centre


def duplicate(document: SeatMapDocument, params: DuplicateParams) -> SeatMapDocument:
    """A copy of a section under a new key and name, its origin shifted by (dx, dy)."""
    original = _section(document, params.section)
    _require_new_section_key(document, params.key)
    _require_room_for_seats(document, sum(len(row.seats) for row in original.rows))
    copy = original.model_copy(
        deep=True,
        update={
            "key": params.key,
            "name": params.name,
            "x": geometry.tidy(original.x + params.dx),
            "y": geometry.tidy(original.y + params.dy),
        },
    )
    changed = _copy(document)
    changed.sections.append(copy)
    return changed


def renumber(document: SeatMapDocument, params: RenumberParams) -> SeatMapDocument:
    """Relabel the seats of each row left to right by x (in the section's frame) and, when
    `row_labels` is given, the rows front to back by their seats' mean y."""
    changed = _copy(document)
    section = _seated_section(changed, params.section)
    rows = _rows_of(section, params.rows)
    for row in rows:
        in_order = sorted(row.seats, key=lambda seat: (seat.x, seat.y))
        for seat, label in zip(
            in_order, numbering.seat_labels(len(in_order), params.seat_numbering), strict=True
        ):
            seat.label = label
    if params.row_labels is not None:
        _relabel_rows(section, rows, params.row_labels)
    return changed


def _relabel_rows(section: Section, rows: list[Row], labeling: RowLabeling) -> None:
    def depth(row: Row) -> float:
        # Rows without seats have no depth; they go to the back rather than fail.
        if not row.seats:
            return math.inf
        return sum(seat.y for seat in row.seats) / len(row.seats)

    front_to_back = sorted(rows, key=depth)
    for row, label in zip(front_to_back, numbering.row_labels(len(rows), labeling), strict=True):
        row.label = label
    counts = Counter(row.label for row in section.rows)
    if clashes := sorted(label for label, times in counts.items() if times > 1):
        refs = [f"{section.key}/{label}" for label in clashes]
        raise Invalid(
            f"Relabelling would give two rows the same label: {_named(refs)}.",
            code=ErrorCode.DUPLICATE_ROW,
            rows=refs[:MAX_REPORTED],
        )


def assign_category(document: SeatMapDocument, params: AssignCategoryParams) -> SeatMapDocument:
    """Put the selected seats, and the areas of selected general-admission sections, in a
    category."""
    _require_category(document, params.category)
    changed = _copy(document)
    picked = resolve(changed, params.selection)
    for _, _, seat in picked.all_seats():
        seat.category = params.category
    for section in picked.sections:
        if section.area is not None:
            section.area.category = params.category
    return changed


def set_seat_flags(document: SeatMapDocument, params: SetSeatFlagsParams) -> SeatMapDocument:
    """Mark the selected seats accessible, restricted-view or companion (or clear the marks);
    flags left null keep their value."""
    changed = _copy(document)
    picked = resolve(changed, params.selection)
    seats = [seat for _, _, seat in picked.all_seats()]
    if not seats:
        raise Invalid(
            "The selection holds no seats to mark.",
            code=ErrorCode.NO_SEATS_SELECTED,
            sections=[section.key for section in picked.sections],
        )
    flags = params.model_dump(include={"accessible", "restricted_view", "companion"})
    updates = {flag: value for flag, value in flags.items() if value is not None}
    for seat in seats:
        for flag, value in updates.items():
            setattr(seat, flag, value)
    return changed


def delete(document: SeatMapDocument, params: DeleteParams) -> SeatMapDocument:
    """Remove the selected sections, rows and seats; a row left without seats goes too."""
    changed = _copy(document)
    picked = resolve(changed, params.selection)
    gone_sections = {id(section) for section in picked.sections}
    gone_rows = {id(row) for _, row in picked.rows}
    gone_seats = {id(seat) for _, seats in picked.seats for _, seat in seats}
    changed.sections = [section for section in changed.sections if id(section) not in gone_sections]
    for _, seats in picked.seats:
        for row in {id(row): row for row, _ in seats}.values():
            row.seats = [seat for seat in row.seats if id(seat) not in gone_seats]
            if not row.seats:
                gone_rows.add(id(row))
    for section in changed.sections:
        section.rows = [row for row in section.rows if id(row) not in gone_rows]
    return changed


def upsert_category(document: SeatMapDocument, params: UpsertCategoryParams) -> SeatMapDocument:
    """Add a price category, or rename and recolour the one with this key."""
    changed = _copy(document)
    category = Category(key=params.key, name=params.name, color=params.color)
    for index, existing in enumerate(changed.categories):
        if existing.key == params.key:
            changed.categories[index] = category
            return changed
    changed.categories.append(category)
    return changed


def delete_category(document: SeatMapDocument, params: DeleteCategoryParams) -> SeatMapDocument:
    """Remove a category nothing uses; refuse naming the seats and sections that still do."""
    _require_category(document, params.key)
    seats = [
        seat_ref(section, row, seat)
        for section in document.sections
        for row in section.rows
        for seat in row.seats
        if seat.category == params.key
    ]
    sections = [
        section.key
        for section in document.sections
        if section.area is not None and section.area.category == params.key
    ]
    if seats or sections:
        users = [*sections, *seats]
        raise Invalid(
            f"Category '{params.key}' is still used by {_named(users)}.",
            code=ErrorCode.CATEGORY_IN_USE,
            seats=seats[:MAX_REPORTED],
            sections=sections,
        )
    changed = _copy(document)
    changed.categories = [c for c in changed.categories if c.key != params.key]
    return changed


def set_focal_point(document: SeatMapDocument, params: SetFocalPointParams) -> SeatMapDocument:
    """Set the point that "best available" measures seat quality from."""
    changed = _copy(document)
    changed.focal_point = Point(x=params.x, y=params.y)
    return changed


def add_shape(document: SeatMapDocument, params: AddShapeParams) -> SeatMapDocument:
    """Add a decoration (stage, bar, wall, text) on top of the existing ones."""
    if len(document.shapes) >= MAX_SHAPES:
        raise Invalid(
            f"A seat map may have at most {MAX_SHAPES} shapes.",
            code=ErrorCode.TOO_MANY_SHAPES,
        )
    changed = _copy(document)
    changed.shapes.append(params.shape.model_copy(deep=True))
    return changed


def delete_shape(document: SeatMapDocument, params: DeleteShapeParams) -> SeatMapDocument:
    """Remove the shape at a position in the shape list."""
    if params.index >= len(document.shapes):
        raise Invalid(
            f"There is no shape number {params.index}; the map has {len(document.shapes)}.",
            code=ErrorCode.UNKNOWN_SHAPE,
            index=params.index,
        )
    changed = _copy(document)
    del changed.shapes[params.index]
    return changed


# --- registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """An operation as the API lists it: `params_model` parses and documents the request body."""

    name: str
    params_model: type[BaseModel]
    apply: Callable[[SeatMapDocument, Any], SeatMapDocument]
    summary: str


def _registry(*operations: Operation) -> dict[str, Operation]:
    return {operation.name: operation for operation in operations}


OPERATIONS: dict[str, Operation] = _registry(
    Operation("add_section", AddSectionParams, add_section, "Add a seated section as a grid."),
    Operation(
        "add_ga_section",
        AddGeneralAdmissionSectionParams,
        add_ga_section,
        "Add a general-admission area with a capacity.",
    ),
    Operation("curve", CurveParams, curve, "Bend a section's rows along arcs facing the stage."),
    Operation("move", MoveParams, move, "Move sections, rows or seats."),
    Operation("rotate", RotateParams, rotate, "Rotate sections, rows or seats about a point."),
    Operation("duplicate", DuplicateParams, duplicate, "Copy a section under a new key."),
    Operation("renumber", RenumberParams, renumber, "Relabel a section's seats and rows."),
    Operation(
        "assign_category",
        AssignCategoryParams,
        assign_category,
        "Put seats or general-admission areas in a price category.",
    ),
    Operation(
        "set_seat_flags",
        SetSeatFlagsParams,
        set_seat_flags,
        "Mark seats accessible, restricted-view or companion.",
    ),
    Operation("delete", DeleteParams, delete, "Delete sections, rows or seats."),
    Operation(
        "upsert_category", UpsertCategoryParams, upsert_category, "Add or change a category."
    ),
    Operation(
        "delete_category", DeleteCategoryParams, delete_category, "Delete an unused category."
    ),
    Operation(
        "set_focal_point",
        SetFocalPointParams,
        set_focal_point,
        "Set the point best seats are nearest to.",
    ),
    Operation("add_shape", AddShapeParams, add_shape, "Add a stage, bar, wall or text."),
    Operation("delete_shape", DeleteShapeParams, delete_shape, "Delete a shape by position."),
    Operation(
        "import_csv",
        ImportCsvParams,
        import_csv,
        "Add or replace seats from CSV (section,row,seat,x,y,category).",
    ),
)


def run_operation(
    document: SeatMapDocument, name: str, params: Mapping[str, Any]
) -> SeatMapDocument:
    """Parse `params` for the operation called `name` and apply it to a copy of `document`.

    The result still needs `seatmaps.document.ensure_valid` before it is saved.
    """
    operation = OPERATIONS.get(name)
    if operation is None:
        raise NotFound(
            f"There is no seat-map operation '{name}'.",
            code=ErrorCode.UNKNOWN_OPERATION,
            operations=sorted(OPERATIONS),
        )
    try:
        parsed = operation.params_model.model_validate(params)
    except ValidationError as exc:
        raise Invalid(
            f"The parameters for '{name}' are not valid.",
            code=ErrorCode.INVALID_OPERATION_PARAMS,
            errors=[
                {"loc": [str(part) for part in error["loc"]], "message": error["msg"]}
                for error in exc.errors()[:200]
            ],
        ) from exc
    return operation.apply(document, parsed)
