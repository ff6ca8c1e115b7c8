"""A seat map as a standalone SVG picture: what organizers look at, and what the console and the
shop draw their live state over.

The output is built as text rather than through ElementTree: for a 100,000-seat map it is one
f-string per seat instead of an element object, attribute dict and serializer pass per seat,
which keeps rendering linear and fast. Everything taken from the document goes through `_text`
or `_attr`, so the result always parses as XML.

Hooks for scripts and styles (keep them stable, the console and the shop rely on them):
- every seat is one `<circle class="seat c-<category> [accessible] [restricted] [companion]"
  data-seat="<section>/<row>/<seat>">` (the seat reference also used by publishing and the APIs);
- a seated section is `<g class="section" data-section="<key>">`, a general-admission area is
  `<g class="ga" data-section="<key>">` whose `<polygon>` carries `c-<category>`;
- category colours are CSS classes defined once in the `<style>` block, never inline, so a caller
  can restyle (or grey out sold seats) with one rule.

Geometry follows `seatmaps.document`: a section's seats and its general-admission outline are
relative to the section origin and drawn inside `translate(x y) rotate(r)`; box shapes (stage,
rect, ellipse) span x..x+width, y..y+height and turn about their centre (as `focal_point` assumes);
polygons are relative to (x, y) and turn about it; text is centred on (x, y).
"""

import html
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from seatmaps.document import (
    COLOR_PATTERN,
    KEY_PATTERN,
    Category,
    GeneralAdmissionArea,
    Seat,
    SeatMapDocument,
    Section,
    Shape,
    placed_seats,
    seat_count,
)

# Seat spacing assumed when a map has no two seats in a row to measure it from (map units).
DEFAULT_SPACING = 30.0
# Drawn instead of nothing: an empty map still gets a small, valid picture.
EMPTY_WIDTH, EMPTY_HEIGHT = 400.0, 160.0
# A general-admission section without an outline still needs a shape to carry its label.
GA_PLACEHOLDER = (8.0, 4.0)  # width and height, in seat spacings

UNCATEGORIZED = "uncategorized"  # class for seats whose category is not defined (drafts)
NEUTRAL = "#9aa0a6"
BACKGROUND = "#f6f6f3"
ACCENT = "#1a56c4"  # accessibility blue: rings for wheelchair and companion seats
TEXT_WIDTH = 0.58  # average glyph advance of system-ui, as a share of the font size

# XML 1.0 forbids most control characters even as character references; document names and
# labels do not exclude them, so they are dropped rather than letting one break the whole picture.
_KEY = re.compile(KEY_PATTERN)
_COLOR = re.compile(COLOR_PATTERN)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return html.escape(_NOT_XML.sub("", value), quote=False)


def _attr(value: str) -> str:
    # Newlines and tabs in attributes would be normalized to spaces by any parser.
    escaped = html.escape(_NOT_XML.sub("", value), quote=True)
    return escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _formatter(decimals: int) -> Callable[[float], str]:
    """Numbers for the output: rounded, without trailing zeros or "-0" (bytes add up at 100k)."""
    spec = f".{decimals}f"

    def number(value: float) -> str:
        text = format(value, spec).rstrip("0").rstrip(".")
        return "0" if text == "-0" else text

    return number


def _count(value: int) -> str:
    return f"{value:,}"


class _Bounds:
    """The box everything drawn so far fits in, grown point by point."""

    def __init__(self) -> None:
        self.min_x = self.min_y = math.inf
        self.max_x = self.max_y = -math.inf

    @property
    def empty(self) -> bool:
        return self.min_x > self.max_x

    @property
    def width(self) -> float:
        return 0.0 if self.empty else self.max_x - self.min_x

    @property
    def height(self) -> float:
        return 0.0 if self.empty else self.max_y - self.min_y

    def add(self, x: float, y: float, pad: float = 0.0) -> None:
        self.min_x = min(self.min_x, x - pad)
        self.min_y = min(self.min_y, y - pad)
        self.max_x = max(self.max_x, x + pad)
        self.max_y = max(self.max_y, y + pad)

    def add_bounds(self, other: "_Bounds") -> None:
        if not other.empty:
            self.add(other.min_x, other.min_y)
            self.add(other.max_x, other.max_y)

    def add_text(self, x: float, y: float, text: str, size: float) -> None:
        """A line of text centred on x (text-anchor middle), its baseline near y."""
        half = len(text) * size * TEXT_WIDTH / 2
        self.add(x - half, y - size * 0.8)
        self.add(x + half, y + size * 0.3)


