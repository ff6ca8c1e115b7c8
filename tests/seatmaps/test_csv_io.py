"""CSV import and CSV/JSON export of seat-map documents: pure functions, no database."""

import json

import pytest
from pydantic import ValidationError

from boxoffice.errors import Invalid
from seatmaps import csv_io
from seatmaps.csv_io import ImportCsvParams, export_csv, export_json, import_csv
from seatmaps.document import (
    Category,
    GeneralAdmissionArea,
    Point,
    Row,
    Seat,
    SeatMapDocument,
    Section,
    Shape,
    placed_seats,
    problems,
)

HEADER = "section,row,seat,x,y,category\n"


def categories() -> list[Category]:
    return [
        Category(key="premium", name="Premium", color="#7b2cbf"),
        Category(key="standard", name="Standard", color="#2a9d8f"),
    ]


def empty_document() -> SeatMapDocument:
    return SeatMapDocument(categories=categories())


def seat(label: str, x: float, y: float, category: str = "standard", **flags: bool) -> Seat:
    return Seat(label=label, x=x, y=y, category=category, **flags)


def venue_document() -> SeatMapDocument:
    """A plain block, a turned balcony away from the origin, a GA floor and a stage."""
    return SeatMapDocument(
        categories=categories(),
        sections=[
            Section(
                key="stalls",
                name="Stalls",
                rows=[
                    Row(
                        label="A",
                        seats=[seat("1", 0, 0, "premium", accessible=True), seat("2", 30, 0)],
                    ),
                    Row(label="B", seats=[seat("1", 0, 35, restricted_view=True)]),
                ],
            ),
            Section(
                key="balcony",
                name="Balcony",
                x=400,
                y=100,
                rotation=30,
                rows=[Row(label="A", seats=[seat("1", 0, 0), seat("2", 30, 0, companion=True)])],
            ),
            Section(
                key="floor",
                name="Floor",
                kind="ga",
                area=GeneralAdmissionArea(
                    capacity=300,
                    category="standard",
                    polygon=[Point(x=0, y=200), Point(x=300, y=200), Point(x=300, y=320)],
                ),
            ),
        ],
        shapes=[Shape(kind="stage", x=0, y=-100, width=300, height=60, text="Stage")],
    )


def refusal(document: SeatMapDocument, text: str, mode: str = "merge") -> Invalid:
    """Import `text`, expecting a refusal, and check the input document survived it unchanged."""
    before = document.model_dump()
    with pytest.raises(Invalid) as caught:
        import_csv(document, ImportCsvParams(csv=text, mode=mode))
    assert document.model_dump() == before
    return caught.value


def positions(document: SeatMapDocument) -> dict[str, tuple[float, float]]:
    return {
        placed.ref: (round(placed.x, 2), round(placed.y, 2)) for placed in placed_seats(document)
    }


# Importing --------------------------------------------------------------------------------------


def test_import_into_an_empty_document_creates_sections_rows_and_seats():
    text = (
        "section,row,seat,x,y,category,accessible,section_name\n"
        "stalls,B,2,40,35,standard,,Parterre\n"
        "stalls,A,2,30,0,premium,yes,\n"
        "stalls,A,1,0,0,premium,TRUE,Parterre\n"
        "upper-circle,A,1,500,20.5,standard,0,\n"
        "stalls,B,1,10,35,standard,no,\n"
    )
    document = empty_document()

    result = import_csv(document, ImportCsvParams(csv=text))

    assert document.sections == []
    assert [(s.key, s.name, s.kind, s.x, s.y, s.rotation) for s in result.sections] == [
        ("stalls", "Parterre", "seated", 0, 0, 0),
        ("upper-circle", "Upper Circle", "seated", 0, 0, 0),
    ]
    stalls = result.sections[0]
    # Rows in order of first appearance, seats within a row by x.
    assert [row.label for row in stalls.rows] == ["B", "A"]
    assert [(s.label, s.x, s.y) for s in stalls.rows[0].seats] == [("1", 10, 35), ("2", 40, 35)]
    assert [(s.label, s.category, s.accessible) for s in stalls.rows[1].seats] == [
        ("1", "premium", True),
        ("2", "premium", True),
    ]
    assert result.sections[1].rows[0].seats == [seat("1", 500, 20.5)]
    assert problems(result) == []


def test_import_into_a_turned_section_converts_into_its_frame():
    document = venue_document()
    text = HEADER + "balcony,C,1,410.5,120,standard\nbalcony,C,2,437.25,135.75,standard\n"

    result = import_csv(document, ImportCsvParams(csv=text))

    balcony = result.section("balcony")
    assert (balcony.name, balcony.x, balcony.y, balcony.rotation) == ("Balcony", 400, 100, 30)
    placed = {p.ref: (p.x, p.y) for p in placed_seats(result)}
    assert placed["balcony/C/1"] == pytest.approx((410.5, 120), abs=1e-3)
    assert placed["balcony/C/2"] == pytest.approx((437.25, 135.75), abs=1e-3)
    # Stored relative to the section, not as given.
    assert balcony.rows[-1].seats[0].x != 410.5


