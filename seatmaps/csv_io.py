"""Seat import from CSV and export to CSV and JSON: the editor's file formats.

CSV columns: `section,row,seat,x,y,category`, optionally followed by `accessible`,
`restricted_view`, `companion` (true/false/1/0/yes/no; empty means false) and `section_name`.
Coordinates in a CSV are absolute map coordinates, so a file means the same thing whatever frames
the document's sections use: the importer converts them into each section's frame and the exporter
out of it (`absolute_position`).

Sections are identified by key. A key the document does not have yet becomes a new seated section
at the map's origin, unturned, named by `section_name` (or the key). An existing section keeps its
name, place and rotation: renaming and moving are editor operations of their own, and a file
exported from another map must not silently move this one's sections.

Modes:
- `merge` adds the file's seats; a seat whose reference (section/row/seat) exists is updated
  (position, category, flags; a flag column the file lacks leaves that flag as it was).
- `replace` makes the file the complete set of seated seats: a seated section the file mentions
  gets exactly the file's rows, a seated section it does not mention is removed. General-admission
  sections, shapes, categories and the focal point are kept, since a seat list says nothing about
  them.

A refused import names every offending line (1-based, the header is line 1) and seat at once and
leaves the input document untouched; the result is always a new document.
"""

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.errors import Invalid
from seatmaps.document import (
    KEY_PATTERN,
    LABEL_PATTERN,
    MAX_DOCUMENT_BYTES,
    MAX_SEATS,
    MAX_SECTIONS,
    Row,
    Seat,
    SeatMapDocument,
    Section,
    placed_seats,
    seat_count,
)
from seatmaps.error_codes import ErrorCode

REQUIRED_COLUMNS = ("section", "row", "seat", "x", "y", "category")
FLAG_COLUMNS = ("accessible", "restricted_view", "companion")
OPTIONAL_COLUMNS = (*FLAG_COLUMNS, "section_name")
EXPORT_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)

# An error naming 100,000 lines helps nobody and weighs megabytes; counts in messages stay exact.
MAX_REPORTED = 1000
# Relative coordinates come out of a rotation with float noise (12.000000000000002); four
# decimals are far finer than the two the CSV carries and keep stored documents readable.
COORDINATE_DECIMALS = 4
# The bound the editor operations put on coordinates (`seatmaps.operations.COORDINATE_LIMIT`),
# repeated rather than imported because the operations module registers this one.
COORDINATE_LIMIT = 1_000_000

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})
# The same patterns pydantic applies, so the importer can name the line instead of failing later.
_KEY = re.compile(KEY_PATTERN)
_LABEL = re.compile(LABEL_PATTERN)
_SECTION_NAME_MAX: int = next(
    rule.max_length
    for rule in Section.model_fields["name"].metadata
    if getattr(rule, "max_length", None) is not None
)

# Problem kinds in the order they are listed in a refusal: what stops a line being read first.
_PROBLEM_ORDER = (
    ErrorCode.INVALID_CSV,
    ErrorCode.INVALID_SECTION_KEY,
    ErrorCode.INVALID_LABEL,
    ErrorCode.SECTION_NOT_SEATED,
    ErrorCode.DUPLICATE_SEAT,
    ErrorCode.UNKNOWN_CATEGORY,
)


class ImportCsvParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    csv: str = Field(
        max_length=MAX_DOCUMENT_BYTES,
        description="CSV text: section,row,seat,x,y,category[,accessible,restricted_view,"
        "companion,section_name]; x and y are absolute map coordinates.",
    )
    mode: Literal["replace", "merge"] = Field(
        default="merge",
        description="merge: add and update seats. replace: the file becomes the full set of "
        "seated seats (seated sections it does not mention are removed; GA sections stay).",
    )


@dataclass(frozen=True)
class _CsvSeat:
    line: int
    section: str
    row: str
    label: str
    x: float
    y: float
    category: str
    # Only the flag columns the file has: an absent column leaves an existing seat's flag alone.
    flags: dict[str, bool]


@dataclass
class _Problem:
    code: ErrorCode
    line: int
    message: str
    seat: str | None = None
    section: str | None = None