class _SeatedArea:
    """Where one section's seats landed on the map."""

    def __init__(self) -> None:
        self.bounds = _Bounds()
        self.points: list[tuple[float, float]] = []
        self.pad = 0.0

    def add(self, x: float, y: float, pad: float) -> None:
        self.bounds.add(x, y, pad)
        self.points.append((x, y))
        self.pad = pad

    def top_near(self, x: float, band: float) -> float:
        """The top edge of the seats within `band` of `x` (the box top if none are)."""
        tops = [py for px, py in self.points if abs(px - x) <= band]
        return min(tops) - self.pad if tops else self.bounds.min_y


class _Scale:
    """Sizes derived from the map's own seat spacing, so a map drawn in centimetres and one drawn
    in pixels look alike."""

    def __init__(self, spacing: float) -> None:
        self.spacing = spacing
        self.seat_radius = spacing * 0.4
        self.row_label = spacing * 0.45
        self.stroke = spacing * 0.06
        # A tenth of a unit at the editor's default spacing (30): far below what anyone sees. A
        # map drawn in metres (spacing 0.5) keeps proportionally finer coordinates.
        decimals = 1 if spacing >= 3 else 1 + math.ceil(math.log10(3 / spacing))
        self.num = _formatter(decimals)


def _typical_spacing(document: SeatMapDocument) -> float:
    """The median distance between neighbouring seats of a row: robust against aisles (gaps)
    and against a few odd rows, and cheap (one pass plus a sort of floats)."""
    gaps: list[float] = []
    for section in document.sections:
        for row in section.rows:
            for before, after in pairwise(row.seats):
                gap = math.hypot(after.x - before.x, after.y - before.y)
                if gap > 0:
                    gaps.append(gap)
    if not gaps:
        return DEFAULT_SPACING
    gaps.sort()
    return gaps[len(gaps) // 2]


def _turn(x: float, y: float, degrees: float) -> tuple[float, float]:
    if not degrees:
        return x, y
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    return x * cos - y * sin, x * sin + y * cos


def _transform(scale: _Scale, x: float, y: float, rotation: float) -> str:
    placed = f"translate({scale.num(x)} {scale.num(y)})"
    return f"{placed} rotate({_angle(rotation)})" if rotation % 360 else placed


def _angle(degrees: float) -> str:
    return f"{degrees:.2f}".rstrip("0").rstrip(".")


def _points(scale: _Scale, points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{scale.num(x)},{scale.num(y)}" for x, y in points)


def _centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid of a simple polygon (where its label sits); the vertex mean if degenerate."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)
    return cx / (3 * area), cy / (3 * area)


def _fit(text: str, width: float, preferred: float, smallest: float) -> float:
    """A font size for `text` that fits `width`, no larger than preferred, no smaller than
    smallest (a too-long name may then overflow, which beats an unreadable one)."""
    if not text:
        return preferred
    return max(smallest, min(preferred, width / (len(text) * TEXT_WIDTH)))


@dataclass
class _Palette:
    """The categories a drawing may use, and what it used: counts feed the legend."""

    categories: dict[str, Category]
    used: Counter[str]
    flags: set[str]

    @classmethod
    def of(cls, document: SeatMapDocument) -> "_Palette":
        categories: dict[str, Category] = {}
        for category in document.categories:
            # Keys and colours go into CSS verbatim. Pydantic has checked them on any parsed
            # document; a document built without validation must not be able to break the
            # stylesheet, so its odd categories are drawn as uncategorized instead.
            if _KEY.match(category.key) and _COLOR.match(category.color):
                categories.setdefault(category.key, category)  # a draft may repeat a key
        return cls(categories, Counter(), set())

    def css_class(self, key: str) -> str:
        return f"c-{key}" if key in self.categories else UNCATEGORIZED


def render_svg(document: SeatMapDocument, *, title: str = "", seat_titles: bool = True) -> str:
    """The whole map as a standalone SVG document (UTF-8 text without an XML declaration).

    `seat_titles` adds a `<title>` tooltip to every seat ("Stalls, row A, seat 12 (Premium)").
    It is on by default because this picture is for people and hovering is the only way to read
    a seat's name and category on it. It is the biggest cost per seat: a 20,000-seat map is
    about 2.9 MB with tooltips, 1.6 MB without (150 kB and 90 kB gzipped). Callers that draw
    their own tooltips from `data-seat` (the console, the shop) should turn it off.
    """
    scale = _Scale(_typical_spacing(document))
    palette = _Palette.of(document)
    drawn = _Bounds()
    body: list[str] = []
    labels: list[str] = []  # names and free text, drawn last so no seat covers them

    # One pass over the absolute positions (the document's own placement rule) gives each
    # section's box, for its name and for the picture's extent.
    seated: dict[int, _SeatedArea] = {}
    for placed in placed_seats(document):
        area = seated.get(id(placed.section))
        if area is None:
            area = seated[id(placed.section)] = _SeatedArea()
        area.add(placed.x, placed.y, scale.seat_radius)
    overview = _overview_text_size(document, (area.bounds for area in seated.values()), scale)

    # Standing areas first: a bar or a mixing desk drawn as a shape stands on the floor.
    for section in document.sections:
        if section.kind == "ga" or section.area is not None:
            area = section.area or GeneralAdmissionArea(capacity=0, category="")
            css_class = palette.css_class(area.category)
            palette.used[css_class] += max(area.capacity, 0)
            body.append(_ga_section(section, area, css_class, scale, overview, drawn))

    body.append('<g class="shapes">')
    body.extend(
        _shape(shape, scale, overview, drawn) for shape in document.shapes if shape.kind != "text"
    )
    body.append("</g>")

    for section in document.sections:
        placed_area = seated.get(id(section))
        if section.kind != "seated" or placed_area is None:
            continue
        body.append(_seated_section(section, palette, scale, seat_titles))
        bounds = placed_area.bounds
        drawn.add_bounds(bounds)
        # Row labels sit about one spacing beyond the end seats.
        drawn.add(bounds.min_x - scale.spacing * 1.4, bounds.min_y)
        drawn.add(bounds.max_x + scale.spacing * 1.4, bounds.max_y)
        labels.append(_section_name(section, placed_area, scale, overview, drawn))

    labels.extend(
        _text_shape(shape, scale, drawn)
        for shape in document.shapes
        if shape.kind == "text" and shape.text
    )

    if drawn.empty:
        drawn.add(0, 0)
        drawn.add(EMPTY_WIDTH, EMPTY_HEIGHT)
        labels.append(
            f'<text class="empty" x="{EMPTY_WIDTH / 2:g}" y="{EMPTY_HEIGHT / 2:g}">'
            "This seat map is empty</text>"
        )

    margin = max(scale.spacing * 1.5, max(drawn.width, drawn.height) * 0.03)
    legend_size = _legend_text_size(drawn, scale)
    summary = _summary(document)
    legend, legend_height = _legend(palette, title, summary, scale, legend_size, drawn, margin)
    left, top = drawn.min_x - margin, drawn.min_y - margin
    width = drawn.width + 2 * margin
    height = drawn.height + 2 * margin + legend_height
    name = title or "Seat map"
    label = f"{name}: {summary}" if summary else name
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{scale.num(left)} {scale.num(top)} '
        f'{scale.num(width)} {scale.num(height)}" role="img" aria-label="{_attr(label)}">'
        f"<title>{_text(label)}</title>"
        f"<style>{_stylesheet(palette.categories.values(), scale, legend_size)}</style>"
        f"{_defs(scale)}"
        f'<rect class="bg" x="{scale.num(left)}" y="{scale.num(top)}" '
        f'width="{scale.num(width)}" height="{scale.num(height)}"/>'
    )
    return "".join([head, *body, *labels, legend, "</svg>"])


def _overview_text_size(
    document: SeatMapDocument, seat_boxes: Iterable[_Bounds], scale: _Scale
) -> float:
    """Section and area names should stay readable when the whole map is shown at once, so
    they grow with the map's extent (and never shrink below a row label's size)."""
    extent = _Bounds()
    for box in seat_boxes:
        extent.add_bounds(box)
    for section in document.sections:
        if section.area:
            for point in section.area.polygon:
                extent.add(*_turn_to_map(section, point.x, point.y))
    for shape in document.shapes:
        extent.add(shape.x, shape.y)
        extent.add(shape.x + shape.width, shape.y + shape.height)
    # No upper bound from the seat spacing: `_fit` keeps each name within its section's width.
    return max(scale.spacing * 0.9, max(extent.width, extent.height) / 70)


def _legend_text_size(drawn: _Bounds, scale: _Scale) -> float:
    return max(scale.spacing * 0.6, max(drawn.width, drawn.height) / 75)


def _turn_to_map(section: Section, x: float, y: float) -> tuple[float, float]:
    tx, ty = _turn(x, y, section.rotation)
    return section.x + tx, section.y + ty


_Look = tuple[str, bool, bool, bool]  # category, accessible, restricted view, companion


def _seated_section(section: Section, palette: _Palette, scale: _Scale, seat_titles: bool) -> str:
    """One section's seats and row labels, in the section's own coordinates (the group carries
    the placement, so each seat is just two short numbers)."""
    out = [
        f'<g class="section" data-section="{_attr(section.key)}" '
        f'transform="{_transform(scale, section.x, section.y, section.rotation)}">'
    ]
    num = scale.num  # looked up once: this loop runs once per seat
    r = num(scale.seat_radius)
    section_key = _attr(section.key)
    section_name = _text(section.name)
    # Class lists, tooltip tails and seat labels ("1".."40") repeat across thousands of seats:
    # build each once. Labels cannot hold newlines or tabs, so one escaping serves attribute
    # and text alike.
    tails: dict[_Look, tuple[str, str]] = {}
    escaped: dict[str, str] = {}
    looks: Counter[_Look] = Counter()
    glyphs: list[str] = []
    for row in section.rows:
        if not row.seats:
            continue
        row_ref = f"{section_key}/{_attr(row.label)}/"
        row_title = f"{section_name}, row {_text(row.label)}, seat "
        for seat in row.seats:
            look = (seat.category, seat.accessible, seat.restricted_view, seat.companion)
            looks[look] += 1
            tail = tails.get(look)
            if tail is None:
                tail = tails[look] = _seat_tail(look, palette)
            classes, note = tail
            x, y = num(seat.x), num(seat.y)
            label = escaped.get(seat.label)
            if label is None:
                label = escaped[seat.label] = _attr(seat.label)
            ref = f"{row_ref}{label}"
            if seat_titles:
                out.append(
                    f'<circle class="seat {classes}" data-seat="{ref}" cx="{x}" cy="{y}" '
                    f'r="{r}"><title>{row_title}{label}{note}</title></circle>'
                )
            else:
                out.append(
                    f'<circle class="seat {classes}" data-seat="{ref}" cx="{x}" cy="{y}" r="{r}"/>'
                )
            if seat.accessible:
                glyphs.append(f'<use href="#wc" x="{x}" y="{y}"/>')
        out.extend(_row_labels(row.label, row.seats, scale, section.rotation))
    if glyphs:
        # After the seats, so no neighbouring seat covers a pictogram.
        out.append('<g class="wc">')
        out.extend(glyphs)
        out.append("</g>")
    out.append("</g>")
    for (category, accessible, restricted, companion), count in looks.items():
        palette.used[palette.css_class(category)] += count
        for flag, on in (
            ("accessible", accessible),
            ("restricted", restricted),
            ("companion", companion),
        ):
            if on:
                palette.flags.add(flag)
    return "".join(out)


def _seat_tail(look: _Look, palette: _Palette) -> tuple[str, str]:
    """A seat's classes after "seat", and its tooltip after the seat label."""
    category, accessible, restricted, companion = look
    known = palette.categories.get(category)
    classes = [palette.css_class(category)]
    notes = [known.name if known else "no category"]
    if accessible:
        classes.append("accessible")
        notes.append("wheelchair space")
    if restricted:
        classes.append("restricted")
        notes.append("restricted view")
    if companion:
        classes.append("companion")
        notes.append("companion seat")
    return " ".join(classes), _text(f" ({', '.join(notes)})")


def _row_labels(label: str, seats: list[Seat], scale: _Scale, rotation: float) -> list[str]:
    """The row's label just past each end seat, along the row's own direction there, so curved
    and slanted rows are labelled where a reader looks for it. Upright whatever the section's
    rotation: a bowl's side sections would otherwise read sideways or upside down."""
    text = _text(label)
    out = []
    ends = [(seats[0], seats[1] if len(seats) > 1 else None, -1.0)]
    ends.append((seats[-1], seats[-2] if len(seats) > 1 else None, 1.0))
    # Close to the end seat: neighbouring sections put their labels into the same aisle.
    reach = scale.spacing * 0.85
    upright = rotation % 360
    for end, neighbour, default in ends:
        dx, dy = default, 0.0
        if neighbour is not None:
            gap = math.hypot(end.x - neighbour.x, end.y - neighbour.y)
            if gap > 0:
                dx, dy = (end.x - neighbour.x) / gap, (end.y - neighbour.y) / gap
        x = scale.num(end.x + dx * reach)
        y = scale.num(end.y + dy * reach)
        turn = f' transform="rotate({_angle(-upright)} {x} {y})"' if upright else ""
        out.append(f'<text class="rl" x="{x}" y="{y}"{turn}>{text}</text>')
    return out


def _section_name(
    section: Section, area: _SeatedArea, scale: _Scale, overview: float, drawn: _Bounds
) -> str:
    """The name, upright, just above the seats in the middle of the section. Above the middle
    rather than above the whole box: a curved tier's box top is at its raised ends, and a name
    there floats over whatever lies between them."""
    bounds = area.bounds
    size = _fit(section.name, bounds.width + scale.spacing * 2, overview, scale.spacing * 0.8)
    x = (bounds.min_x + bounds.max_x) / 2
    y = area.top_near(x, max(scale.spacing * 1.5, bounds.width * 0.1))
    y -= scale.spacing * 0.5 + size * 0.25
    drawn.add_text(x, y - size * 0.35, section.name, size)
    return (
        f'<text class="sn" x="{scale.num(x)}" y="{scale.num(y)}" font-size="{scale.num(size)}">'
        f"{_text(section.name)}</text>"
    )


def _ga_section(
    section: Section,
    area: GeneralAdmissionArea,
    cls: str,
    scale: _Scale,
    overview: float,
    drawn: _Bounds,
) -> str:
    """A standing area: its outline filled in the category colour, labelled upright with its
    name and capacity at its centre."""
    if len(area.polygon) >= 3:
        local = [(point.x, point.y) for point in area.polygon]
        outline = f'<polygon class="{cls}" points="{_points(scale, local)}"/>'
    else:
        width, height = (scale.spacing * side for side in GA_PLACEHOLDER)
        local = [(0, 0), (width, 0), (width, height), (0, height)]
        outline = (
            f'<rect class="{cls}" width="{scale.num(width)}" height="{scale.num(height)}" '
            f'rx="{scale.num(scale.spacing / 2)}"/>'
        )
    on_map = [_turn_to_map(section, x, y) for x, y in local]
    own = _Bounds()
    for x, y in on_map:
        own.add(x, y)
    drawn.add_bounds(own)
    num = scale.num
    cx, cy = _centroid(on_map)
    name_size = _fit(section.name, own.width * 0.85, overview * 1.2, scale.spacing * 0.7)
    detail = f"standing · {_count(area.capacity)}"
    detail_size = _fit(detail, own.width * 0.85, name_size * 0.75, scale.spacing * 0.6)
    # Two lines centred as a block on the centroid: from the name's cap height down to the
    # detail line's baseline.
    cy += (name_size * 0.72 - detail_size * 1.45) / 2
    drawn.add_text(cx, cy, section.name, name_size)
    drawn.add_text(cx, cy + detail_size * 1.25, detail, detail_size)
    return (
        f'<g class="ga" data-section="{_attr(section.key)}" '
        f'transform="{_transform(scale, section.x, section.y, section.rotation)}">{outline}</g>'
        f'<text class="gl" x="{num(cx)}" y="{num(cy)}">'
        f'<tspan font-size="{num(name_size)}" font-weight="600">{_text(section.name)}</tspan>'
        f'<tspan x="{num(cx)}" dy="{num(detail_size * 1.25)}" font-size="{num(detail_size)}">'
        f"{_text(detail)}</tspan></text>"
    )


def _shape(shape: Shape, scale: _Scale, overview: float, drawn: _Bounds) -> str:
    if shape.kind == "polygon":
        if len(shape.points) < 2:
            return ""
        local = [(point.x, point.y) for point in shape.points]
        for x, y in _placed_points(shape):
            drawn.add(x, y)
        transform = _transform(scale, shape.x, shape.y, shape.rotation)
        element = (
            f'<polygon class="outline" points="{_points(scale, local)}" transform="{transform}"/>'
        )
        placed = _placed_points(shape)
        own = _Bounds()
        for x, y in placed:
            own.add(x, y)
        return element + _shape_caption(shape, scale, overview, own, *_centroid(placed))
    if not (shape.width and shape.height):
        return ""
    cx, cy = shape.x + shape.width / 2, shape.y + shape.height / 2
    own = _Bounds()
    for corner_x, corner_y in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        tx, ty = _turn(corner_x * shape.width / 2, corner_y * shape.height / 2, shape.rotation)
        own.add(cx + tx, cy + ty)
    drawn.add_bounds(own)
    turn = f' transform="rotate({_angle(shape.rotation)} {scale.num(cx)} {scale.num(cy)})"'
    turn = turn if shape.rotation % 360 else ""
    box = f'x="{scale.num(shape.x)}" y="{scale.num(shape.y)}" width="{scale.num(shape.width)}" '
    box += f'height="{scale.num(shape.height)}"'
    if shape.kind == "stage":
        text = shape.text or "STAGE"
        # Bold and letter-spaced: about half as wide again as TEXT_WIDTH assumes.
        smallest = min(shape.width, shape.height) * 0.15
        size = _fit(text, shape.width * 0.8 / 1.5, shape.height * 0.4, smallest)
        rounding = scale.num(min(shape.width, shape.height) * 0.08)
        return (
            f'<g class="stage"{turn}><rect {box} rx="{rounding}"/>'
            f'<text x="{scale.num(cx)}" y="{scale.num(cy)}" font-size="{scale.num(size)}">'
            f"{_text(text)}</text>"
            "</g>"
        )
    if shape.kind == "ellipse":
        element = (
            f'<ellipse class="outline" cx="{scale.num(cx)}" cy="{scale.num(cy)}" '
            f'rx="{scale.num(shape.width / 2)}" ry="{scale.num(shape.height / 2)}"{turn}/>'
        )
    else:
        element = f'<rect class="outline" {box}{turn}/>'
    return element + _shape_caption(shape, scale, overview, own, cx, cy)


def _placed_points(shape: Shape) -> list[tuple[float, float]]:
    placed = []
    for point in shape.points:
        tx, ty = _turn(point.x, point.y, shape.rotation)
        placed.append((shape.x + tx, shape.y + ty))
    return placed


def _shape_caption(
    shape: Shape, scale: _Scale, overview: float, box: _Bounds, x: float, y: float
) -> str:
    """An outline's own text (a bar, a mixing desk), upright in its middle, sized to the shape
    but never below half a name's size: on a big map a small desk's caption would vanish."""
    if not shape.text:
        return ""
    readable = min(overview, box.height) * 0.5
    size = _fit(shape.text, box.width * 0.9, min(overview, box.height * 0.5), readable)
    return (
        f'<text class="label" x="{scale.num(x)}" y="{scale.num(y)}" '
        f'font-size="{scale.num(size)}">{_text(shape.text)}</text>'
    )


def _text_shape(shape: Shape, scale: _Scale, drawn: _Bounds) -> str:
    # A text shape's height, when given, is its font size: what the editor's handle resizes.
    size = shape.height or scale.spacing * 0.8
    drawn.add_text(shape.x, shape.y, shape.text, size)
    turn = (
        f' transform="rotate({_angle(shape.rotation)} {scale.num(shape.x)} {scale.num(shape.y)})"'
    )
    turn = turn if shape.rotation % 360 else ""
    return (
        f'<text class="label" x="{scale.num(shape.x)}" y="{scale.num(shape.y)}" '
        f'font-size="{scale.num(size)}"{turn}>{_text(shape.text)}</text>'
    )


def _summary(document: SeatMapDocument) -> str:
    seats = seat_count(document)
    standing = sum(max(section.area.capacity, 0) for section in document.sections if section.area)
    parts = []
    if seats:
        parts.append(f"{_count(seats)} seat{'s' if seats != 1 else ''}")
    if standing:
        parts.append(f"{_count(standing)} standing")
    return " · ".join(parts)


def _legend(
    palette: _Palette,
    title: str,
    summary: str,
    scale: _Scale,
    size: float,
    drawn: _Bounds,
    margin: float,
) -> tuple[str, float]:
    """Below the map: the title and totals, then a swatch per category with its count, then the
    seat markings the map uses. Items flow left to right and wrap at the map's width."""
    items: list[tuple[str, str, str]] = []  # (swatch classes, name, count)
    for key, category in palette.categories.items():
        items.append((f"c-{key}", category.name, _count(palette.used[f"c-{key}"])))
    if palette.used[UNCATEGORIZED]:
        items.append((UNCATEGORIZED, "No category", _count(palette.used[UNCATEGORIZED])))
    markings = [
        ("accessible", "Wheelchair space"),
        ("companion", "Companion seat"),
        ("restricted", "Restricted view"),
    ]
    items.extend((f"mark {flag}", name, "") for flag, name in markings if flag in palette.flags)
    heading = " · ".join(part for part in (title, summary) if part)
    if not items and not heading:
        return "", 0.0

    # Swatches are seats scaled up, so rings and pictograms look exactly as on the map.
    zoom = f"{size * 0.5 / scale.seat_radius:.3g}"
    r = scale.num(scale.seat_radius)
    top = drawn.max_y + margin
    width = max(drawn.width, size * 30)
    line = size * 1.8
    out = ['<g class="legend">']
    y = top + size
    if heading:
        out.append(
            f'<text class="lh" x="{scale.num(drawn.min_x)}" y="{scale.num(y)}">'
            f"{_text(heading)}</text>"
        )
        y += line
    x = drawn.min_x
    for classes, name, count in items:
        item_width = size * (1.4 + TEXT_WIDTH * (len(name) + len(count) + 1))
        if x > drawn.min_x and x + item_width > drawn.min_x + width:
            x, y = drawn.min_x, y + line
        seat = f'<circle class="seat {classes}" r="{r}"/>'
        if "accessible" in classes:
            seat += '<use href="#wc" class="wc"/>'
        number = f'<tspan class="n"> {count}</tspan>' if count else ""
        out.append(
            f'<g transform="translate({scale.num(x + size * 0.5)} {scale.num(y - size * 0.35)}) '
            f'scale({zoom})">{seat}</g>'
            f'<text x="{scale.num(x + size * 1.3)}" y="{scale.num(y)}">{_text(name)}{number}</text>'
        )
        x += item_width + size
    out.append("</g>")
    return "".join(out), y - top + size * 0.6


def _defs(scale: _Scale) -> str:
    """The wheelchair pictogram drawn over accessible seats, sized to a seat once here. A dark
    halo under the white strokes keeps it legible on light category colours (yellow, pastel)."""
    figure = (
        '<circle cx="0" cy="-6.9" r="1.9"/>'
        '<path d="M0-3.6v4.6h4.4l2 5M-4-1.8A5 5 0 1 0 3.2 4.8" fill="none" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    )
    return (
        f'<defs><g id="wc" transform="scale({scale.seat_radius / 11:.3g}) translate(-0.8 0.6)">'
        f'<g fill="#202124" stroke="#202124" stroke-width="4" opacity=".35">{figure}</g>'
        f'<g fill="#fff" stroke="#fff" stroke-width="2">{figure}</g></g></defs>'
    )


def _stylesheet(categories: Iterable[Category], scale: _Scale, legend_size: float) -> str:
    stroke = scale.stroke
    rules = [
        "svg{font-family:system-ui,sans-serif}",
        f".bg{{fill:{BACKGROUND}}}",
        # No outline by default: seats a few pixels wide would look washed out by one.
        f".seat{{stroke-width:{scale.num(stroke * 1.5)}}}",
        ".seat:hover{stroke:#111}",
        f".accessible{{stroke:{ACCENT};stroke-width:{scale.num(stroke * 2.2)}}}",
        f".companion{{stroke:{ACCENT};stroke-width:{scale.num(stroke * 1.6)}}}",
        ".restricted{fill-opacity:.45;stroke:#3c4043;"
        f"stroke-width:{scale.num(stroke * 2)};stroke-dasharray:{scale.num(stroke * 3)}}}",
        ".wc{pointer-events:none}",
        f".mark{{fill:{NEUTRAL}}}",
        f".rl{{font-size:{scale.num(scale.row_label)}px;fill:#80868b;text-anchor:middle;"
        "dominant-baseline:central}",
        # A halo in the background colour keeps names readable where they cross seats.
        f".sn{{paint-order:stroke;stroke:{BACKGROUND};stroke-width:{scale.num(stroke * 4)};"
        "stroke-linejoin:round}",
        ".sn{fill:#3c4043;font-weight:600;text-anchor:middle}",
        f".ga polygon,.ga rect{{fill-opacity:.28;stroke:currentColor;"
        f"stroke-width:{scale.num(stroke * 2)}}}",
        ".gl{fill:#3c4043;text-anchor:middle}",
        ".stage rect{fill:#303136}",
        ".stage text{fill:#fff;font-weight:700;letter-spacing:.12em;text-anchor:middle;"
        "dominant-baseline:central}",
        ".outline{fill:#fff;fill-opacity:.6;stroke:#bdc1c6;"
        f"stroke-width:{scale.num(stroke * 2)}}}",
        # No font-size in classes of text that sizes itself: CSS would beat the attribute.
        ".label{fill:#5f6368;text-anchor:middle;dominant-baseline:central}",
        f".empty{{fill:#80868b;text-anchor:middle;font-size:{scale.num(EMPTY_HEIGHT / 8)}px}}",
        f".legend{{font-size:{scale.num(legend_size)}px;fill:#3c4043}}",
        ".lh{font-weight:600}",
        ".legend .n{fill:#80868b}",
        f".{UNCATEGORIZED}{{fill:{NEUTRAL};color:{NEUTRAL}}}",
    ]
    # Keys and colours were checked against their patterns (`_Palette.of`), so they are safe in
    # CSS and in XML; `color` lets the outlines of standing areas follow their category too.
    rules.extend(f".c-{c.key}{{fill:{c.color};color:{c.color}}}" for c in categories)
    return "".join(rules)
