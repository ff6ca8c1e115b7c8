"""Numbering schemes for seats and rows: pure functions from a count and a scheme to labels.

Seat labels come out in left-to-right order (as seen from the seat, facing the stage) and row
labels in front-to-back order, so a caller zips them with seats sorted by x or rows sorted by y
without thinking about direction: the direction is the scheme's business.
"""

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from boxoffice.errors import Invalid
from seatmaps.error_codes import ErrorCode

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Six digits or four letters are far beyond any venue, and keep labels inside LABEL_PATTERN.
MAX_SEAT_NUMBER = 999_999
_LETTERS = re.compile(r"^[A-Z]{1,4}$")
_NUMBER = re.compile(r"^[0-9]{1,6}$")


class _Scheme(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeatNumbering(_Scheme):
    """How seats in a row are numbered.

    `odd`/`even` give 1, 3, 5… or 2, 4, 6… (starting at the first such number >= `start`), as
    theatres do when the odd seats are on one side of the house and the even on the other.
    `rtl` makes the numbers run from the right-hand end of the row.
    """

    start: int = Field(default=1, ge=0, le=MAX_SEAT_NUMBER)
    scheme: Literal["consecutive", "odd", "even"] = "consecutive"
    direction: Literal["ltr", "rtl"] = "ltr"


class RowLabeling(_Scheme):
    """How rows are labelled: letters A..Z, AA, AB… (minus `skip`, by default I and O, which
    read like 1 and 0) or numbers; `back_to_front` starts the sequence at the back row."""

    scheme: Literal["letters", "numbers"] = "letters"
    start: str = Field(default="A", min_length=1, max_length=6)
    skip: list[Annotated[str, Field(pattern=r"^[A-Z]$")]] = Field(
        default_factory=lambda: ["I", "O"], max_length=26
    )
    direction: Literal["front_to_back", "back_to_front"] = "front_to_back"


def seat_labels(count: int, numbering: SeatNumbering) -> list[str]:
    """Labels for `count` seats, listed left to right."""
    _check_count(count)
    step = 1 if numbering.scheme == "consecutive" else 2
    first = numbering.start
    wanted_parity = {"odd": 1, "even": 0}.get(numbering.scheme)
    if wanted_parity is not None and first % 2 != wanted_parity:
        first += 1
    last = first + step * (count - 1)
    if last > MAX_SEAT_NUMBER:
        raise Invalid(
            f"Seat numbers would run up to {last}; the highest allowed is {MAX_SEAT_NUMBER}.",
            code=ErrorCode.INVALID_NUMBERING,
        )
    numbers = [str(first + step * index) for index in range(count)]
    return numbers[::-1] if numbering.direction == "rtl" else numbers


def row_labels(count: int, labeling: RowLabeling) -> list[str]:
    """Labels for `count` rows, listed front (nearest the stage) to back."""
    _check_count(count)
    if labeling.scheme == "numbers":
        labels = _number_labels(count, labeling.start)
    else:
        labels = _letter_labels(count, labeling.start, labeling.skip)
    return labels[::-1] if labeling.direction == "back_to_front" else labels


def _check_count(count: int) -> None:
    if count < 0:
        raise Invalid(f"Cannot label {count} items.", code=ErrorCode.INVALID_NUMBERING)


def _number_labels(count: int, start: str) -> list[str]:
    if not _NUMBER.match(start):
        raise Invalid(
            f"Numbered rows need a whole number to start from, not '{start}'.",
            code=ErrorCode.INVALID_NUMBERING,
        )
    first = int(start)
    if first + count - 1 > MAX_SEAT_NUMBER:
        raise Invalid(
            f"Row numbers would run past {MAX_SEAT_NUMBER}.",
            code=ErrorCode.INVALID_NUMBERING,
        )
    return [str(first + index) for index in range(count)]


def _letter_labels(count: int, start: str, skip: list[str]) -> list[str]:
    alphabet = _usable_letters(skip)
    if not _LETTERS.match(start):
        raise Invalid(
            f"Lettered rows need a start of capital letters such as 'A' or 'AA', not '{start}'.",
            code=ErrorCode.INVALID_NUMBERING,
        )
    if skipped := sorted(set(start) - set(alphabet)):
        raise Invalid(
            f"The start row '{start}' uses the skipped letter{'s' if len(skipped) > 1 else ''} "
            f"{', '.join(skipped)}.",
            code=ErrorCode.INVALID_NUMBERING,
        )
    first = letters_to_index(start, alphabet)
    labels = [index_to_letters(first + offset, alphabet) for offset in range(count)]
    if labels and len(labels[-1]) > 4:
        raise Invalid("Row letters would run past four letters.", code=ErrorCode.INVALID_NUMBERING)
    return labels


def _usable_letters(skip: list[str]) -> str:
    alphabet = "".join(letter for letter in ALPHABET if letter not in skip)
    if not alphabet:
        raise Invalid(
            "Every letter is skipped; no row can be labelled.",
            code=ErrorCode.INVALID_NUMBERING,
        )
    return alphabet


def index_to_letters(index: int, alphabet: str = ALPHABET) -> str:
    """The spreadsheet-style label for a 0-based index: A..Z, AA, AB… (bijective base-n).

    Built only from `alphabet`, so a label containing a skipped letter can never appear.
    """
    base = len(alphabet)
    letters = []
    number = index + 1
    while number > 0:
        number, remainder = divmod(number - 1, base)
        letters.append(alphabet[remainder])
    return "".join(reversed(letters))


def letters_to_index(label: str, alphabet: str = ALPHABET) -> int:
    """The inverse of `index_to_letters`."""
    base = len(alphabet)
    number = 0
    for letter in label:
        number = number * base + alphabet.index(letter) + 1
    return number - 1


__all__ = [
    "RowLabeling",
    "SeatNumbering",
    "index_to_letters",
    "letters_to_index",
    "row_labels",
    "seat_labels",
]
