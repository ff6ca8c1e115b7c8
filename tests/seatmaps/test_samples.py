"""The shipped sample maps: in step with their builders, valid, and plausible venues."""

import math
from collections import defaultdict

import pytest

from seatmaps import samples
from seatmaps.document import (
    SeatMapDocument,
    absolute_position,
    ensure_valid,
    ga_capacity,
    placed_seats,
    seat_count,
)
from seatmaps.geometry import bounding_box

NAMES = ["theatre", "arena", "club"]


@pytest.fixture(scope="module")
def shipped() -> dict[str, SeatMapDocument]:
    return {name: samples.load_sample(name) for name in NAMES}


def test_the_files_are_what_the_builders_make_now(tmp_path, monkeypatch):
    in_repo = {name: samples.sample_path(name).read_text() for name in NAMES}
    monkeypatch.setattr(samples, "SAMPLE_DIR", tmp_path)
    samples.main()
    for name in NAMES:
        fresh = (tmp_path / f"{name}.json").read_text()
        assert fresh == in_repo[name], f"run `python -m seatmaps.samples` to refresh {name}.json"


def test_the_files_stay_a_reasonable_size():
    for name in NAMES:
        assert samples.sample_path(name).stat().st_size < 3_000_000


@pytest.mark.parametrize("name", NAMES)
def test_samples_are_valid(shipped, name):
    ensure_valid(shipped[name])


def test_unknown_sample():
    with pytest.raises(ValueError, match="stadium"):
        samples.load_sample("stadium")


def test_theatre_has_about_1200_seats_in_three_named_tiers(shipped):
    theatre = shipped["theatre"]
    assert 1_100 <= seat_count(theatre) <= 1_300
    assert ga_capacity(theatre) == 0
    tiers = {section.name.split()[0] for section in theatre.sections}
    assert tiers == {"Stalls", "Circle", "Balcony"}
    assert [shape.kind for shape in theatre.shapes].count("stage") == 1


def test_theatre_rows_are_curved_towards_the_stage(shipped):
    stalls = shipped["theatre"].section("stalls-c")
    assert stalls is not None
    front = stalls.rows[0].seats
    middle = front[len(front) // 2]
    assert front[0].y < middle.y and front[-1].y < middle.y


def test_theatre_numbers_odd_left_and_even_right_from_the_aisle(shipped):
    theatre = shipped["theatre"]
    seats = {placed.ref: placed for placed in placed_seats(theatre)}
    house_left = theatre.section("stalls-l")
    assert house_left is not None
    assert [seat.label for seat in house_left.rows[0].seats][-3:] == ["5", "3", "1"]
    # Seat 1 house left and seat 2 house right are both next to the centre block.
    assert seats["stalls-l/A/1"].x < seats["stalls-c/A/101"].x
    assert seats["stalls-r/A/2"].x > seats["stalls-c/A/116"].x
    assert seats["stalls-l/A/1"].x > seats["stalls-l/A/15"].x
    assert seats["stalls-r/A/2"].x < seats["stalls-r/A/16"].x


def test_theatre_has_accessible_companion_and_restricted_seats(shipped):
    theatre = shipped["theatre"]
    placed = list(placed_seats(theatre))
    accessible = {p.ref for p in placed if p.seat.accessible}
    companions = {p.ref for p in placed if p.seat.companion}
    restricted = [p for p in placed if p.seat.restricted_view]
    assert "stalls-l/T/1" in accessible and "stalls-l/T/3" in companions
    assert len(accessible) == len(companions) >= 4
    assert restricted
    assert {p.section.key for p in restricted} == {"balcony"}
    assert {p.seat.category for p in restricted} == {"restricted"}
    assert {p.seat.category for p in placed} == {"premium", "standard", "economy", "restricted"}


def test_arena_has_a_standing_floor_in_front_of_the_stage(shipped):
    arena = shipped["arena"]
    floors = [section for section in arena.sections if section.kind == "ga"]
    assert len(floors) == 1 and floors[0].area is not None
    assert floors[0].area.category == "standing"
    assert 3_500 <= floors[0].area.capacity <= 4_500
    stage = next(shape for shape in arena.shapes if shape.kind == "stage")
    floor_box = bounding_box(
        absolute_position(floors[0], point.x, point.y) for point in floors[0].area.polygon
    )
    assert floor_box is not None
    assert stage.y + stage.height <= floor_box.min_y


def test_arena_seats_about_20000_in_rotated_blocks(shipped):
    arena = shipped["arena"]
    assert 14_000 <= seat_count(arena) <= 18_000
    assert 18_000 <= seat_count(arena) + ga_capacity(arena) <= 22_000
    seated = [section for section in arena.sections if section.kind == "seated"]
    assert len(seated) >= 16
    assert len({section.rotation for section in seated}) >= 8
    assert len(arena.categories) >= 4


def test_club_is_standing_only_with_a_bar_and_a_stage(shipped):
    club = shipped["club"]
    assert seat_count(club) == 0
    assert all(section.kind == "ga" for section in club.sections)
    assert 1 <= len(club.sections) <= 2
    assert 0 < ga_capacity(club) <= 2_000
    assert {"stage", "rect"} <= {shape.kind for shape in club.shapes}
    assert any(shape.text == "Bar" for shape in club.shapes)


@pytest.mark.parametrize("name", ["theatre", "arena"])
def test_no_two_seats_overlap(shipped, name):
    # Seats are 30 apart in a row and 35 between rows; curving shortens the chord a little.
    closest = 25.0
    cells: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for placed in placed_seats(shipped[name]):
        cells[(int(placed.x // closest), int(placed.y // closest))].append((placed.x, placed.y))
    for (cx, cy), points in cells.items():
        neighbours = [
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in cells.get((cx + dx, cy + dy), [])
        ]
        for point in points:
            near = [other for other in neighbours if math.dist(point, other) < closest]
            assert near == [point], f"seats crowd together at {point}"


@pytest.mark.parametrize("name", NAMES)
def test_no_seat_stands_on_the_stage_or_a_standing_area(shipped, name):
    document = shipped[name]
    boxes = [
        bounding_box([(shape.x, shape.y), (shape.x + shape.width, shape.y + shape.height)])
        for shape in document.shapes
        if shape.kind == "stage"
    ]
    boxes += [
        bounding_box(absolute_position(section, p.x, p.y) for p in section.area.polygon)
        for section in document.sections
        if section.area is not None
    ]
    for placed in placed_seats(document):
        for box in boxes:
            assert box is not None
            inside = box.min_x <= placed.x <= box.max_x and box.min_y <= placed.y <= box.max_y
            assert not inside, placed.ref
