"""Three realistic sample maps, built only with the editor operations and shipped as JSON.

`theatre()`, `arena()` and `club()` start from an empty document and apply operations through
`run_operation`, exactly as the console editor or an integration would, so the samples double as
an end-to-end exercise of the operations. `python -m seatmaps.samples` writes them to
`seatmaps/sample_maps/`; a test checks the files still equal what the builders produce, so data
and code cannot drift apart. Nothing here needs Django.

Layout conventions: the stage is at the top (small y), rows run back from it, and a section's
front row is its first row.
"""

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from seatmaps.document import SeatMapDocument, ensure_valid
from seatmaps.geometry import rotate_vector, tidy
from seatmaps.numbering import RowLabeling, row_labels
from seatmaps.operations import run_operation

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_maps"

SEAT_SPACING = 30
ROW_SPACING = 35


class _Plan:
    """Applies operations one after another, keeping the latest document."""

    def __init__(self) -> None:
        self.document = SeatMapDocument()

    def __call__(self, operation: str, /, **params: Any) -> None:
        self.document = run_operation(self.document, operation, params)

    def categories(self, *categories: tuple[str, str, str]) -> None:
        for key, name, color in categories:
            self("upsert_category", key=key, name=name, color=color)

    def shape(self, kind: str, **fields: Any) -> None:
        self("add_shape", shape={"kind": kind, **fields})


def _width(seats: int) -> float:
    return (seats - 1) * SEAT_SPACING


def _origin_for(front_middle: tuple[float, float], seats: int, rotation: float) -> dict:
    """Placement (x, y, rotation) for a section of `seats` per row whose front row's middle is
    at `front_middle`, turned by `rotation` (so its rows run back along the turned +y axis)."""
    dx, dy = rotate_vector(_width(seats) / 2, 0, rotation)
    return {
        "x": tidy(front_middle[0] - dx),
        "y": tidy(front_middle[1] - dy),
        "rotation": tidy(rotation),
    }


def _row_refs(section: str, labels: Iterable[str]) -> list[str]:
    return [f"{section}/{label}" for label in labels]


def _letters(count: int) -> list[str]:
    """The default row labels (A, B, … skipping I and O), front to back."""
    return row_labels(count, RowLabeling())


# --- theatre ----------------------------------------------------------------------------------

THEATRE_CENTRE_X = 800
THEATRE_AISLE = 60
# All tiers curve about one point above the stage, so the aisles line up as in a real house.
THEATRE_ARC_CENTRE = (THEATRE_CENTRE_X, -950.0)
STALLS_ROWS = 18


def theatre() -> SeatMapDocument:
    """A ~1,200-seat proscenium theatre: stalls, circle and balcony, each curved about the
    stage, the stalls and circle split by two aisles into left, centre and right."""
    plan = _Plan()
    plan.categories(
        ("premium", "Premium", "#9d0208"),
        ("standard", "Standard", "#1d4ed8"),
        ("economy", "Economy", "#0f766e"),
        ("restricted", "Restricted view", "#6b7280"),
    )
    plan.shape("stage", x=500, y=0, width=600, height=100, text="Stage")
    plan("set_focal_point", x=THEATRE_CENTRE_X, y=100)

    _theatre_tier(plan, "stalls", "Stalls", front_y=250, rows=STALLS_ROWS, centre=16, side=8)
    _theatre_tier(plan, "circle", "Circle", front_y=1000, rows=10, centre=18, side=10)
    _theatre_balcony(plan, front_y=1450, rows=8, seats=30)

    front_rows = _row_refs("stalls-c", _letters(8)) + _row_refs("circle-c", _letters(3))
    plan("assign_category", selection={"rows": front_rows}, category="premium")
    back_row = _letters(STALLS_ROWS)[-1]
    # A control position at the back of the stalls, as most houses have.
    plan("delete", selection={"seats": [f"stalls-c/{back_row}/{n}" for n in range(106, 112)]})
    _theatre_access(plan, back_row=back_row)
    return ensure_valid(plan.document)