@dataclass
class _Problems:
    found: list[_Problem] = field(default_factory=list)

    def add(self, code: ErrorCode, line: int, message: str, **where: str | None) -> None:
        self.found.append(_Problem(code, line, message, **where))

    def raise_if_any(self) -> None:
        if self.found:
            raise _refusal(self.found)


def import_csv(document: SeatMapDocument, params: ImportCsvParams) -> SeatMapDocument:
    """A new document with the CSV's seats merged in or replacing the seated seats; Invalid naming
    every offending line and seat otherwise. `document` is never changed."""
    seats, section_names = _read(document, params.csv)
    result = document.model_copy(deep=True)
    _apply(result, seats, section_names, replace=params.mode == "replace")
    if (count := seat_count(result)) > MAX_SEATS:
        raise Invalid(
            f"A seat map may have at most {MAX_SEATS:,} seats; after this import it would have "
            f"{count:,}.",
            code=ErrorCode.TOO_MANY_SEATS,
        )
    if len(result.sections) > MAX_SECTIONS:
        raise Invalid(
            f"A seat map may have at most {MAX_SECTIONS} sections; after this import it would "
            f"have {len(result.sections)}.",
            code=ErrorCode.TOO_MANY_SECTIONS,
        )
    return result


def export_csv(document: SeatMapDocument) -> str:
    """Every seat, in document order, with absolute coordinates: the format `import_csv` reads."""
    out = io.StringIO()
    # "\n" rather than csv's default "\r\n": what every spreadsheet and Unix tool reads, and the
    # text travels inside JSON where a stray "\r" only gets in the way.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for placed in placed_seats(document):
        seat = placed.seat
        writer.writerow(
            [
                placed.section.key,
                placed.row.label,
                seat.label,
                _format_coordinate(placed.x),
                _format_coordinate(placed.y),
                seat.category,
                _format_flag(seat.accessible),
                _format_flag(seat.restricted_view),
                _format_flag(seat.companion),
                placed.section.name,
            ]
        )
    return out.getvalue()


def export_json(document: SeatMapDocument) -> str:
    """The whole document as compact JSON, readable by `parse_document`."""
    return document.model_dump_json()


