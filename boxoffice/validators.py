"""Checks several apps share. They raise domain errors, like services do."""

import zoneinfo
from functools import cache

from boxoffice.errors import Invalid


@cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk on every call.
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str) -> str:
    """The name if it is an IANA time zone, else Invalid `invalid_timezone`."""
    if name not in _time_zones():
        raise Invalid(f"Unknown time zone '{name}'.", code="invalid_timezone")
    return name