def _theatre_tier(
    plan: _Plan, key: str, name: str, *, front_y: float, rows: int, centre: int, side: int
) -> None:
    """A centre block and two side blocks on the same arcs: each is laid out on the centre
    line and curved, then the sides are turned about the shared arc centre into place.

    Seats are numbered the American way: 101… in the centre, odd numbers house left and even
    numbers house right, each counting up from the aisle.
    """
    radius = front_y - THEATRE_ARC_CENTRE[1]
    centred = {"y": front_y, "category": "standard", "rows": rows}
    plan(
        "add_section",
        key=f"{key}-c",
        name=f"{name} Centre",
        seats_per_row=centre,
        x=THEATRE_CENTRE_X - _width(centre) / 2,
        seat_numbering={"start": 101},
        **centred,
    )
    plan("curve", section=f"{key}-c", radius=radius)
    plan(
        "add_section",
        key=f"{key}-l",
        name=f"{name} Left",
        seats_per_row=side,
        x=THEATRE_CENTRE_X - _width(side) / 2,
        seat_numbering={"scheme": "odd", "direction": "rtl"},
        **centred,
    )
    plan("curve", section=f"{key}-l", radius=radius)
    plan("duplicate", section=f"{key}-l", key=f"{key}-r", name=f"{name} Right")
    plan("renumber", section=f"{key}-r", seat_numbering={"scheme": "even"})
    # Arc length from the centre line to the middle of a side block, as an angle.
    turn = math.degrees((_width(centre) / 2 + THEATRE_AISLE + _width(side) / 2) / radius)
    origin = {"x": THEATRE_ARC_CENTRE[0], "y": THEATRE_ARC_CENTRE[1]}
    plan("rotate", selection={"sections": [f"{key}-l"]}, degrees=tidy(turn), origin=origin)
    plan("rotate", selection={"sections": [f"{key}-r"]}, degrees=tidy(-turn), origin=origin)


def _theatre_balcony(plan: _Plan, *, front_y: float, rows: int, seats: int) -> None:
    plan(
        "add_section",
        key="balcony",
        name="Balcony",
        rows=rows,
        seats_per_row=seats,
        category="economy",
        x=THEATRE_CENTRE_X - _width(seats) / 2,
        y=front_y,
    )
    plan("curve", section="balcony", radius=front_y - THEATRE_ARC_CENTRE[1])
    # The proscenium hides part of the stage from the far ends of the balcony.
    ends = [
        f"balcony/{row}/{n}"
        for row in _letters(rows)
        for n in (1, 2, 3, seats - 2, seats - 1, seats)
    ]
    plan("assign_category", selection={"seats": ends}, category="restricted")
    plan("set_seat_flags", selection={"seats": ends}, restricted_view=True)


def _theatre_access(plan: _Plan, back_row: str) -> None:
    """Wheelchair places at the aisle ends of the back stalls row, a companion seat beside
    each."""
    accessible = [f"stalls-l/{back_row}/1", f"stalls-r/{back_row}/2"]
    accessible += [f"stalls-c/{back_row}/101", f"stalls-c/{back_row}/116"]
    companions = [f"stalls-l/{back_row}/3", f"stalls-r/{back_row}/4"]
    companions += [f"stalls-c/{back_row}/102", f"stalls-c/{back_row}/115"]
    plan("set_seat_flags", selection={"seats": accessible}, accessible=True)
    plan("set_seat_flags", selection={"seats": companions}, companion=True)


# --- arena ------------------------------------------------------------------------------------

ARENA_CENTRE = (3400.0, 1600.0)
ARENA_FLOOR = (1650.0, 2200.0)  # width, height of the standing floor
# The bowl's curved end is centred this far behind the arena centre, away from the stage.
END_OFFSET = 400.0


def arena() -> SeatMapDocument:
    """A ~20,000-capacity arena in concert layout: a standing floor in front of the stage and a
    stadium-shaped bowl of lower and upper tier blocks around it (straight sides, a curved end
    opposite the stage)."""
    plan = _Plan()
    plan.categories(
        ("standing", "Standing floor", "#e76f51"),
        ("premium", "Premium", "#9d0208"),
        ("lower", "Lower tier", "#2a9d8f"),
        ("upper", "Upper tier", "#264653"),
        ("side-view", "Side view", "#8d99ae"),
    )
    cx, cy = ARENA_CENTRE
    width, height = ARENA_FLOOR
    plan.shape("stage", x=cx - 700, y=cy - height / 2 - 350, width=1400, height=350, text="Stage")
    plan(
        "add_ga_section",
        key="floor",
        name="Floor",
        capacity=4000,
        category="standing",
        x=cx - width / 2,
        y=cy - height / 2,
        width=width,
        height=height,
    )
    plan.shape("rect", x=cx - 100, y=cy + 700, width=200, height=100, text="Mixing desk")
    plan("set_focal_point", x=cx, y=cy - height / 2)

    lower = _arena_tier(
        plan,
        tier=1,
        radius=1200,
        side_from=-1200,
        rows=25,
        seats=24,
        side_blocks=2,
        end_blocks=5,
        category="lower",
    )
    upper = _arena_tier(
        plan,
        tier=2,
        radius=2240,
        side_from=-1500,
        rows=32,
        seats=28,
        side_blocks=2,
        end_blocks=8,
        category="upper",
    )

    # The end blocks face the stage head-on: their front half is premium.
    premium_rows = [f"{block}/{row}" for block in lower[2:-2] for row in range(1, 13)]
    plan("assign_category", selection={"rows": premium_rows}, category="premium")
    # The upper side blocks nearest the stage look at it from the side.
    plan("assign_category", selection={"sections": [upper[0], upper[-1]]}, category="side-view")
    _arena_access(plan, lower, back_row=25, seats=24)
    return ensure_valid(plan.document)


