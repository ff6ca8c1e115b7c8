"""One parser per kind of untrusted value, used by every API and page (issue 21: no 500 on any
input). Each turns what PostgreSQL or Python would choke on into a 4xx at the edge:

- integers that index or page (`offset`, `limit`): bounded to PostgreSQL's bigint;
- datetimes: a day inside Python's year 1..9999 (so any zone's reading of them stays in range),
  with a UTC offset PostgreSQL accepts (±15:59; Python allows ±23:59), sent to the database
  in UTC;
- text in paths, query strings and JSON bodies: no NUL (PostgreSQL text cannot hold it) and no lone
  UTF-16 surrogates (not encodable as UTF-8);
- secrets: compared as UTF-8 bytes in constant time, so any string is merely a wrong secret.

PATCH bodies follow one rule: an absent field is unchanged; `null` is accepted only where the
field is nullable (schemas declare the others as `X = None` without `| None`, so an explicit
null fails validation with 422 and the OpenAPI schema says "not nullable").
"""

import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from pydantic import AfterValidator

from boxoffice.error_codes import ErrorCode
from boxoffice.errors import Invalid

BIGINT_MAX = 2**63 - 1
MAX_PAGE = 1000

# PostgreSQL's limit on a time zone displacement (Python allows up to ±23:59).
MAX_OFFSET = timedelta(hours=15, minutes=59, seconds=59)
_EARLIEST = datetime.min + timedelta(days=2)
_LATEST = datetime.max - timedelta(days=2)


def check_datetime(value: datetime) -> datetime:
    """`value` if every zone's reading of it is a real datetime; aware values come back in UTC."""
    if not _EARLIEST <= value.replace(tzinfo=None) <= _LATEST:
        raise ValueError("The date must be between the years 1 and 9999.")
    if value.tzinfo is None:
        return value
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValueError("The UTC offset must be between -15:59 and +15:59.")
    return value.astimezone(UTC)


# A datetime from a client, safe to compare with or store in a timestamptz column.
ClientDateTime = Annotated[datetime, AfterValidator(check_datetime)]

# An integer that PostgreSQL's bigint holds (ids, counters, offsets).
BigInt = Annotated[int, Field(ge=-BIGINT_MAX - 1, le=BIGINT_MAX)]


class Pagination(LimitOffsetPagination):
    """ninja's limit/offset pages with both numbers bounded (an offset past bigint used to reach
    PostgreSQL and come back as a 500)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=BIGINT_MAX)


def parse_offset(text: str | None) -> int:
    """A page offset from a query string, for HTML pages: anything odd means the first page."""
    try:
        offset = int(text or 0)
    except ValueError:
        return 0
    return offset if 0 <= offset <= BIGINT_MAX else 0


def bad_character(text: str) -> str | None:
    """What is wrong with `text` for storage ('NUL', 'lone surrogate'), or None."""
    if "\x00" in text:
        return "NUL"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "lone surrogate"
    return None


def _refuse(problem: str, where: str) -> Invalid:
    return Invalid(
        f"The {where} contains a {problem} character, which is not allowed.",
        code=ErrorCode.INVALID_CHARACTERS,
        character=problem,
    )


def _check_json(value: Any, depth: int = 0) -> None:
    if isinstance(value, str):
        problem = bad_character(value)
        if problem:
            raise _refuse(problem, "request body")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


class CheckedParser(Parser):
    """ninja's JSON body parsing, refusing text that cannot be stored (422 `invalid_characters`;
    ninja wraps parse errors as 400, boxoffice.api_errors unwraps ours). Paths and query strings
    are checked earlier, for pages too (boxoffice.middleware.UnstorableTextMiddleware)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        _check_json(data)
        return data


def secrets_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a secret we made with one a client sent, whatever it holds."""
    given_bytes = (given or "").encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected.encode("utf-8"), given_bytes)
