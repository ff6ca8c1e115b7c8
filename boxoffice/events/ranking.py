"""How good a seat is: `EventSeat.rank`, lower is better. Pure functions over plain values.

Best available (boxoffice/sales/best_available.py) picks the block with the lowest total rank,
so this is where "what a box-office manager calls the best seat" is written down. Plain distance
to the focal point got it wrong: the front corner of an angled side block is as near the stage as
the middle of row J, yet nobody sells it first. A seat's rank is the sum of three terms, each in
map units (the map's coordinates, so a seat spacing is ~30 on the sample maps):

- **distance / cos(viewing angle)**: the distance to the focal point, divided by the cosine of
  the angle between the line of sight and the map's centre line (the vertical line through the
  focal point; the stage is at the top of a map). Straight ahead it is the distance; at 45° it is
  1.41 times it, so a seat that sees the stage from the side ranks as one much further back.
  Past `MAX_ANGLE` degrees a seat counts as beside the stage: seats level with or behind the
  focal point get the worst factor (and the whole distance as off-centre) rather than an
  infinite or negative rank.
- **off-centre penalty**: `OFF_CENTRE` times the distance from the centre line, so equal rows
  fill from the middle outwards and a centre block beats a side block at the same depth. It is
  measured from the whole map's centre line, not a section's own middle: the middle of a side
  block is still off to one side.
- **front-row penalty**: `FRONT_ROW` seat spacings added to each section's front row (the row of
  a section of two or more rows nearest the focal point). Right at the front the stage is above
  eye level and too close to take in (in a circle or tier, the rail is in the line of sight), so
  the second row is better. A section of one row has no row behind it to compare with.

The seat spacing is the map's median distance between neighbours in a row, so the penalty scales
with the map's units. Ranks are rounded to 2 decimals, and depend only on the seats' positions
and rows, so mirror-image seats rank the same and copying the same map twice gives the same
ranks.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

# Past this angle to the centre line a seat counts as beside the stage (cos 80° ≈ 0.17: a factor
# of about 5.8), so seats level with or behind the stage rank worst without dividing by zero.
MAX_ANGLE = 80.0
# Map units of rank per map unit off the centre line.
OFF_CENTRE = 0.5
# Seat spacings added to a section's front row.
FRONT_ROW = 2.5

_MIN_COSINE = math.cos(math.radians(MAX_ANGLE))


class Place(NamedTuple):
    """A seat as ranking sees it: its section and row, and its absolute position on the map."""

    section: str
    row: str
    x: float
    y: float


def seat_spacing(seats: Sequence[Place]) -> float:
    """The median distance between neighbouring seats of a row (seats in document order, along
    their rows), or 0 when no row has two seats."""
    by_row: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for seat in seats:
        by_row[(seat.section, seat.row)].append(seat)
    steps = [
        math.dist((a.x, a.y), (b.x, b.y))
        for members in by_row.values()
        for a, b in pairwise(members)
    ]
    return statistics.median(steps) if steps else 0.0


def front_rows(seats: Sequence[Place], focal: tuple[float, float]) -> set[tuple[str, str]]:
    """(section, row) of each section's front row: of a section with two or more rows, the row
    whose seats are on average nearest the focal point (the first such row on a tie)."""
    by_row: dict[tuple[str, str], list[float]] = defaultdict(list)
    for seat in seats:
        by_row[(seat.section, seat.row)].append(math.dist((seat.x, seat.y), focal))
    nearest: dict[str, tuple[float, tuple[str, str]]] = {}
    rows_in: dict[str, int] = defaultdict(int)
    for key, distances in by_row.items():  # document order: the first row wins a tie
        section = key[0]
        rows_in[section] += 1
        mean = math.fsum(distances) / len(distances)
        if section not in nearest or mean < nearest[section][0]:
            nearest[section] = (mean, key)
    return {key for section, (_mean, key) in nearest.items() if rows_in[section] > 1}


def view_rank(x: float, y: float, focal: tuple[float, float]) -> float:
    """Distance to the focal point over the cosine of the viewing angle, plus the off-centre
    penalty (the first two terms of the module doc), unrounded."""
    fx, fy = focal
    across, depth = abs(x - fx), y - fy
    distance = math.hypot(across, depth)
    if distance == 0:
        return 0.0
    cosine = depth / distance
    if cosine < _MIN_COSINE:
        # Beside or behind the stage: as bad as the widest angle, all of the distance off-centre.
        return distance / _MIN_COSINE + OFF_CENTRE * distance
    return distance / cosine + OFF_CENTRE * across


def rank_seats(seats: Sequence[Place], focal: tuple[float, float]) -> list[float]:
    """The rank of each seat (in the order given: document order, seats along their rows), as
    `EventSeat.rank` stores it."""
    front = front_rows(seats, focal)
    penalty = FRONT_ROW * seat_spacing(seats)
    return [
        round(view_rank(seat.x, seat.y, focal) + penalty * ((seat.section, seat.row) in front), 2)
        for seat in seats
    ]