def _arena_tier(
    plan: _Plan,
    *,
    tier: int,
    radius: float,
    side_from: float,
    rows: int,
    seats: int,
    side_blocks: int,
    end_blocks: int,
    category: str,
) -> list[str]:
    """One tier of the bowl; returns its block keys in order round the bowl (counterclockwise
    on screen, from the left side by the stage to the right side by the stage).

    The bowl is a stadium: straight sides at `radius` either side of the centre line from
    `side_from` (relative to the arena centre) down to the middle of the end, then a half
    circle of `radius` round the end, centred `END_OFFSET` below the arena centre.
    """
    cx, cy = ARENA_CENTRE
    end_y = cy + END_OFFSET
    placements: list[tuple[dict, bool]] = []
    side_length = end_y - (cy + side_from)
    for index in range(side_blocks):
        y = cy + side_from + (index + 0.5) * side_length / side_blocks
        placements.append((_origin_for((cx - radius, y), seats, 90), False))
    for index in range(end_blocks):
        # From 180 degrees (left) through 90 (bottom) to 0 (right), in the SVG sense.
        angle = 180 - (index + 0.5) * 180 / end_blocks
        front = (
            cx + radius * math.cos(math.radians(angle)),
            end_y + radius * math.sin(math.radians(angle)),
        )
        placements.append((_origin_for(front, seats, angle - 90), True))
    for index in reversed(range(side_blocks)):
        y = cy + side_from + (index + 0.5) * side_length / side_blocks
        placements.append((_origin_for((cx + radius, y), seats, -90), False))

    keys = []
    for number, (placement, curved) in enumerate(placements, start=1):
        key = f"{tier}{number:02d}"
        plan(
            "add_section",
            key=key,
            name=f"Block {key}",
            rows=rows,
            seats_per_row=seats,
            category=category,
            row_labels={"scheme": "numbers", "start": "1"},
            **placement,
        )
        if curved:
            plan("curve", section=key, radius=radius)
        keys.append(key)
    return keys


def _arena_access(plan: _Plan, blocks: list[str], *, back_row: int, seats: int) -> None:
    """Wheelchair places on the back row of every lower block, at both aisles."""
    ends = (1, seats)
    beside = (2, seats - 1)
    accessible = [f"{block}/{back_row}/{n}" for block in blocks for n in ends]
    companions = [f"{block}/{back_row}/{n}" for block in blocks for n in beside]
    plan("set_seat_flags", selection={"seats": accessible}, accessible=True)
    plan("set_seat_flags", selection={"seats": companions}, companion=True)


# --- club -------------------------------------------------------------------------------------


def club() -> SeatMapDocument:
    """A standing-only club: a dance floor in front of the stage, a bar along one wall and a
    mezzanine at the back."""
    plan = _Plan()
    plan.categories(
        ("floor", "Floor", "#7209b7"),
        ("mezzanine", "Mezzanine", "#f72585"),
    )
    plan.shape("stage", x=250, y=0, width=500, height=120, text="Stage")
    plan(
        "add_ga_section",
        key="floor",
        name="Floor",
        capacity=650,
        category="floor",
        x=100,
        y=150,
        width=800,
        height=600,
    )
    plan(
        "add_ga_section",
        key="mezzanine",
        name="Mezzanine",
        capacity=150,
        category="mezzanine",
        x=100,
        y=800,
        width=800,
        height=200,
    )
    plan.shape("rect", x=930, y=250, width=70, height=400, text="Bar")
    plan.shape("text", x=500, y=1040, text="Entrance")
    plan("set_focal_point", x=500, y=120)
    return ensure_valid(plan.document)


# --- files ------------------------------------------------------------------------------------

SAMPLES: dict[str, Callable[[], SeatMapDocument]] = {
    "theatre": theatre,
    "arena": arena,
    "club": club,
}


def sample_path(name: str) -> Path:
    if name not in SAMPLES:
        raise ValueError(f"No sample map '{name}'; there are {', '.join(SAMPLES)}.")
    return SAMPLE_DIR / f"{name}.json"


def serialize(name: str, document: SeatMapDocument) -> str:
    """The file text for a sample: one item per line for the small maps, so diffs read well;
    compact for the arena, whose 16,000 seats would otherwise make a needlessly large file."""
    data = document.model_dump(mode="json")
    if name == "arena":
        return json.dumps(data, separators=(",", ":")) + "\n"
    return json.dumps(data, indent=1) + "\n"


def load_sample(name: str) -> SeatMapDocument:
    """A sample map as shipped in the repository."""
    return SeatMapDocument.model_validate_json(sample_path(name).read_text())


def main() -> None:
    SAMPLE_DIR.mkdir(exist_ok=True)
    for name, build in SAMPLES.items():
        path = sample_path(name)
        path.write_text(serialize(name, build()))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
