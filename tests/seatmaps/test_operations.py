"""Editor operations: geometry, labels, refusals and purity (no database)."""

import itertools
import math

import pytest

from boxoffice.errors import Invalid, NotFound
from seatmaps.document import Row, SeatMapDocument, ensure_valid, placed_seats
from seatmaps.geometry import bend_onto_arc, bounding_box, rotate_point
from seatmaps.operations import OPERATIONS, Operation, run_operation


def apply(document: SeatMapDocument, operation: str, /, **params) -> SeatMapDocument:
    return run_operation(document, operation, params)


def categories() -> SeatMapDocument:
    document = SeatMapDocument()
    document = apply(document, "upsert_category", key="standard", name="Standard", color="#2a9d8f")
    return apply(document, "upsert_category", key="premium", name="Premium", color="#7b2cbf")


def grid(rows: int = 3, seats: int = 4, **extra) -> SeatMapDocument:
    params = {
        "key": "stalls",
        "name": "Stalls",
        "rows": rows,
        "seats_per_row": seats,
        "category": "standard",
        "x": 100,
        "y": 200,
    }
    return apply(categories(), "add_section", **(params | extra))


def with_floor(document: SeatMapDocument) -> SeatMapDocument:
    return apply(
        document,
        "add_ga_section",
        key="floor",
        name="Floor",
        capacity=500,
        category="standard",
        x=0,
        y=0,
        width=300,
        height=120,
    )


def positions(document: SeatMapDocument) -> dict[str, tuple[float, float]]:
    return {placed.ref: (placed.x, placed.y) for placed in placed_seats(document)}


def seat_xy(document: SeatMapDocument, section: str, row: str) -> list[tuple[float, float]]:
    found = document.section(section)
    assert found is not None
    return [(seat.x, seat.y) for seat in next(r for r in found.rows if r.label == row).seats]


def labels(document: SeatMapDocument, section: str = "stalls") -> dict[str, list[str]]:
    found = document.section(section)
    assert found is not None
    return {row.label: [seat.label for seat in row.seats] for row in found.rows}


