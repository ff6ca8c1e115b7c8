"""The seat map as SVG: valid XML, every seat once, styles by class, readable labels.

Plain documents built by hand; no database involved.
"""

import re
import xml.etree.ElementTree as ET
from collections import Counter

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
)
from seatmaps.svg import render_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    # Our own output, not untrusted input: the point is to prove it is well-formed XML.
    return ET.fromstring(svg)


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def seat_elements(root: ET.Element) -> list[ET.Element]:
    return [element for element in root.iter() if element.get("data-seat") is not None]


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def theatre() -> SeatMapDocument:
    """A straight stalls block, a rotated balcony with flagged seats, a standing floor, a stage,
    names that need escaping."""
    stalls = Section(
        key="stalls",
        name="Stalls & <Front>",
        x=100,
        y=200,
        rows=[
            Row(
                label=row,
                seats=[
                    Seat(label=str(n), x=(n - 1) * 30, y=index * 34, category="premium")
                    for n in range(1, 7)
                ],
            )
            for index, row in enumerate("AB")
        ],
    )
    balcony = Section(
        key="balcony",
        name='Balcony "L"',
        x=400,
        y=300,
        rotation=30,
        rows=[
            Row(
                label="AA",
                seats=[
                    Seat(label="1", x=0, y=0, category="standard", accessible=True),
                    Seat(label="2", x=30, y=0, category="standard", companion=True),
                    Seat(label="3", x=60, y=0, category="standard", restricted_view=True),
                    Seat(label="4&5", x=90, y=0, category="standard"),
                ],
            )
        ],
    )
    floor = Section(
        key="floor",
        name="Floor",
        kind="ga",
        x=100,
        y=400,
        area=GeneralAdmissionArea(
            capacity=4000,
            category="standard",
            polygon=[Point(x=0, y=0), Point(x=300, y=0), Point(x=300, y=120), Point(x=0, y=120)],
        ),
    )
    return SeatMapDocument(
        categories=[
            Category(key="premium", name="Premium & Co", color="#7b2cbf"),
            Category(key="standard", name="Standard <2>", color="#2a9d8f"),
        ],
        sections=[stalls, balcony, floor],
        shapes=[
            Shape(kind="stage", x=100, y=20, width=300, height=60),
            Shape(kind="rect", x=500, y=100, width=80, height=40, text="Bar"),
            Shape(kind="ellipse", x=600, y=100, width=60, height=40),
            Shape(kind="polygon", points=[Point(x=0, y=0), Point(x=40, y=0), Point(x=20, y=30)]),
            Shape(kind="text", x=250, y=560, text="Exit -> <Foyer> & bar"),
        ],
    )


