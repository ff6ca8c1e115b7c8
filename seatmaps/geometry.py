"""Plane geometry for the seat-map editor, in the document's coordinates.

Coordinates are SVG-like (y grows downward), so a positive angle turns clockwise on screen, the
same convention as `Section.rotation` and `seatmaps.document.absolute_position`. Everything here is
pure and works on plain (x, y) tuples so it stays independent of the document model.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

XY = tuple[float, float]

# Trigonometry leaves tails such as 29.999999999999996; a thousandth of a unit is far below what
# anyone can see on a map and keeps stored documents readable and stable.
DECIMALS = 3


def tidy(value: float) -> float:
    """Round to `DECIMALS` places; `+ 0.0` turns -0.0 into 0.0 so JSON never shows "-0.0"."""
    return round(value, DECIMALS) + 0.0


def normalize_degrees(degrees: float) -> float:
    """The same angle within [0, 360)."""
    turned = tidy(degrees % 360)
    return 0.0 if turned >= 360 else turned


def rotate_vector(dx: float, dy: float, degrees: float) -> XY:
    """Turn a displacement by `degrees` (clockwise on screen)."""
    if not degrees:
        return dx, dy
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    return dx * cos - dy * sin, dx * sin + dy * cos


def rotate_point(x: float, y: float, degrees: float, origin: XY = (0.0, 0.0)) -> XY:
    """Turn a point about `origin` by `degrees` (clockwise on screen)."""
    ox, oy = origin
    dx, dy = rotate_vector(x - ox, y - oy, degrees)
    return ox + dx, oy + dy


def to_frame(x: float, y: float, frame_origin: XY, frame_rotation: float) -> XY:
    """Where a map point lies in a frame placed at `frame_origin` and turned by
    `frame_rotation`: the inverse of `seatmaps.document.absolute_position`."""
    ox, oy = frame_origin
    return rotate_vector(x - ox, y - oy, -frame_rotation)


def bend_onto_arc(x: float, y: float, *, centre_x: float, front_y: float, radius: float) -> XY:
    """Move a point of a straight row grid onto concentric arcs curving toward the stage.

    The arcs share one centre, `radius` above the front row (`front_y`) at `centre_x`. A point
    `y - front_y` behind the front row lands on the arc of radius `radius + (y - front_y)`, at
    the arc length `x - centre_x` from the middle, so seats keep their spacing along the row,
    the middle of each row stays put and the row ends come toward the stage.
    """
    arc_radius = radius + (y - front_y)
    angle = (x - centre_x) / arc_radius
    return (
        centre_x + arc_radius * math.sin(angle),
        front_y - radius + arc_radius * math.cos(angle),
    )


def arc_angle(x: float, y: float, *, centre_x: float, front_y: float, radius: float) -> float:
    """The angle (radians, from straight ahead) at which `bend_onto_arc` would place a point."""
    return (x - centre_x) / (radius + (y - front_y))


@dataclass(frozen=True)
class BoundingBox:
    min_x: float
    min_y: float
    max_x: float
    max_y: float

    @property
    def centre(self) -> XY:
        return (self.min_x + self.max_x) / 2, (self.min_y + self.max_y) / 2

    @property
    def width(self) -> float:
        return self.max_x - self.min_x

    @property
    def height(self) -> float:
        return self.max_y - self.min_y


def bounding_box(points: Iterable[XY]) -> BoundingBox | None:
    """The smallest axis-aligned box holding every point; None when there are none."""
    xs: list[float] = []
    ys: list[float] = []
    for x, y in points:
        xs.append(x)
        ys.append(y)
    if not xs:
        return None
    return BoundingBox(min(xs), min(ys), max(xs), max(ys))


def rectangle(width: float, height: float) -> list[XY]:
    """The corners of a width x height rectangle from the origin, clockwise on screen."""
    return [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)]