def test_merge_updates_listed_seats_and_adds_new_ones():
    document = venue_document()
    text = (
        "section,row,seat,x,y,category,restricted_view\n"
        "stalls,A,2,60,5,premium,true\n"
        "stalls,A,3,45,0,standard,\n"
        "stalls,C,1,0,70,standard,\n"
    )
    before = document.model_copy(deep=True)

    result = import_csv(document, ImportCsvParams(csv=text, mode="merge"))

    assert document == before
    stalls = result.section("stalls")
    assert [row.label for row in stalls.rows] == ["A", "B", "C"]
    row_a = stalls.rows[0]
    assert [s.label for s in row_a.seats] == ["1", "3", "2"]
    assert row_a.seats[0] == document.section("stalls").rows[0].seats[0]
    # Position, category and the flags the file has are updated; the others are kept.
    assert row_a.seats[2] == seat("2", 60, 5, "premium", restricted_view=True)
    assert stalls.rows[1] == document.section("stalls").rows[1]
    assert stalls.rows[2].seats == [seat("1", 0, 70)]
    assert result.section("balcony") == document.section("balcony")
    assert result.section("floor") == document.section("floor")
    assert problems(result) == []


def test_merge_keeps_flags_of_updated_seats_when_the_file_has_no_flag_columns():
    document = venue_document()

    result = import_csv(document, ImportCsvParams(csv=HEADER + "stalls,A,1,5,0,standard\n"))

    assert result.section("stalls").rows[0].seats[0] == seat("1", 5, 0, accessible=True)


def test_replace_makes_the_file_the_full_set_of_seated_seats():
    document = venue_document()
    text = HEADER + "stalls,B,1,0,35,standard\nstalls,B,2,30,35,standard\n"

    result = import_csv(document, ImportCsvParams(csv=text, mode="replace"))

    # The unmentioned seated balcony is gone, stalls row A is gone; GA floor, shapes, categories
    # stay.
    assert [section.key for section in result.sections] == ["stalls", "floor"]
    assert [row.label for row in result.section("stalls").rows] == ["B"]
    assert positions(result) == {"stalls/B/1": (0, 35), "stalls/B/2": (30, 35)}
    assert result.section("floor") == document.section("floor")
    assert result.shapes == document.shapes
    assert result.categories == document.categories
    assert len(list(placed_seats(document))) == 5


def test_replace_keeps_the_frame_of_a_mentioned_section():
    document = venue_document()
    text = HEADER + "balcony,A,1,400,100,premium\n"

    result = import_csv(document, ImportCsvParams(csv=text, mode="replace"))

    balcony = result.section("balcony")
    assert (balcony.x, balcony.y, balcony.rotation) == (400, 100, 30)
    assert balcony.rows == [Row(label="A", seats=[seat("1", 0, 0, "premium")])]


def test_header_is_case_insensitive_and_extra_columns_come_in_any_order():
    text = (
        " Section ,ROW,Seat,X,y,Category,Section_Name,companion,,\n"
        "stalls,A,1,0,0,standard,Main floor,yes,,\n"
        ",,,,,,,,,\n"
        "\n"
    )

    result = import_csv(empty_document(), ImportCsvParams(csv=text))

    assert result.sections[0].name == "Main floor"
    assert result.sections[0].rows[0].seats == [seat("1", 0, 0, companion=True)]


def test_bom_quoted_fields_and_crlf_line_ends_are_read():
    text = (
        "\ufeffsection,row,seat,x,y,category,section_name\r\n"
        '"stalls","A","1","1.5","2",standard,"Stalls, left"\r\n'
        'stalls,A,"2""",3,2,standard,"Stalls, left"\r\n'
    )

    result = import_csv(empty_document(), ImportCsvParams(csv=text))

    assert result.sections[0].name == "Stalls, left"
    assert [s.label for s in result.sections[0].rows[0].seats] == ["1", '2"']


def test_params_forbid_unknown_fields_and_default_to_merge():
    assert ImportCsvParams(csv=HEADER).mode == "merge"
    with pytest.raises(ValidationError):
        ImportCsvParams(csv=HEADER, delimiter=";")
    with pytest.raises(ValidationError):
        ImportCsvParams(csv=HEADER, mode="append")


# Refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "section,row,seat,x,y\n",
        "section,row,seat,y,x,category\n",
        "section,row,seat,x,y,category,colour\n",
        "section,row,seat,x,y,category,accessible,accessible\n",
        "stalls,A,1,0,0,standard\n",
    ],
)
def test_a_wrong_header_is_refused(header):
    error = refusal(venue_document(), header + "stalls,A,1,0,0,standard\n")

    assert error.code == "invalid_csv_header"
    assert error.details["expected"] == ["section", "row", "seat", "x", "y", "category"]


@pytest.mark.parametrize("text", ["", "  \n\n", "\ufeff", HEADER, HEADER + ",,,,,\n\n"])
def test_an_empty_file_is_refused(text):
    assert refusal(venue_document(), text).code == "empty_csv"


def test_unreadable_numbers_are_refused_with_their_line_numbers():
    text = (
        HEADER
        + "stalls,A,1,0,0,standard\n"
        + "stalls,A,2,1.5.1,0,standard\n"
        + "stalls,A,3,0,nan,standard\n"
        + "stalls,A,4,,inf,standard\n"
        + "stalls,A,5,-1e7,0,standard\n"
    )

    error = refusal(venue_document(), text)

    assert error.code == "invalid_csv"
    assert error.details["lines"] == [
        {"line": 3, "message": "Line 3: x '1.5.1' is not a number."},
        {"line": 4, "message": "Line 4: y 'nan' is not a number."},
        {"line": 5, "message": "Line 5: x '' is not a number."},
        {"line": 5, "message": "Line 5: y 'inf' is not a number."},
        {"line": 6, "message": "Line 6: x -1e7 is beyond ±1,000,000."},
    ]
    assert "3, 4, 5, 6" in error.message


def test_line_numbers_count_lines_inside_quoted_fields():
    text = (
        "section,row,seat,x,y,category,section_name\n"
        'stalls,A,1,0,0,standard,"Two\nlines"\n'
        "stalls,A,2,x,0,standard,\n"
    )

    error = refusal(empty_document(), text)

    assert error.details["lines"] == [{"line": 4, "message": "Line 4: x 'x' is not a number."}]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("stalls,A,1,0,0\n", "Line 2 has 5 values; the header has 6."),
        ("stalls,A,1,0,0,standard,extra\n", "Line 2 has 7 values; the header has 6."),
        ('stalls,"A"B,1,0,0,standard\n', "Line 2: ',' expected after '\"'."),
        ('stalls,"A,1,0,0,standard\n', "Line 2: unexpected end of data."),
    ],
)
def test_malformed_lines_are_refused(line, expected):
    error = refusal(venue_document(), HEADER + line)

    assert error.code == "invalid_csv"
    assert error.details["lines"] == [{"line": 2, "message": expected}]


def test_bad_flag_values_and_conflicting_section_names_are_refused():
    text = (
        "section,row,seat,x,y,category,accessible,section_name\n"
        "gallery,A,1,0,0,standard,maybe,Gallery\n"
        "gallery,A,2,30,0,standard,,Gallery west\n"
        f"annex,A,1,0,0,standard,,{'n' * 65}\n"
    )

    error = refusal(empty_document(), text)

    assert error.code == "invalid_csv"
    assert [entry["line"] for entry in error.details["lines"]] == [2, 3, 4]
    assert "accessible 'maybe'" in error.details["lines"][0]["message"]
    assert "'Gallery west'" in error.details["lines"][1]["message"]


def test_seats_listed_twice_are_refused_by_reference_and_line():
    text = (
        HEADER
        + "stalls,A,1,0,0,standard\n"
        + "stalls,A,2,30,0,standard\n"
        + "stalls,A,1,60,0,standard\n"
        + "stalls,a,1,90,0,standard\n"
    )

    error = refusal(venue_document(), text)

    assert error.code == "duplicate_seat"
    assert error.details["seats"] == ["stalls/A/1"]
    assert [entry["line"] for entry in error.details["lines"]] == [2, 4]
    assert "stalls/A/1" in error.message


def test_unknown_categories_are_refused_naming_the_seats():
    text = HEADER + "stalls,A,1,0,0,vip\nstalls,A,2,30,0,standard\nstalls,A,3,60,0,\n"

    error = refusal(venue_document(), text)

    assert error.code == "unknown_category"
    assert error.details["seats"] == ["stalls/A/1", "stalls/A/3"]
    assert "stalls/A/1" in error.message
    assert "'vip'" in error.details["lines"][0]["message"]