def grid(seats: int, per_section: int = 500, per_row: int = 25) -> SeatMapDocument:
    sections = []
    for index in range(seats // per_section):
        rows = [
            Row(
                label=f"R{row + 1}",
                seats=[
                    Seat(label=str(n + 1), x=n * 30, y=row * 34, category="standard")
                    for n in range(per_row)
                ],
            )
            for row in range(per_section // per_row)
        ]
        sections.append(
            Section(key=f"s{index}", name=f"Block {index}", x=(index % 8) * 900, y=0, rows=rows)
        )
    return SeatMapDocument(
        categories=[Category(key="standard", name="Standard", color="#2a9d8f")],
        sections=sections,
    )


def test_output_is_a_standalone_accessible_svg() -> None:
    svg = render_svg(theatre(), title="Grand Hall & Co")
    root = parse(svg)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label", "").startswith("Grand Hall & Co: 16 seats · 4,000 standing")
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    assert len(root.get("viewBox", "").split()) == 4


def test_every_seat_appears_exactly_once_with_its_reference() -> None:
    document = theatre()
    root = parse(render_svg(document))

    found = Counter(element.get("data-seat") for element in seat_elements(root))
    assert found == Counter(placed.ref for placed in placed_seats(document))
    assert "balcony/AA/4&5" in found  # escaped on the way out, intact on the way back
    for element in seat_elements(root):
        assert element.tag == f"{SVG}circle"
        assert "seat" in classes(element)


def test_categories_are_css_classes_defined_once_never_inline_styles() -> None:
    svg = render_svg(theatre())
    root = parse(svg)
    style = root.find(f"{SVG}style").text

    assert ".c-premium{fill:#7b2cbf" in style
    assert ".c-standard{fill:#2a9d8f" in style
    by_ref = {element.get("data-seat"): element for element in seat_elements(root)}
    assert "c-premium" in classes(by_ref["stalls/A/1"])
    assert "c-standard" in classes(by_ref["balcony/AA/1"])
    for element in seat_elements(root):
        assert element.get("style") is None
        assert element.get("fill") is None


def test_seat_flags_become_classes_and_accessible_seats_get_a_pictogram() -> None:
    root = parse(render_svg(theatre()))
    by_ref = {element.get("data-seat"): element for element in seat_elements(root)}

    assert "accessible" in classes(by_ref["balcony/AA/1"])
    assert "companion" in classes(by_ref["balcony/AA/2"])
    assert "restricted" in classes(by_ref["balcony/AA/3"])
    assert classes(by_ref["balcony/AA/4&5"]) == {"seat", "c-standard"}
    pictograms = [
        use for use in root.iter(f"{SVG}use") if use.get("x") == by_ref["balcony/AA/1"].get("cx")
    ]
    assert len(pictograms) == 1


def test_sections_are_groups_placed_by_translate_and_rotate() -> None:
    root = parse(render_svg(theatre()))
    groups = {
        group.get("data-section"): group
        for group in root.iter(f"{SVG}g")
        if "section" in classes(group)
    }

    assert set(groups) == {"stalls", "balcony"}
    assert groups["balcony"].get("transform") == "translate(400 300) rotate(30)"
    assert groups["stalls"].get("transform") == "translate(100 200)"
    # Seats keep their section-relative coordinates; the group places them.
    seat = next(e for e in seat_elements(groups["balcony"]) if e.get("data-seat").endswith("/2"))
    assert (seat.get("cx"), seat.get("cy")) == ("30", "0")


def test_rows_and_sections_are_labelled() -> None:
    all_text = texts(parse(render_svg(theatre())))

    assert all_text.count("A") == 2  # both ends of the row
    assert all_text.count("AA") == 2
    assert "Stalls & <Front>" in all_text
    assert 'Balcony "L"' in all_text


def test_general_admission_area_is_a_filled_polygon_with_name_and_capacity() -> None:
    root = parse(render_svg(theatre()))
    area = next(g for g in root.iter(f"{SVG}g") if g.get("data-section") == "floor")

    assert "ga" in classes(area)
    polygon = area.find(f"{SVG}polygon")
    assert "c-standard" in classes(polygon)
    assert polygon.get("points") == "0,0 300,0 300,120 0,120"
    assert "Floorstanding · 4,000" in texts(root)


def test_stage_shapes_and_free_text_are_drawn() -> None:
    root = parse(render_svg(theatre()))
    stage = next(g for g in root.iter(f"{SVG}g") if "stage" in classes(g))

    assert stage.find(f"{SVG}rect").get("width") == "300"
    assert "".join(stage.itertext()) == "STAGE"
    assert len(root.findall(f".//{SVG}ellipse")) == 1
    assert "Bar" in texts(root)
    assert "Exit -> <Foyer> & bar" in texts(root)


def test_legend_names_every_category_with_its_count_and_the_markings_used() -> None:
    root = parse(render_svg(theatre(), title="Grand Hall"))
    legend = next(g for g in root.iter(f"{SVG}g") if "legend" in classes(g))
    lines = texts(legend)

    assert "Grand Hall · 16 seats · 4,000 standing" in lines
    assert "Premium & Co 12" in lines
    assert "Standard <2> 4,004" in lines  # four seats plus the standing floor
    assert {"Wheelchair space", "Companion seat", "Restricted view"} <= set(lines)


def test_view_box_holds_every_seat_of_rotated_sections() -> None:
    document = theatre()
    left, top, width, height = map(float, parse(render_svg(document)).get("viewBox").split())

    for placed in placed_seats(document):
        assert left < placed.x < left + width
        assert top < placed.y < top + height


def test_seat_titles_are_tooltips_and_can_be_left_out() -> None:
    with_titles = parse(render_svg(theatre()))
    seat = next(e for e in seat_elements(with_titles) if e.get("data-seat") == "balcony/AA/1")
    assert seat.find(f"{SVG}title").text == (
        'Balcony "L", row AA, seat 1 (Standard <2>, wheelchair space)'
    )

    without = render_svg(theatre(), seat_titles=False)
    assert all(e.find(f"{SVG}title") is None for e in seat_elements(parse(without)))
    assert len(without) < len(render_svg(theatre()))


def test_coordinates_are_rounded_to_a_tenth() -> None:
    document = SeatMapDocument(
        categories=[Category(key="a", name="A", color="#123456")],
        sections=[
            Section(
                key="s",
                name="S",
                x=0.04,
                y=-0.04,
                rows=[
                    Row(
                        label="A",
                        seats=[
                            Seat(label="1", x=10.04, y=1 / 3, category="a"),
                            Seat(label="2", x=40.06, y=-0.02, category="a"),
                        ],
                    )
                ],
            )
        ],
    )
    svg = render_svg(document)
    root = parse(svg)

    assert [(e.get("cx"), e.get("cy")) for e in seat_elements(root)] == [
        ("10", "0.3"),
        ("40.1", "0"),
    ]
    assert not re.search(r"\d\.\d{2}", svg.split("</style>", 1)[1].split("<defs>", 1)[0])


def test_drafts_with_undefined_categories_and_control_characters_still_render() -> None:
    # Validation refuses all of this; the renderer must cope anyway (model_construct skips it).
    document = SeatMapDocument.model_construct(
        categories=[Category.model_construct(key="a", name="A\x01 & B", color="#123456")],
        sections=[
            Section.model_construct(
                key="s",
                name="Stalls\x00\x1b",
                kind="seated",
                x=0,
                y=0,
                rotation=0,
                area=None,
                rows=[
                    Row.model_construct(
                        label="A",
                        seats=[
                            Seat.model_construct(
                                label="1\x02",
                                x=0,
                                y=0,
                                category="gone",
                                accessible=False,
                                restricted_view=False,
                                companion=False,
                            )
                        ],
                    )
                ],
            )
        ],
        shapes=[],
        focal_point=None,
    )
    root = parse(render_svg(document))

    (seat,) = seat_elements(root)
    assert "uncategorized" in classes(seat)
    assert seat.get("data-seat") == "s/A/1"
    assert "Stalls" in texts(root)
    assert "No category 1" in texts(root)


def test_an_empty_document_still_gives_a_small_valid_picture() -> None:
    svg = render_svg(SeatMapDocument())
    root = parse(svg)

    assert root.get("viewBox")
    assert seat_elements(root) == []
    assert "This seat map is empty" in texts(root)
    assert len(svg) < 4000


def test_twenty_thousand_seats_all_render() -> None:
    document = grid(20_000)
    svg = render_svg(document, seat_titles=False)
    root = parse(svg)

    refs = [element.get("data-seat") for element in seat_elements(root)]
    assert len(refs) == 20_000
    assert set(refs) == {placed.ref for placed in placed_seats(document)}
    # Compact: well under 100 bytes a seat without tooltips.
    assert len(svg) < 20_000 * 100


def test_text_that_sizes_itself_is_not_overridden_by_a_class() -> None:
    # CSS beats SVG presentation attributes: a font-size in a class rule would silently win.
    root = parse(render_svg(theatre()))
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", root.find(f"{SVG}style").text)
    sized_by_css = {
        name for selector, body in rules if "font-size" in body for name in selector.split(",")
    }
    for element in root.iter():
        if element.get("font-size") is not None:
            for name in classes(element):
                assert f".{name}" not in sized_by_css


def test_row_labels_stay_upright_in_rotated_sections() -> None:
    root = parse(render_svg(theatre()))
    balcony = next(g for g in root.iter(f"{SVG}g") if g.get("data-section") == "balcony")
    labels = [text for text in balcony.iter(f"{SVG}text") if "rl" in classes(text)]

    assert [text.text for text in labels] == ["AA", "AA"]
    for text in labels:
        assert text.get("transform") == f"rotate(-30 {text.get('x')} {text.get('y')})"


def test_maps_drawn_in_small_units_keep_their_precision() -> None:
    # A map in metres: seats half a unit apart must not collapse onto the same tenth.
    document = SeatMapDocument(
        categories=[Category(key="a", name="A", color="#123456")],
        sections=[
            Section(
                key="s",
                name="S",
                rows=[
                    Row(
                        label="A",
                        seats=[Seat(label=str(n), x=n * 0.45, y=0, category="a") for n in range(4)],
                    )
                ],
            )
        ],
    )
    cxs = [element.get("cx") for element in seat_elements(parse(render_svg(document)))]

    assert cxs == ["0", "0.45", "0.9", "1.35"]


def test_categories_that_skipped_validation_cannot_break_the_stylesheet() -> None:
    hostile = Category.model_construct(key="x}</style><script>", name="X", color="red;}")
    document = SeatMapDocument.model_construct(
        categories=[hostile],
        sections=[
            Section(
                key="s",
                name="S",
                rows=[
                    Row(
                        label="A",
                        seats=[Seat.model_construct(label="1", x=0, y=0, category=hostile.key)],
                    )
                ],
            )
        ],
        shapes=[],
        focal_point=None,
    )
    root = parse(render_svg(document))

    assert "script" not in root.find(f"{SVG}style").text
    assert "uncategorized" in classes(seat_elements(root)[0])
