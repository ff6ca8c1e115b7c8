"""boxoffice.times: the one rule for shown and typed times."""

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from boxoffice.errors import Invalid
from boxoffice.times import format_time, typed_time

MOMENT = datetime(2027, 1, 16, 4, 0, 30, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("style", "shown"),
    [
        ("long", "Friday 15 January 2027, 20:00 PST"),
        ("short", "Fri 15 Jan 2027, 20:00 PST"),
        ("datetime", "15 Jan 2027 20:00 PST"),
        ("day", "Fri 15 Jan, 20:00 PST"),
        ("seconds", "15 Jan 20:00:30 PST"),
        ("time", "20:00 PST"),
        ("date", "15 January 2027"),
        ("iso", "2027-01-15T20:00:30-08:00"),
    ],
)
def test_every_style_is_the_zones_wall_clock_and_names_it(style, shown):
    assert format_time(MOMENT, "America/Los_Angeles", style) == shown


def test_far_zones_on_both_sides_and_no_value():
    assert format_time(MOMENT, "Pacific/Auckland", "day") == "Sat 16 Jan, 17:00 NZDT"
    assert format_time(None, "Pacific/Auckland") == ""


def test_typed_times_mean_the_zone_and_dst_gaps_and_repeats_are_refused():
    typed = typed_time(datetime(2027, 7, 1, 20, 0), "Pacific/Auckland")
    assert typed == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)  # NZST, UTC+12
    with pytest.raises(Invalid) as skipped:
        typed_time(datetime(2027, 3, 14, 2, 30), "America/Los_Angeles")
    assert skipped.value.code == "nonexistent_time"
    with pytest.raises(Invalid) as twice:
        typed_time(datetime(2027, 4, 4, 2, 30), "Pacific/Auckland")
    assert twice.value.code == "ambiguous_time"


def test_zones_are_made_in_one_place():
    """Which zone a time is in is decided by `times.zone_of` alone (an event's, a venue's, an
    organizer's): no other module builds a ZoneInfo, so the rule cannot drift in a copy."""
    root = Path(__file__).resolve().parents[2]
    made_elsewhere = []
    for package in ("boxoffice", "tenants", "seatmaps", "checkin"):
        for path in sorted((root / package).rglob("*.py")):
            if path == root / "boxoffice" / "times.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                called = node.func if isinstance(node, ast.Call) else None
                name = getattr(called, "attr", None) or getattr(called, "id", None)
                if name == "ZoneInfo":
                    made_elsewhere.append(f"{path.relative_to(root)}:{node.lineno}")
    assert made_elsewhere == []
