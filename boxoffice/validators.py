"""Checks several apps share. They raise domain errors, like services do."""

import zoneinfo
from functools import cache

from babel import Locale
from babel.core import get_global

from boxoffice.error_codes import ErrorCode
from boxoffice.errors import Invalid

# CLDR's territories are ISO 3166-1's countries plus codes of its own: the EU and the eurozone
# (EU, EZ), Kosovo (XK, user-assigned in ISO), "unknown" (ZZ), the pseudo-locales (XA, XB),
# outlying Oceania and the UN (QO, UN), Sark (CQ) and ISO's exceptionally reserved codes
# (AC, CP, DG, EA, IC, TA). None is a country an account or a venue can be in.
NOT_ISO_3166 = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)


@cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk on every call.
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str) -> str:
    """The name if it is an IANA time zone, else Invalid `invalid_timezone`."""
    if name not in _time_zones():
        raise Invalid(f"Unknown time zone '{name}'.", code=ErrorCode.INVALID_TIMEZONE)
    return name


@cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, from CLDR through Babel: territories with a name today (not
    the historic codes CLDR keeps for currencies, such as SU or YU), less CLDR's own codes."""
    named = Locale("en").territories
    return (
        frozenset(
            code
            for code in get_global("territory_currencies")
            if len(code) == 2 and code.isalpha() and code in named
        )
        - NOT_ISO_3166
    )


def check_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 country code, upper-cased ("nl" -> "NL"), else `invalid_country`."""
    code = (code or "").strip().upper()
    if code not in countries():
        raise Invalid(
            "Country must be a two-letter ISO 3166 code, such as NL, KW or US.",
            code=ErrorCode.INVALID_COUNTRY,
        )
    return code