def _format_coordinate(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    # -0.001 rounds to "-0", which reads like a bug in a spreadsheet.
    return "0" if text == "-0" else text


def _format_flag(value: bool) -> str:
    return "true" if value else "false"


# Reading ------------------------------------------------------------------------------------


def _read(document: SeatMapDocument, text: str) -> tuple[list[_CsvSeat], dict[str, str]]:
    """Parse and check the whole file; the seats to apply and the names for new sections."""
    # Excel writes UTF-8 with a byte-order mark; it would otherwise stick to the first header cell.
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise Invalid("The CSV file is empty.", code=ErrorCode.EMPTY_CSV)

    problems = _Problems()
    records = _records(text, problems)
    header = next(records, None)
    if header is None:
        problems.raise_if_any()
        raise Invalid("The CSV file is empty.", code=ErrorCode.EMPTY_CSV)
    columns = _columns(header[1])

    seats: list[_CsvSeat] = []
    section_names: dict[str, str] = {}
    name_lines: dict[str, int] = {}
    ref_lines: dict[str, list[int]] = defaultdict(list)
    known_categories = document.category_keys()
    # Reversed so that the first of two sections with one key wins, as in `document.section`.
    section_kinds = {section.key: section.kind for section in reversed(document.sections)}
    data_rows = 0
    for line, cells in records:
        data_rows += 1
        if data_rows > MAX_SEATS:
            raise Invalid(
                f"A CSV may list at most {MAX_SEATS:,} seats; line {line} is one too many.",
                code=ErrorCode.TOO_MANY_SEATS,
            )
        if len(cells) < len(columns) or any(cell.strip() for cell in cells[len(columns) :]):
            problems.add(
                ErrorCode.INVALID_CSV,
                line,
                f"Line {line} has {len(cells)} values; the header has {len(columns)}.",
            )
            continue
        values = {name: cells[index].strip() for index, name in enumerate(columns)}
        ref, seat = _read_seat(line, values, section_kinds, known_categories, problems)
        if ref is not None:
            ref_lines[ref].append(line)
        key = values["section"]
        if (name := values.get("section_name", "")) and _KEY.fullmatch(key):
            if key not in section_names:
                section_names[key] = name
                name_lines[key] = line
            elif section_names[key] != name:
                problems.add(
                    ErrorCode.INVALID_CSV,
                    line,
                    f"Line {line} names section '{key}' '{name}', but line {name_lines[key]} "
                    f"names it '{section_names[key]}'.",
                    section=key,
                )
        if seat is not None:
            seats.append(seat)

    if data_rows == 0 and not problems.found:
        raise Invalid("The CSV file has a header but no seats.", code=ErrorCode.EMPTY_CSV)
    for ref, lines in ref_lines.items():
        if len(lines) > 1:
            listed = ", ".join(str(line) for line in lines)
            for line in lines:
                problems.add(
                    ErrorCode.DUPLICATE_SEAT,
                    line,
                    f"Seat {ref} is listed more than once (lines {listed}).",
                    seat=ref,
                )
    problems.raise_if_any()
    return seats, section_names


def _records(text: str, problems: _Problems) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for every record that is not blank, numbered by the line it starts on."""
    # newline="" lets the csv module see line breaks inside quoted fields itself; strict turns
    # broken quoting into an error instead of a silently merged field.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader cannot find its footing after broken quoting; report what it read so far.
            problems.add(ErrorCode.INVALID_CSV, reader.line_num, f"Line {reader.line_num}: {exc}.")
            return
        start, previous_end = previous_end + 1, reader.line_num
        # Spreadsheets end files with empty lines or ",,,,," rows; they carry no seat.
        if any(cell.strip() for cell in cells):
            yield start, cells


def _columns(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    # Trailing empty header cells come from spreadsheets that export a fixed width.
    while names and not names[-1]:
        names.pop()
    extra = names[len(REQUIRED_COLUMNS) :]
    if (
        tuple(names[: len(REQUIRED_COLUMNS)]) != REQUIRED_COLUMNS
        or any(name not in OPTIONAL_COLUMNS for name in extra)
        or len(set(extra)) != len(extra)
    ):
        # A file without a header starts with a seat line, possibly a very long one.
        found = ",".join(names)
        found = found if len(found) <= 200 else found[:200] + "…"
        raise Invalid(
            f"The first line must be the header {','.join(REQUIRED_COLUMNS)}, optionally "
            f"followed by any of {', '.join(OPTIONAL_COLUMNS)}; it is '{found}'.",
            code=ErrorCode.INVALID_CSV_HEADER,
            expected=list(REQUIRED_COLUMNS),
            optional=list(OPTIONAL_COLUMNS),
            found=names[:50],
        )
    return names


def _read_seat(
    line: int,
    values: dict[str, str],
    section_kinds: dict[str, str],
    known_categories: set[str],
    problems: _Problems,
) -> tuple[str | None, _CsvSeat | None]:
    """The seat's reference (when its labels are valid) and the seat (when the whole line is)."""
    before = len(problems.found)
    key, row, label = values["section"], values["row"], values["seat"]

    named = True
    if not _KEY.fullmatch(key):
        named = False
        problems.add(
            ErrorCode.INVALID_SECTION_KEY,
            line,
            f"Line {line}: section key '{key}' must be 1 to 32 lowercase letters, digits, '-' "
            "or '_', starting with a letter or digit.",
        )
    elif section_kinds.get(key, "seated") != "seated":
        problems.add(
            ErrorCode.SECTION_NOT_SEATED,
            line,
            f"Line {line}: section '{key}' is a general-admission section and has no seats.",
            section=key,
        )
    for what, value in (("row", row), ("seat", label)):
        if not _LABEL.fullmatch(value):
            named = False
            problems.add(
                ErrorCode.INVALID_LABEL,
                line,
                f"Line {line}: {what} label '{value}' must be 1 to 16 characters, not starting "
                "with a space, without '/', ',' or line breaks.",
            )
    ref = f"{key}/{row}/{label}" if named else None
    where = ref or f"on line {line}"

    coordinates = []
    for axis in ("x", "y"):
        number = _number(values[axis])
        if number is None:
            problems.add(
                ErrorCode.INVALID_CSV,
                line,
                f"Line {line}: {axis} '{values[axis]}' is not a number.",
            )
        elif abs(number) > COORDINATE_LIMIT:
            problems.add(
                ErrorCode.INVALID_CSV,
                line,
                f"Line {line}: {axis} {values[axis]} is beyond ±{COORDINATE_LIMIT:,}.",
            )
            number = None
        coordinates.append(number)

    category = values["category"]
    if category not in known_categories:
        message = (
            f"Seat {where} has no category."
            if not category
            else f"Seat {where} has the unknown category '{category}'."
        )
        known = ", ".join(sorted(known_categories)) or "none yet"
        problems.add(ErrorCode.UNKNOWN_CATEGORY, line, f"{message} Known: {known}.", seat=ref)

    flags = {}
    for column in FLAG_COLUMNS:
        if column not in values:
            continue
        value = values[column].lower()
        if value not in _TRUE and value not in _FALSE:
            problems.add(
                ErrorCode.INVALID_CSV,
                line,
                f"Line {line}: {column} '{values[column]}' must be true, false, yes, no, 1, 0 "
                "or empty.",
            )
        flags[column] = value in _TRUE

    name = values.get("section_name", "")
    if len(name) > _SECTION_NAME_MAX:
        problems.add(
            ErrorCode.INVALID_CSV,
            line,
            f"Line {line}: section_name may have at most {_SECTION_NAME_MAX} characters.",
        )

    x, y = coordinates
    if len(problems.found) > before or x is None or y is None:
        return ref, None
    return ref, _CsvSeat(line, key, row, label, x, y, category, flags)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    # float() also reads "nan" and "inf", which no document may hold.
    return value if math.isfinite(value) else None


# Applying -----------------------------------------------------------------------------------


def _apply(
    document: SeatMapDocument,
    seats: list[_CsvSeat],
    section_names: dict[str, str],
    *,
    replace: bool,
) -> None:
    """Put the checked seats into `document` (the caller's own copy)."""
    mentioned = {seat.section for seat in seats}
    if replace:
        document.sections = [
            section
            for section in document.sections
            if section.kind != "seated" or section.key in mentioned
        ]
        for section in document.sections:
            if section.kind == "seated":
                section.rows = []

    sections = {}
    for section in document.sections:
        # First wins, as `SeatMapDocument.section` does.
        sections.setdefault(section.key, section)
    rows: dict[tuple[str, str], Row] = {}
    seat_index: dict[tuple[str, str], dict[str, int]] = {}
    touched: list[Row] = []
    problems = _Problems()

    for csv_seat in seats:
        section = sections.get(csv_seat.section)
        if section is None:
            section = Section(
                key=csv_seat.section,
                name=section_names.get(csv_seat.section) or _default_name(csv_seat.section),
            )
            document.sections.append(section)
            sections[section.key] = section

        row_key = (section.key, csv_seat.row)
        row = rows.get(row_key)
        if row is None:
            row = next((row for row in section.rows if row.label == csv_seat.row), None)
            if row is None:
                row = Row(label=csv_seat.row)
                section.rows.append(row)
            rows[row_key] = row
            touched.append(row)
            seat_index[row_key] = {}
            for index, seat in enumerate(row.seats):
                seat_index[row_key].setdefault(seat.label, index)

        x, y = _relative_position(section, csv_seat.x, csv_seat.y)
        if not (math.isfinite(x) and math.isfinite(y)):
            # Only a section placed astronomically far away makes the conversion overflow.
            problems.add(
                ErrorCode.INVALID_CSV,
                csv_seat.line,
                f"Line {csv_seat.line}: x or y is out of range.",
            )
            continue
        index = seat_index[row_key].get(csv_seat.label)
        existing = row.seats[index] if index is not None else None
        flags = {
            column: csv_seat.flags.get(column, getattr(existing, column, False))
            for column in FLAG_COLUMNS
        }
        seat = Seat(label=csv_seat.label, x=x, y=y, category=csv_seat.category, **flags)
        if index is None:
            seat_index[row_key][seat.label] = len(row.seats)
            row.seats.append(seat)
        else:
            row.seats[index] = seat

    problems.raise_if_any()
    for row in touched:
        # Stable, so seats at the same x keep the order they were listed in.
        row.seats.sort(key=lambda seat: seat.x)


def _default_name(key: str) -> str:
    return key.replace("-", " ").replace("_", " ").title()


def _relative_position(section: Section, x: float, y: float) -> tuple[float, float]:
    """The inverse of `absolute_position`: move to the section's origin, then turn back."""
    x, y = x - section.x, y - section.y
    if section.rotation:
        angle = math.radians(section.rotation)
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = x * cos + y * sin, -x * sin + y * cos
    # Adding 0.0 turns a rounded -0.0 into 0.0, which is what anyone would write.
    return round(x, COORDINATE_DECIMALS) + 0.0, round(y, COORDINATE_DECIMALS) + 0.0


# Refusing -----------------------------------------------------------------------------------


def _refusal(found: list[_Problem]) -> Invalid:
    """One Invalid for everything wrong: the kind's own code when there is one kind of problem,
    `invalid_csv` when there are several; `problems` groups them by kind either way."""
    found = sorted(found, key=lambda problem: problem.line)
    by_code: dict[ErrorCode, list[_Problem]] = defaultdict(list)
    for problem in found:
        by_code[problem.code].append(problem)
    groups = [(code, by_code[code]) for code in _PROBLEM_ORDER if code in by_code]

    grouped = []
    for code, items in groups:
        entry: dict[str, Any] = {"code": code, "message": _summary(code, items)}
        if seats := _unique(problem.seat for problem in items):
            entry["seats"] = seats[:MAX_REPORTED]
        if sections := _unique(problem.section for problem in items):
            entry["sections"] = sections[:MAX_REPORTED]
        entry["lines"] = _unique(problem.line for problem in items)[:MAX_REPORTED]
        grouped.append(entry)

    details: dict[str, Any] = {
        "lines": [
            {"line": problem.line, "message": problem.message} for problem in found[:MAX_REPORTED]
        ]
    }
    if seats := _unique(problem.seat for problem in found):
        details["seats"] = seats[:MAX_REPORTED]
    if sections := _unique(problem.section for problem in found):
        details["sections"] = sections[:MAX_REPORTED]
    details["problems"] = grouped

    if len(grouped) == 1:
        return Invalid(grouped[0]["message"], code=grouped[0]["code"], **details)
    lines = len({problem.line for problem in found})
    kinds = " ".join(entry["message"] for entry in grouped)
    return Invalid(
        f"The CSV has problems on {lines} line{_s(lines)}. {kinds}",
        code=ErrorCode.INVALID_CSV,
        **details,
    )


def _summary(code: ErrorCode, items: list[_Problem]) -> str:
    if code == ErrorCode.DUPLICATE_SEAT:
        seats = _unique(problem.seat for problem in items)
        return f"{len(seats)} seat{_s(seats)} listed more than once: {_some(seats)}."
    if code == ErrorCode.UNKNOWN_CATEGORY:
        seats = _unique(problem.seat or f"the seat on line {problem.line}" for problem in items)
        return f"{len(seats)} seat{_s(seats)} with an unknown category: {_some(seats)}."
    if code == ErrorCode.SECTION_NOT_SEATED:
        sections = _unique(problem.section for problem in items)
        return f"General-admission section{_s(sections)} cannot take seats: {_some(sections)}."
    if len(items) == 1:
        return items[0].message
    lines = _unique(problem.line for problem in items)
    what = {
        ErrorCode.INVALID_CSV: "Unreadable values",
        ErrorCode.INVALID_SECTION_KEY: "Invalid section keys",
        ErrorCode.INVALID_LABEL: "Invalid row or seat labels",
    }[code]
    return f"{what} on line{_s(lines)} {_some(lines)}."


def _unique(values: Any) -> list[Any]:
    return [value for value in dict.fromkeys(values) if value is not None]


def _some(values: list[Any], shown: int = 5) -> str:
    listed = ", ".join(str(value) for value in values[:shown])
    return listed + (f" and {len(values) - shown} more" if len(values) > shown else "")


def _s(count: int | list[Any]) -> str:
    return "" if (count if isinstance(count, int) else len(count)) == 1 else "s"
