"""Seat and row numbering schemes (pure functions, no database)."""

import pytest
from pydantic import ValidationError

from boxoffice.errors import Invalid
from seatmaps.numbering import (
    RowLabeling,
    SeatNumbering,
    index_to_letters,
    letters_to_index,
    row_labels,
    seat_labels,
)


def test_seats_are_numbered_one_to_n_left_to_right_by_default():
    assert seat_labels(5, SeatNumbering()) == ["1", "2", "3", "4", "5"]


def test_seat_numbers_can_start_anywhere():
    assert seat_labels(3, SeatNumbering(start=101)) == ["101", "102", "103"]


def test_right_to_left_numbers_run_from_the_right_end():
    assert seat_labels(4, SeatNumbering(direction="rtl")) == ["4", "3", "2", "1"]


def test_odd_numbers_start_at_the_first_odd_number_not_below_start():
    assert seat_labels(4, SeatNumbering(scheme="odd")) == ["1", "3", "5", "7"]
    assert seat_labels(3, SeatNumbering(scheme="odd", start=4)) == ["5", "7", "9"]


def test_even_numbers_start_at_the_first_even_number_not_below_start():
    assert seat_labels(4, SeatNumbering(scheme="even")) == ["2", "4", "6", "8"]
    assert seat_labels(2, SeatNumbering(scheme="even", start=0)) == ["0", "2"]
    assert seat_labels(2, SeatNumbering(scheme="even", start=10)) == ["10", "12"]


def test_odd_numbers_right_to_left_put_seat_one_on_the_right():
    # House-left blocks count up away from the centre aisle, which is on their right.
    assert seat_labels(4, SeatNumbering(scheme="odd", direction="rtl")) == ["7", "5", "3", "1"]


def test_no_seats_no_labels():
    assert seat_labels(0, SeatNumbering()) == []


def test_seat_numbers_beyond_six_digits_are_refused():
    with pytest.raises(Invalid) as caught:
        seat_labels(3, SeatNumbering(start=999_998))
    assert caught.value.code == "invalid_numbering"


def test_rows_are_lettered_front_to_back_skipping_i_and_o():
    assert row_labels(16, RowLabeling()) == list("ABCDEFGHJKLMNPQR")


def test_letters_roll_over_from_z_to_aa():
    assert row_labels(4, RowLabeling(start="Y")) == ["Y", "Z", "AA", "AB"]
    assert row_labels(26, RowLabeling(skip=[]))[-1] == "Z"
    assert row_labels(27, RowLabeling(skip=[]))[-1] == "AA"


def test_two_letter_labels_never_contain_a_skipped_letter():
    labels = row_labels(24 * 25, RowLabeling())
    assert len(set(labels)) == len(labels)
    assert not any("I" in label or "O" in label for label in labels)
    assert labels[24 + 7 : 24 + 9] == ["AH", "AJ"]
    assert labels[-1] == "ZZ"


def test_letters_can_start_at_a_double_letter():
    assert row_labels(3, RowLabeling(start="AA", skip=[])) == ["AA", "AB", "AC"]


def test_rows_can_be_numbered():
    assert row_labels(3, RowLabeling(scheme="numbers", start="1")) == ["1", "2", "3"]
    assert row_labels(2, RowLabeling(scheme="numbers", start="10")) == ["10", "11"]


def test_back_to_front_gives_the_back_row_the_first_label():
    assert row_labels(3, RowLabeling(direction="back_to_front")) == ["C", "B", "A"]
    labeling = RowLabeling(scheme="numbers", start="1", direction="back_to_front")
    assert row_labels(3, labeling) == ["3", "2", "1"]


@pytest.mark.parametrize(
    "labeling",
    [
        RowLabeling(start="I"),
        RowLabeling(start="AO"),
        RowLabeling(start="a"),
        RowLabeling(start="7"),
        RowLabeling(scheme="numbers", start="A"),
        RowLabeling(skip=list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
    ],
)
def test_impossible_row_labelings_are_refused(labeling):
    with pytest.raises(Invalid) as caught:
        row_labels(3, labeling)
    assert caught.value.code == "invalid_numbering"


def test_skipped_letters_must_be_single_capitals():
    with pytest.raises(ValidationError):
        RowLabeling(skip=["ij"])


def test_negative_counts_are_refused():
    with pytest.raises(Invalid):
        row_labels(-1, RowLabeling())


def test_letter_index_round_trips():
    alphabet = "ABC"
    for index in range(50):
        assert letters_to_index(index_to_letters(index, alphabet), alphabet) == index
    assert [index_to_letters(index, alphabet) for index in range(5)] == ["A", "B", "C", "AA", "AB"]
