"""Every validation problem of a seat-map document, named with the seats or sections at fault."""

import pytest

from boxoffice.errors import Invalid
from seatmaps.document import (
    MAX_SEATS,
    GeneralAdmissionArea,
    Point,
    Row,
    Seat,
    Section,
    absolute_position,
    ensure_valid,
    focal_point,
    parse_document,
    placed_seats,
    problems,
)
from tests.builders.seatmaps import CATEGORIES, grid_document


def codes(document) -> dict[str, dict]:
    return {problem.code: problem.as_dict() for problem in problems(document)}


def ga(key: str, capacity: int = 100, category: str = "standard", points: int = 4) -> Section:
    polygon = [Point(x=i * 10, y=(i % 2) * 10) for i in range(points)]
    return Section(
        key=key, name=key.title(), kind="ga",
        area=GeneralAdmissionArea(capacity=capacity, category=category, polygon=polygon),
    )  # fmt: skip


def test_a_good_document_has_no_problems():
    document = grid_document(3, 4, with_floor=True)
    assert problems(document) == []
    assert ensure_valid(document) is document


def test_duplicate_seats_rows_sections_and_categories_are_named():
    document = grid_document(2, 3)
    document.sections[0].rows[1].seats[2].label = "2"
    document.sections.append(document.sections[0].model_copy(deep=True))
    document.sections[1].rows[1].label = "A"
    document.categories.append(CATEGORIES[0])
    found = codes(document)
    assert found["duplicate_seat"]["seats"] == [
        "stalls/A/1",
        "stalls/A/2",
        "stalls/A/3",
        "stalls/B/2",
    ]
    assert found["duplicate_section"]["sections"] == ["stalls"]
    assert found["duplicate_row"]["sections"] == ["stalls"]
    assert "premium" in found["duplicate_category"]["message"]


def test_unknown_categories_are_named_for_seats_and_areas():
    document = grid_document(1, 3)
    document.sections[0].rows[0].seats[1].category = "vip"
    document.sections.append(ga("floor", category="standing"))
    found = problems(document)
    assert [p.seats for p in found if p.code == "unknown_category" and p.seats] == [["stalls/A/2"]]
    assert [p.sections for p in found if p.code == "unknown_category" and p.sections] == [["floor"]]


def test_general_admission_rules():
    document = grid_document(1, 1)
    document.sections += [
        ga("zero", capacity=0),
        ga("line", points=2),
        Section(key="bare", name="Bare", kind="ga"),
        ga("rows").model_copy(update={"rows": [Row(label="A")]}),
    ]
    document.sections[0].area = GeneralAdmissionArea(capacity=5, category="standard")
    found = problems(document)
    by_code = {p.code: p.sections for p in found}
    assert by_code["ga_capacity_not_positive"] == ["zero"]
    assert by_code["ga_polygon_too_small"] == ["line"]
    assert by_code["ga_section_without_area"] == ["bare"]
    assert by_code["ga_section_has_rows"] == ["rows"]
    assert by_code["seated_section_has_area"] == ["stalls"]


def test_limits_on_seats_and_capacity():
    document = grid_document(1, 1)
    row = document.sections[0].rows[0]
    row.seats = [Seat(label=str(n), x=n, y=0, category="standard") for n in range(MAX_SEATS + 1)]
    document.sections.append(ga("floor", capacity=250_000))
    found = codes(document)
    assert "100,000" in found["too_many_seats"]["message"]
    assert "too_much_capacity" in found


def test_ensure_valid_lists_every_problem_at_once():
    document = grid_document(1, 2)
    document.sections[0].rows[0].seats[1].label = "1"
    document.sections[0].rows[0].seats[0].category = "vip"
    with pytest.raises(Invalid) as raised:
        ensure_valid(document)
    assert raised.value.code == "invalid_seat_map"
    assert {p["code"] for p in raised.value.details["problems"]} == {
        "duplicate_seat", "unknown_category",
    }  # fmt: skip


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["sections"][0]["rows"][0]["seats"][0].update(label="A/1"),
        lambda d: d["sections"][0]["rows"][0]["seats"][0].update(label="=cmd"),
        lambda d: d["sections"][0]["rows"][0]["seats"][0].update(label=" 1"),
        lambda d: d["sections"][0]["rows"][0]["seats"][0].update(x=float("inf")),
        lambda d: d["sections"][0]["rows"][0]["seats"][0].update(x=2e6),
        lambda d: d["sections"][0].update(key="Stalls!"),
        lambda d: d["sections"][0].update(name="Bad\x07name"),
        lambda d: d["categories"][0].update(color="red"),
        lambda d: d.update(unexpected=True),
        lambda d: d["sections"][0].update(kind="standing"),
    ],
)
def test_malformed_documents_are_refused_with_the_place_of_the_error(mutate):
    data = grid_document(1, 2).model_dump(mode="json")
    mutate(data)
    with pytest.raises(Invalid) as raised:
        parse_document(data)
    assert raised.value.code == "malformed_seat_map"
    assert raised.value.details["errors"][0]["loc"]


def test_absolute_positions_follow_the_section_transform():
    section = Section(key="s", name="S", x=100, y=50, rotation=90)
    assert absolute_position(section, 10, 0) == pytest.approx((100, 60))
    document = grid_document(1, 2)
    positions = [(p.ref, p.x, p.y) for p in placed_seats(document)]
    assert positions == [("stalls/A/1", 100, 200), ("stalls/A/2", 130, 200)]


def test_focal_point_defaults_to_the_stage_centre():
    document = grid_document(1, 2)
    assert (focal_point(document).x, focal_point(document).y) == (250, 50)
    document.focal_point = Point(x=1, y=2)
    assert focal_point(document) == Point(x=1, y=2)