def assert_positions_close(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for ref, (x, y) in expected.items():
        assert actual[ref] == pytest.approx((x, y), abs=0.01), ref


def refusal(document: SeatMapDocument, operation: str, /, **params) -> Invalid:
    with pytest.raises(Invalid) as caught:
        apply(document, operation, **params)
    return caught.value


# --- add_section / add_ga_section ---------------------------------------------------------------


def test_add_section_lays_out_a_grid_from_the_section_origin():
    document = grid(rows=2, seats=3, seat_spacing=25, row_spacing=40, rotation=15)
    section = document.sections[0]
    assert (section.key, section.name, section.kind) == ("stalls", "Stalls", "seated")
    assert (section.x, section.y, section.rotation) == (100, 200, 15)
    assert seat_xy(document, "stalls", "A") == [(0, 0), (25, 0), (50, 0)]
    assert seat_xy(document, "stalls", "B") == [(0, 40), (25, 40), (50, 40)]
    assert labels(document) == {"A": ["1", "2", "3"], "B": ["1", "2", "3"]}
    assert {seat.category for row in section.rows for seat in row.seats} == {"standard"}
    ensure_valid(document)


def test_add_section_applies_the_numbering_schemes():
    document = grid(
        rows=3,
        seats=3,
        seat_numbering={"scheme": "odd", "direction": "rtl"},
        row_labels={"start": "H", "direction": "back_to_front"},
    )
    # Front row first in the document; with back_to_front the front row gets the last label.
    assert [row.label for row in document.sections[0].rows] == ["K", "J", "H"]
    assert labels(document)["K"] == ["5", "3", "1"]


def test_add_section_refuses_a_taken_key_and_an_unknown_category():
    assert (
        refusal(
            grid(),
            "add_section",
            key="stalls",
            name="Again",
            rows=1,
            seats_per_row=1,
            category="standard",
        ).code
        == "section_exists"
    )
    error = refusal(
        categories(), "add_section", key="b", name="B", rows=1, seats_per_row=1, category="vip"
    )
    assert error.code == "unknown_category"
    assert error.details["categories"] == ["vip"]


def test_add_section_refuses_more_seats_than_a_map_may_have():
    error = refusal(
        categories(),
        "add_section",
        key="b",
        name="B",
        rows=500,
        seats_per_row=500,
        category="standard",
    )
    assert error.code == "too_many_seats"


def test_add_ga_section_is_a_rectangle_with_a_capacity():
    document = with_floor(categories())
    floor = document.section("floor")
    assert floor is not None and floor.kind == "ga" and floor.rows == []
    assert floor.area is not None
    assert (floor.area.capacity, floor.area.category) == (500, "standard")
    assert [(p.x, p.y) for p in floor.area.polygon] == [(0, 0), (300, 0), (300, 120), (0, 120)]
    ensure_valid(document)


# --- curve ------------------------------------------------------------------------------------


def test_curve_keeps_the_middle_seat_and_brings_the_row_ends_toward_the_stage():
    document = apply(grid(rows=2, seats=5), "curve", section="stalls", radius=200)
    front = seat_xy(document, "stalls", "A")
    assert front[2] == (60, 0)
    assert front[0][1] < 0 and front[4][1] < 0
    assert front[0][1] == pytest.approx(front[4][1])
    assert front[0][0] - 60 == pytest.approx(-(front[4][0] - 60))
    assert front[1][1] > front[0][1]


def test_curve_puts_rows_on_concentric_arcs_keeping_the_spacing_along_them():
    radius = 200
    document = apply(grid(rows=3, seats=5), "curve", section="stalls", radius=radius)
    centre = (60, -radius)
    for depth, row in enumerate("ABC"):
        arc = radius + 35 * depth
        seats = seat_xy(document, "stalls", row)
        for x, y in seats:
            assert math.dist((x, y), centre) == pytest.approx(arc, abs=0.01)
        angles = [math.atan2(x - centre[0], y - centre[1]) for x, y in seats]
        for left, right in itertools.pairwise(angles):
            assert (right - left) * arc == pytest.approx(30, abs=0.01)
        # The chord between neighbours is a hair shorter than the arc, never longer.
        for a, b in itertools.pairwise(seats):
            assert 29.9 < math.dist(a, b) <= 30


def test_curve_matches_the_arc_formula():
    document = apply(grid(rows=2, seats=3), "curve", section="stalls", radius=100)
    expected = bend_onto_arc(0, 35, centre_x=30, front_y=0, radius=100)
    assert seat_xy(document, "stalls", "B")[0] == pytest.approx(expected, abs=0.001)
    r = 135
    assert expected == pytest.approx((30 + r * math.sin(-30 / r), -100 + r * math.cos(-30 / r)))


def test_curve_can_bend_chosen_rows_only():
    document = apply(grid(rows=3, seats=5), "curve", section="stalls", rows=["B"], radius=200)
    assert seat_xy(document, "stalls", "A") == seat_xy(grid(rows=3, seats=5), "stalls", "A")
    assert seat_xy(document, "stalls", "B")[0][1] < 35


def test_curve_refusals_name_the_section_or_rows():
    assert refusal(grid(), "curve", section="circle", radius=100).details == {
        "sections": ["circle"]
    }
    error = refusal(grid(), "curve", section="stalls", rows=["A", "Q"], radius=100)
    assert (error.code, error.details["rows"]) == ("unknown_rows", ["stalls/Q"])
    error = refusal(with_floor(categories()), "curve", section="floor", radius=100)
    assert error.code == "not_seated_section"


def test_curve_refuses_a_radius_that_bends_a_row_back_on_itself():
    error = refusal(grid(rows=2, seats=21), "curve", section="stalls", radius=50)
    assert error.code == "curve_too_tight"
    assert error.details["rows"] == ["stalls/A", "stalls/B"]
    apply(grid(rows=2, seats=21), "curve", section="stalls", radius=200)


# --- move / rotate ----------------------------------------------------------------------------


def test_move_a_whole_section_moves_its_origin_only():
    document = apply(grid(rotation=30), "move", selection={"sections": ["stalls"]}, dx=10, dy=-5)
    assert (document.sections[0].x, document.sections[0].y) == (110, 195)
    assert seat_xy(document, "stalls", "A") == seat_xy(grid(), "stalls", "A")


def test_move_seats_of_a_rotated_section_moves_them_by_the_map_delta():
    before = grid(rotation=30)
    document = apply(
        before, "move", selection={"rows": ["stalls/B"], "seats": ["stalls/A/1"]}, dx=10, dy=-5
    )
    old, new = positions(before), positions(document)
    moved = {"stalls/A/1"} | {f"stalls/B/{n}" for n in range(1, 5)}
    for ref, (x, y) in old.items():
        expected = (x + 10, y - 5) if ref in moved else (x, y)
        assert new[ref] == pytest.approx(expected, abs=0.01), ref


def test_a_seat_selected_twice_moves_once():
    document = apply(
        grid(), "move", selection={"rows": ["stalls/A"], "seats": ["stalls/A/1"]}, dx=10
    )
    assert seat_xy(document, "stalls", "A")[0] == (10, 0)


def test_rotate_a_whole_section_about_a_point_keeps_its_seats_consistent():
    before = grid(rotation=30)
    document = apply(
        before, "rotate", selection={"sections": ["stalls"]}, degrees=90, origin={"x": 0, "y": 0}
    )
    section = document.sections[0]
    assert section.rotation == 120
    assert (section.x, section.y) == pytest.approx((-200, 100))
    expected = {ref: rotate_point(x, y, 90) for ref, (x, y) in positions(before).items()}
    assert_positions_close(positions(document), expected)


def test_rotation_is_kept_within_a_turn():
    document = apply(grid(rotation=300), "rotate", selection={"sections": ["stalls"]}, degrees=90)
    assert document.sections[0].rotation == 30
    document = apply(grid(), "rotate", selection={"sections": ["stalls"]}, degrees=-90)
    assert document.sections[0].rotation == 270


def test_rotate_seats_of_a_rotated_section_about_a_map_point():
    before = grid(rotation=45)
    origin = (150, 260)
    document = apply(
        before,
        "rotate",
        selection={"rows": ["stalls/A"]},
        degrees=-30,
        origin={"x": origin[0], "y": origin[1]},
    )
    assert document.sections[0].rotation == 45
    expected = {
        ref: rotate_point(x, y, -30, origin) if ref.startswith("stalls/A/") else (x, y)
        for ref, (x, y) in positions(before).items()
    }
    assert_positions_close(positions(document), expected)


def test_rotate_turns_about_the_selection_centre_by_default():
    before = grid(rotation=20)
    document = apply(before, "rotate", selection={"sections": ["stalls"]}, degrees=180)
    old_box = bounding_box(positions(before).values())
    new_box = bounding_box(positions(document).values())
    assert old_box is not None and new_box is not None
    assert new_box.centre == pytest.approx(old_box.centre, abs=0.01)
    # Half a turn swaps the ends of the front row.
    old, new = positions(before), positions(document)
    assert new["stalls/A/1"] == pytest.approx(
        rotate_point(*old["stalls/A/1"], 180, old_box.centre), abs=0.01
    )


def test_rotate_a_ga_section_about_its_area_centre():
    document = apply(
        with_floor(categories()), "rotate", selection={"sections": ["floor"]}, degrees=180
    )
    floor = document.section("floor")
    assert floor is not None
    assert (floor.x, floor.y, floor.rotation) == (300, 120, 180)


# --- duplicate --------------------------------------------------------------------------------


def test_duplicate_copies_a_section_under_a_new_key_offset():
    before = grid(rotation=10)
    document = apply(
        before, "duplicate", section="stalls", key="stalls-2", name="Stalls 2", dx=500, dy=0
    )
    copy = document.section("stalls-2")
    assert copy is not None
    assert (copy.name, copy.x, copy.y, copy.rotation) == ("Stalls 2", 600, 200, 10)
    assert labels(document, "stalls-2") == labels(document, "stalls")
    assert seat_xy(document, "stalls-2", "C") == seat_xy(document, "stalls", "C")
    ensure_valid(document)
    copy.rows[0].seats[0].x = 999
    assert document.sections[0].rows[0].seats[0].x == 0


def test_duplicate_refusals():
    error = refusal(grid(), "duplicate", section="stalls", key="stalls", name="Again")
    assert (error.code, error.details["sections"]) == ("section_exists", ["stalls"])
    error = refusal(grid(), "duplicate", section="circle", key="c2", name="C2")
    assert (error.code, error.details["sections"]) == ("unknown_section", ["circle"])


# --- renumber ---------------------------------------------------------------------------------


def test_renumber_labels_seats_left_to_right_by_x():
    document = apply(grid(seats=4), "move", selection={"seats": ["stalls/A/1"]}, dx=200)
    document = apply(
        document, "renumber", section="stalls", rows=["A"], seat_numbering={"start": 11}
    )
    # The seat moved to the right end now carries the highest number.
    assert labels(document)["A"] == ["14", "11", "12", "13"]
    assert labels(document)["B"] == ["1", "2", "3", "4"]


def test_renumber_with_schemes_and_a_curve():
    document = apply(grid(seats=5), "curve", section="stalls", radius=150)
    document = apply(
        document,
        "renumber",
        section="stalls",
        seat_numbering={"scheme": "even", "direction": "rtl"},
    )
    assert labels(document)["C"] == ["10", "8", "6", "4", "2"]


def test_renumber_relabels_rows_front_to_back_by_mean_y():
    document = apply(grid(), "move", selection={"rows": ["stalls/A"]}, dy=100)
    document = apply(
        document, "renumber", section="stalls", row_labels={"scheme": "numbers", "start": "1"}
    )
    rows = {row.label: row.seats[0].y for row in document.sections[0].rows}
    assert rows == {"3": 100, "1": 35, "2": 70}


def test_renumber_refuses_row_labels_that_clash_with_other_rows():
    error = refusal(grid(), "renumber", section="stalls", rows=["C"], row_labels={"start": "A"})
    assert (error.code, error.details["rows"]) == ("duplicate_row", ["stalls/A"])


def test_renumber_refuses_impossible_numbering():
    error = refusal(grid(), "renumber", section="stalls", row_labels={"start": "O"})
    assert error.code == "invalid_numbering"


# --- categories and flags ---------------------------------------------------------------------


def test_assign_category_to_seats_rows_and_a_ga_area():
    document = apply(
        with_floor(grid()),
        "assign_category",
        selection={"sections": ["floor"], "rows": ["stalls/A"], "seats": ["stalls/C/4"]},
        category="premium",
    )
    premium = {placed.ref for placed in placed_seats(document) if placed.seat.category == "premium"}
    assert premium == {f"stalls/A/{n}" for n in range(1, 5)} | {"stalls/C/4"}
    floor = document.section("floor")
    assert floor is not None and floor.area is not None and floor.area.category == "premium"


def test_assign_category_refusals_name_what_is_missing():
    error = refusal(grid(), "assign_category", selection={"sections": ["stalls"]}, category="vip")
    assert (error.code, error.details["categories"]) == ("unknown_category", ["vip"])
    error = refusal(
        grid(),
        "assign_category",
        selection={"seats": ["stalls/A/1", "stalls/A/9", "stalls/Z/1", "nowhere/A/1"]},
        category="premium",
    )
    assert error.code == "unknown_seats"
    assert error.details["seats"] == ["stalls/A/9", "stalls/Z/1", "nowhere/A/1"]
    assert "stalls/A/9" in error.message
    error = refusal(
        grid(), "assign_category", selection={"rows": ["stalls/Q", "stalls"]}, category="premium"
    )
    assert (error.code, error.details["rows"]) == ("unknown_rows", ["stalls/Q", "stalls"])
    error = refusal(
        grid(), "assign_category", selection={"sections": ["circle"]}, category="premium"
    )
    assert (error.code, error.details["sections"]) == ("unknown_section", ["circle"])


def test_set_seat_flags_marks_only_the_named_flags():
    document = apply(grid(), "set_seat_flags", selection={"seats": ["stalls/C/1"]}, accessible=True)
    document = apply(
        document,
        "set_seat_flags",
        selection={"seats": ["stalls/C/1", "stalls/C/2"]},
        companion=True,
    )
    seats = {p.ref: p.seat for p in placed_seats(document)}
    assert (seats["stalls/C/1"].accessible, seats["stalls/C/1"].companion) == (True, True)
    assert (seats["stalls/C/2"].accessible, seats["stalls/C/2"].companion) == (False, True)
    assert not seats["stalls/C/1"].restricted_view


def test_set_seat_flags_needs_a_flag_and_seats():
    with pytest.raises(Invalid) as caught:
        apply(grid(), "set_seat_flags", selection={"sections": ["stalls"]})
    assert caught.value.code == "invalid_operation_params"
    error = refusal(
        with_floor(grid()), "set_seat_flags", selection={"sections": ["floor"]}, accessible=True
    )
    assert error.code == "no_seats_selected"


def test_upsert_category_adds_then_changes():
    document = apply(categories(), "upsert_category", key="premium", name="Gold", color="#ffd700")
    assert [(c.key, c.name, c.color) for c in document.categories] == [
        ("standard", "Standard", "#2a9d8f"),
        ("premium", "Gold", "#ffd700"),
    ]


def test_delete_category_removes_an_unused_one():
    document = apply(grid(), "delete_category", key="premium")
    assert [c.key for c in document.categories] == ["standard"]


def test_delete_category_refuses_while_seats_or_areas_use_it():
    document = with_floor(grid(rows=1, seats=2))
    error = refusal(document, "delete_category", key="standard")
    assert error.code == "category_in_use"
    assert error.details == {"seats": ["stalls/A/1", "stalls/A/2"], "sections": ["floor"]}
    assert refusal(document, "delete_category", key="vip").code == "unknown_category"


# --- delete -----------------------------------------------------------------------------------


def test_delete_seats_drops_rows_left_empty():
    document = apply(
        grid(rows=3, seats=2),
        "delete",
        selection={"seats": ["stalls/A/1", "stalls/B/1", "stalls/B/2"], "rows": ["stalls/C"]},
    )
    assert labels(document) == {"A": ["2"]}
    ensure_valid(document)


def test_delete_a_named_row_even_without_seats():
    document = grid(rows=1, seats=1)
    document.sections[0].rows.append(Row(label="Z"))
    document = apply(document, "delete", selection={"rows": ["stalls/Z"]})
    assert labels(document) == {"A": ["1"]}


def test_delete_whole_sections():
    document = apply(with_floor(grid()), "delete", selection={"sections": ["stalls"]})
    assert [section.key for section in document.sections] == ["floor"]


def test_delete_refuses_unknown_seats_and_changes_nothing():
    before = grid()
    error = refusal(before, "delete", selection={"seats": ["stalls/A/1", "stalls/A/77"]})
    assert error.details["seats"] == ["stalls/A/77"]
    assert len(labels(before)["A"]) == 4


# --- shapes and focal point -------------------------------------------------------------------


def test_shapes_and_focal_point():
    document = apply(
        categories(),
        "add_shape",
        shape={"kind": "stage", "x": 0, "y": 0, "width": 400, "height": 80},
    )
    document = apply(document, "add_shape", shape={"kind": "text", "text": "Exit"})
    document = apply(document, "delete_shape", index=0)
    assert [shape.kind for shape in document.shapes] == ["text"]
    document = apply(document, "set_focal_point", x=200, y=40)
    assert (document.focal_point.x, document.focal_point.y) == (200, 40)
    error = refusal(document, "delete_shape", index=1)
    assert (error.code, error.details["index"]) == ("unknown_shape", 1)


# --- purity and the registry ------------------------------------------------------------------

EXAMPLES = {
    "add_section": {"key": "b", "name": "B", "rows": 2, "seats_per_row": 2, "category": "standard"},
    "add_ga_section": {
        "key": "g",
        "name": "G",
        "capacity": 9,
        "category": "standard",
        "width": 10,
        "height": 10,
    },
    "curve": {"section": "stalls", "radius": 300},
    "move": {"selection": {"sections": ["stalls"], "seats": ["stalls/A/1"]}, "dx": 5, "dy": 5},
    "rotate": {"selection": {"sections": ["stalls"], "rows": ["stalls/B"]}, "degrees": 30},
    "duplicate": {"section": "stalls", "key": "copy", "name": "Copy", "dx": 300},
    "renumber": {"section": "stalls", "seat_numbering": {"start": 5}, "row_labels": {}},
    "assign_category": {"selection": {"sections": ["floor", "stalls"]}, "category": "premium"},
    "set_seat_flags": {"selection": {"rows": ["stalls/A"]}, "accessible": True},
    "delete": {"selection": {"sections": ["floor"], "rows": ["stalls/A"]}},
    "upsert_category": {"key": "standard", "name": "Std", "color": "#000000"},
    "delete_category": {"key": "premium"},
    "set_focal_point": {"x": 1, "y": 2},
    "add_shape": {"shape": {"kind": "rect", "width": 5, "height": 5}},
    "delete_shape": {"index": 0},
    "import_csv": {"csv": "section,row,seat,x,y,category\nbox,A,1,900,900,premium\n"},
}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operations_never_change_their_input(name):
    document = with_floor(grid())
    document = apply(document, "add_shape", shape={"kind": "stage", "width": 100, "height": 20})
    before = document.model_dump()
    changed = run_operation(document, name, EXAMPLES[name])
    assert document.model_dump() == before
    assert changed.model_dump() != before
    ensure_valid(changed)


def test_every_operation_has_an_example_and_a_summary():
    assert set(EXAMPLES) == set(OPERATIONS)
    for name, operation in OPERATIONS.items():
        assert isinstance(operation, Operation)
        assert operation.name == name
        assert operation.summary and len(operation.summary) < 80
        assert operation.params_model.model_json_schema()["type"] == "object"


def test_run_operation_refuses_an_unknown_operation():
    with pytest.raises(NotFound) as caught:
        run_operation(SeatMapDocument(), "import_everything", {})
    assert caught.value.code == "unknown_operation"


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"key": "b", "name": "B", "rows": 0, "seats_per_row": 2, "category": "s"}, ["rows"]),
        ({"key": "B!", "name": "B", "rows": 1, "seats_per_row": 2, "category": "s"}, ["key"]),
        (
            {
                "key": "b",
                "name": "B",
                "rows": 1,
                "seats_per_row": 2,
                "category": "s",
                "seat_spacing": float("inf"),
            },
            ["seat_spacing"],
        ),
        (
            {
                "key": "b",
                "name": "B",
                "rows": 1,
                "seats_per_row": 2,
                "category": "s",
                "colour": "red",
            },
            ["colour"],
        ),
        (
            {
                "key": "b",
                "name": "B",
                "rows": 1,
                "seats_per_row": 2,
                "category": "s",
                "row_labels": {"skip": ["i"]},
            },
            ["row_labels", "skip", "0"],
        ),
    ],
)
def test_run_operation_reports_bad_params_by_location(params, loc):
    with pytest.raises(Invalid) as caught:
        run_operation(categories(), "add_section", params)
    assert caught.value.code == "invalid_operation_params"
    assert caught.value.details["errors"][0]["loc"] == loc
    assert caught.value.details["errors"][0]["message"]


def test_an_empty_selection_is_invalid():
    with pytest.raises(Invalid) as caught:
        run_operation(grid(), "delete", {"selection": {}})
    assert caught.value.code == "invalid_operation_params"
    assert caught.value.details["errors"][0]["loc"] == ["selection"]


def test_run_operation_refuses_params_that_are_not_an_object():
    with pytest.raises(Invalid) as caught:
        run_operation(grid(), "move", ["stalls"])  # type: ignore[arg-type]
    assert caught.value.code == "invalid_operation_params"
