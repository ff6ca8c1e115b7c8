"""The one rule for times people type and read: an event's times are in its zone (its venue's
zone when it was created), typed times mean that zone, and every time shown is in it and names
it. The database stores UTC. Used by templates (`{% load times %}`), emails, CSV and the console.
"""

import zoneinfo
from datetime import datetime
from typing import Any

from django.utils import dateformat

from boxoffice.error_codes import ErrorCode
from boxoffice.errors import Invalid

# Django date-format strings; every style with a clock time ends with the zone's abbreviation
# (T: "PST", "NZDT", or "+04" where the zone has none), so no time is shown without its zone.
STYLES = {
    "long": "l j F Y, H:i T",  # Friday 4 December 2026, 20:00 PST
    "short": "D j M Y, H:i T",  # Fri 4 Dec 2026, 20:00 PST
    "datetime": "j M Y H:i T",  # 4 Dec 2026 20:00 PST
    "day": "D j M, H:i T",  # Fri 4 Dec, 20:00 PST
    "seconds": "j M H:i:s T",  # 4 Dec 20:00:05 PST
    "time": "H:i T",  # 20:00 PST
    "date": "j F Y",  # 4 December 2026 (the date where the event is)
    "input": "Y-m-d H:i",  # what the console's text fields show and read back
    "iso": "c",  # 2026-12-04T20:00:00-08:00 (to the second), for <time datetime> and files
}


def zone_of(where: Any) -> zoneinfo.ZoneInfo:
    """The zone of an event, a venue or an organizer (anything with `.timezone`), a zone name
    or a ZoneInfo."""
    if isinstance(where, zoneinfo.ZoneInfo):
        return where
    name = where if isinstance(where, str) else where.timezone
    return zoneinfo.ZoneInfo(name)


def local(value: datetime, where: Any) -> datetime:
    """`value` (aware) as a wall-clock time in the zone of `where`."""
    return value.astimezone(zone_of(where))


def format_time(value: datetime | None, where: Any, style: str = "long") -> str:
    """`value` in the zone of `where`, in one of STYLES; "" for no value."""
    if value is None:
        return ""
    if style == "iso":
        return local(value, where).isoformat(timespec="seconds")
    return dateformat.format(local(value, where), STYLES[style])


def zone_label(where: Any) -> str:
    """How a zone is named next to a field or a heading: "America/Los_Angeles"."""
    return zone_of(where).key


def typed_time(value: datetime, where: Any) -> datetime:
    """A wall-clock time a person typed (naive) as the aware moment it means in the zone of
    `where`. A time the clocks skip or pass twice (a DST change) is refused, not guessed."""
    zone = zone_of(where)
    if value.tzinfo is not None:
        return value
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # fold=0 and fold=1 differ only for ambiguous or skipped wall times.
        back = first.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(zone)
        skipped = back.replace(tzinfo=None) != value
        shown = dateformat.format(value, "j M Y H:i")
        if skipped:
            raise Invalid(
                f"{shown} does not exist in {zone.key}: the clocks skip it.",
                code=ErrorCode.NONEXISTENT_TIME,
            )
        raise Invalid(
            f"{shown} happens twice in {zone.key} (the clocks go back): choose another time.",
            code=ErrorCode.AMBIGUOUS_TIME,
        )
    return first