def test_a_general_admission_section_cannot_take_seats():
    error = refusal(venue_document(), HEADER + "floor,A,1,0,0,standard\n", mode="replace")

    assert error.code == "section_not_seated"
    assert error.details["sections"] == ["floor"]
    assert error.details["lines"][0]["line"] == 2


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("Stalls,A,1,0,0,standard\n", "invalid_section_key"),
        ("stalls box,A,1,0,0,standard\n", "invalid_section_key"),
        (",A,1,0,0,standard\n", "invalid_section_key"),
        ("stalls,A/B,1,0,0,standard\n", "invalid_label"),
        ("stalls,A,,0,0,standard\n", "invalid_label"),
        ("stalls,A,12345678901234567,0,0,standard\n", "invalid_label"),
    ],
)
def test_keys_and_labels_must_match_the_document_patterns(line, code):
    error = refusal(venue_document(), HEADER + line)

    assert error.code == code
    assert error.details["lines"][0]["line"] == 2


def test_several_kinds_of_problem_are_reported_together():
    text = (
        HEADER
        + "stalls,A,1,zero,0,standard\n"
        + "stalls,A,9,0,0,vip\n"
        + "floor,A,1,0,0,standard\n"
        + "stalls,A,9,30,0,standard\n"
    )

    error = refusal(venue_document(), text)

    assert error.code == "invalid_csv"
    assert [(p["code"], p["lines"]) for p in error.details["problems"]] == [
        ("invalid_csv", [2]),
        ("section_not_seated", [4]),
        ("duplicate_seat", [3, 5]),
        ("unknown_category", [3]),
    ]
    assert error.details["seats"] == ["stalls/A/9"]
    assert "4 lines" in error.message


def test_too_many_seats_are_refused(monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_SEATS", 6)
    error = refusal(
        venue_document(), HEADER + "stalls,C,1,0,70,standard\nstalls,C,2,30,70,standard\n"
    )
    assert error.code == "too_many_seats"

    lines = "".join(f"new,A,{n},{n},0,standard\n" for n in range(1, 8))
    assert refusal(empty_document(), HEADER + lines).code == "too_many_seats"


def test_too_many_sections_are_refused(monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_SECTIONS", 4)
    text = HEADER + "one,A,1,0,0,standard\ntwo,A,1,0,0,standard\n"

    assert refusal(venue_document(), text).code == "too_many_sections"


def test_a_refused_import_leaves_the_document_untouched():
    document = venue_document()
    before = document.model_copy(deep=True)
    text = HEADER + "stalls,A,1,90,90,premium\nballroom,A,1,0,0,standard\nstalls,A,2,x,0,standard\n"

    with pytest.raises(Invalid):
        import_csv(document, ImportCsvParams(csv=text, mode="replace"))

    assert document == before


# Exporting --------------------------------------------------------------------------------------


def test_export_csv_lists_every_seat_with_absolute_coordinates():
    document = SeatMapDocument(
        categories=categories(),
        sections=[
            Section(
                key="stalls",
                name="Stalls, left",
                x=10,
                y=20,
                rows=[
                    Row(
                        label="A",
                        # -10.004 lands at x -0.004, which must not print as "-0".
                        seats=[seat("1", 0, 0, "premium", accessible=True), seat("2", -10.004, 0)],
                    )
                ],
            ),
            Section(
                key="box",
                name="Box",
                x=100,
                y=0,
                rotation=90,
                rows=[Row(label="1", seats=[seat('2"', 10.5, 0.3333, companion=True)])],
            ),
        ],
    )

    assert export_csv(document) == (
        "section,row,seat,x,y,category,accessible,restricted_view,companion,section_name\n"
        'stalls,A,1,10,20,premium,true,false,false,"Stalls, left"\n'
        'stalls,A,2,0,20,standard,false,false,false,"Stalls, left"\n'
        'box,1,"2""",99.67,10.5,standard,false,false,true,Box\n'
    )


def test_export_of_a_document_without_seats_is_the_header():
    assert export_csv(empty_document()) == (
        "section,row,seat,x,y,category,accessible,restricted_view,companion,section_name\n"
    )


def test_an_exported_csv_imports_back_to_the_same_seats():
    document = venue_document()
    document.section("balcony").rows[0].seats[1].x = 31.237
    document.section("stalls").rows[0].seats[1].restricted_view = True

    copy = import_csv(empty_document(), ImportCsvParams(csv=export_csv(document), mode="replace"))

    def seats(doc: SeatMapDocument) -> list[tuple]:
        return sorted(
            (
                placed.ref,
                round(placed.x, 2),
                round(placed.y, 2),
                placed.seat.category,
                placed.seat.accessible,
                placed.seat.restricted_view,
                placed.seat.companion,
                placed.section.name,
            )
            for placed in placed_seats(doc)
        )

    assert seats(copy) == seats(document)
    assert sorted(export_csv(copy).splitlines()) == sorted(export_csv(document).splitlines())


def test_export_json_is_compact_and_parses_back_to_an_equal_document():
    document = venue_document()

    text = export_json(document)

    assert "\n" not in text
    assert ": " not in text
    assert json.loads(text)["sections"][1]["rotation"] == 30
    assert SeatMapDocument.model_validate_json(text) == document
