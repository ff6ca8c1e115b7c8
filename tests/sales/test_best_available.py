import math
import random
from collections.abc import Callable

import pytest

from boxoffice.sales.best_available import Candidate, Choice, choose_accessible, choose_best


def seat_row(
    spec: str,
    *,
    row: int = 1,
    section: str = "A",
    rank: Callable[[int], float] | None = None,
    id_base: int = 0,
) -> list[Candidate]:
    """One row from a picture: `.` free, `x` taken, a space is an aisle (an index with no seat).
    Seat indexes start at 1; ids are id_base + row * 1000 + index; rank defaults to
    row * 100 + index."""
    seats = []
    for index, char in enumerate(spec, start=1):
        if char == " ":
            continue
        seats.append(
            Candidate(
                id=id_base + row * 1000 + index,
                section=section,
                row=f"{row:02d}",
                seat_index=index,
                rank=rank(index) if rank else row * 100.0 + index,
                available=char == ".",
            )
        )
    return seats


def ids(row: int, *indexes: int, id_base: int = 0) -> tuple[int, ...]:
    return tuple(id_base + row * 1000 + index for index in indexes)


def centred(centre: float, offset: float = 0.0) -> Callable[[int], float]:
    return lambda index: offset + abs(index - centre)


def reference(
    candidates: list[Candidate], quantity: int, exclude: frozenset[int] = frozenset()
) -> Choice | None:
    """The rules written as plainly as possible: try every free seat as the left end of a block."""
    free = {
        (seat.section, seat.row, seat.seat_index): seat
        for seat in candidates
        if seat.available and seat.id not in exclude
    }

    def free_count(section: str, row: str, index: int, step: int) -> int:
        count = 0
        while count < 2 and (section, row, index + step * (count + 1)) in free:
            count += 1
        return count

    clean, single = [], []
    for (section, row, first), _ in free.items():
        block = [free.get((section, row, first + offset)) for offset in range(quantity)]
        if None in block:
            continue
        key = (math.fsum(seat.rank for seat in block), section, row, first)
        left = free_count(section, row, first, -1)
        right = free_count(section, row, first + quantity - 1, 1)
        (single if 1 in (left, right) else clean).append((key, block))
    for found, leaves_single in ((clean, False), (single, True)):
        if found:
            _, block = min(found, key=lambda item: item[0])
            return Choice(tuple(seat.id for seat in block), True, leaves_single)
    if len(free) < quantity:
        return None
    best = sorted(free.values(), key=lambda s: (s.rank, s.section, s.row, s.seat_index, s.id))
    chosen = sorted(best[:quantity], key=lambda s: (s.section, s.row, s.seat_index))
    return Choice(tuple(seat.id for seat in chosen), False, None)  # leaves_single not compared


def assert_valid_block(choice: Choice, candidates: list[Candidate], quantity: int) -> None:
    by_id = {seat.id: seat for seat in candidates}
    seats = [by_id[seat_id] for seat_id in choice.ids]
    assert len(seats) == quantity
    assert all(seat.available for seat in seats)
    assert len({(seat.section, seat.row) for seat in seats}) == 1
    indexes = [seat.seat_index for seat in seats]
    assert indexes == list(range(indexes[0], indexes[0] + quantity))


def test_picks_the_block_nearest_the_focal_point():
    candidates = [
        *seat_row(".........", row=1, rank=centred(5, offset=10)),
        *seat_row(".........", row=2, rank=centred(5)),
        *seat_row(".........", row=3, rank=centred(5, offset=20)),
    ]

    assert choose_best(candidates, 3) == Choice(ids(2, 4, 5, 6), together=True, leaves_single=False)


def test_never_splits_a_pair_across_an_aisle():
    # Row 1's best seats 4 and 6 face each other across an aisle at index 5.
    aisle = seat_row("xxx. .xxx", row=1, rank=centred(5))
    candidates = [*aisle, *seat_row("xxx..xxxx", row=2, rank=centred(5, offset=50))]

    assert choose_best(candidates, 2) == Choice(ids(2, 4, 5), together=True, leaves_single=False)
    assert choose_best(aisle, 2, allow_split=False) is None
    assert choose_best(aisle, 2) == Choice(ids(1, 4, 6), together=False, leaves_single=False)


def test_run_of_five_for_three_leaves_zero_and_two_not_one_and_one():
    candidates = seat_row(".....", rank=centred(3))  # the middle block 2-4 is nearest

    choice = choose_best(candidates, 3)

    # 1-3 and 3-5 tie on rank; the lower seat_index wins.
    assert choice == Choice(ids(1, 1, 2, 3), together=True, leaves_single=False)


def test_run_of_four_for_three_falls_back_to_leaving_a_single():
    candidates = seat_row("x....x", rank=centred(3.5))  # 2-4 and 3-5 both leave one seat

    choice = choose_best(candidates, 3)

    assert choice == Choice(ids(1, 2, 3, 4), together=True, leaves_single=True)
    assert choose_best(candidates, 3, allow_split=False) == choice


def test_a_single_beside_an_aisle_counts_as_an_orphan():
    # Seats 1-4, an aisle, seats 6-8. Taking 1-3 (the nearest) would strand seat 4 against the
    # aisle and 2-4 would strand seat 1, so 6-8 it is.
    candidates = seat_row(".... ...")

    assert choose_best(candidates, 3) == Choice(ids(1, 6, 7, 8), together=True, leaves_single=False)


def test_worse_block_without_orphan_beats_better_block_leaving_one():
    candidates = [
        *seat_row("....xx", row=1, rank=centred(2.5)),  # any 3 of 4 leaves one
        *seat_row("...xxx", row=2, rank=centred(2.5, offset=30)),
    ]

    assert choose_best(candidates, 3) == Choice(ids(2, 1, 2, 3), together=True, leaves_single=False)


def test_single_seat_request_avoids_stranding_a_neighbour():
    candidates = seat_row("x...x", rank=centred(3))  # the middle seat is best but strands two

    assert choose_best(candidates, 1) == Choice(ids(1, 2), together=True, leaves_single=False)


def test_splits_when_no_row_has_enough_together():
    candidates = [
        *seat_row("..x..", row=1, rank=centred(3)),
        *seat_row(".x.x.", row=2, rank=centred(3, offset=0.5)),
    ]

    choice = choose_best(candidates, 3)

    # Lowest ranks: row 2 seat 3 (0.5), row 1 seats 2 and 4 (1.0); same-row seats come out
    # together. Taking seat 2 of row 1 strands seat 1 (and seat 4 strands seat 5).
    assert choice == Choice(ids(1, 2, 4) + ids(2, 3), together=False, leaves_single=True)


def test_split_reports_no_single_when_nothing_is_stranded():
    candidates = [*seat_row("..x", row=1), *seat_row("x..", row=2)]

    assert choose_best(candidates, 3) == Choice(
        ids(1, 1, 2) + ids(2, 2), together=False, leaves_single=True
    )
    assert choose_best(candidates, 4) == Choice(
        ids(1, 1, 2) + ids(2, 2, 3), together=False, leaves_single=False
    )


def test_no_split_when_not_allowed():
    candidates = [*seat_row(".x.x.", row=1), *seat_row(".x.", row=2)]

    assert choose_best(candidates, 2, allow_split=False) is None
    assert choose_best(candidates, 2).together is False


def test_exclude_treats_seats_as_taken():
    candidates = seat_row("......", rank=centred(3.5))
    first = choose_best(candidates, 2)
    assert first == Choice(ids(1, 3, 4), together=True, leaves_single=False)

    # A concurrent claim took seat 3: 4-5 is nearest but strands 6, and 5-6 strands 4.
    retry = choose_best(candidates, 2, exclude=[ids(1, 3)[0]])
    assert retry == Choice(ids(1, 1, 2), together=True, leaves_single=False)

    everything = {seat.id for seat in candidates}
    assert choose_best(candidates, 1, exclude=everything) is None


def test_none_when_too_few_free_seats():
    candidates = [*seat_row("x.x.x", row=1), *seat_row("xx.", row=2)]

    assert choose_best(candidates, 4) is None
    assert choose_best(candidates, 3) is not None
    assert choose_best([], 1) is None


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_must_be_positive(quantity):
    with pytest.raises(ValueError, match="quantity"):
        choose_best(seat_row("..."), quantity)


def test_ties_are_decided_by_section_row_and_seat_index_whatever_the_input_order():
    # Mirror-image blocks have the same ranks added in a different order. With these distances
    # plain float addition makes seats 8-11 an ulp worse than 9-12, and a sliding-window sum
    # drifts an ulp above the exact total of 8-11; the exact sums tie.
    def distance(index: int) -> float:
        return math.hypot(index - 10, 2.7)

    full = "..................."
    candidates = [
        *seat_row(full, row=2, section="B", rank=distance, id_base=100_000),
        *seat_row(full, row=2, section="A", rank=distance),
        *seat_row(full, row=1, section="B", rank=distance, id_base=100_000),
        *seat_row(full, row=3, section="A", rank=distance),
    ]
    shuffled = list(candidates)
    results = set()
    for seed in range(20):
        random.Random(seed).shuffle(shuffled)
        results.add(choose_best(shuffled, 4))

    # Blocks 8-11 and 9-12 are mirror images; section A, row 02 and seat 8 win.
    assert results == {Choice(ids(2, 8, 9, 10, 11), together=True, leaves_single=False)}


@pytest.mark.parametrize("seed", range(40))
def test_matches_the_plain_reading_of_the_rules(seed):
    rng = random.Random(seed)
    candidates = []
    for row in range(1, rng.randint(1, 6) + 1):
        spec = "".join(rng.choice(". . . . x x  ") for _ in range(rng.randint(1, 14)))
        candidates += seat_row(spec, row=row, rank=lambda _: round(rng.random() * 10, 1))
    free_ids = [seat.id for seat in candidates if seat.available]
    exclude = frozenset(rng.sample(free_ids, min(len(free_ids), rng.randint(0, 2))))

    for quantity in range(1, 6):
        got = choose_best(candidates, quantity, exclude=exclude)
        expected = reference(candidates, quantity, exclude)
        if expected is None or expected.together:
            assert got == expected
        else:
            assert got is not None
            assert (got.ids, got.together) == (expected.ids, False)


def big_category(seed: int, taken_share: float) -> list[Candidate]:
    """20,000 seats: 8 sections of 50 rows of 50, aisles after seats 12 and 38, a focal point
    in front of section 4."""
    rng = random.Random(seed)
    candidates = []
    for section in range(8):
        for row in range(50):
            for seat in range(50):
                index = seat + 1 + (seat >= 12) + (seat >= 38)
                candidates.append(
                    Candidate(
                        id=len(candidates) + 1,
                        section=f"S{section}",
                        row=f"{row:02d}",
                        seat_index=index,
                        rank=math.hypot((section - 4) * 60 + seat - 25, row + 5),
                        available=rng.random() >= taken_share,
                    )
                )
    return candidates


@pytest.mark.parametrize("taken_share", [0.0, 0.5, 0.85])
def test_twenty_thousand_candidates(taken_share):
    candidates = big_category(seed=7, taken_share=taken_share)
    assert len(candidates) == 20_000

    for quantity in (2, 6, 10):
        choice = choose_best(candidates, quantity)
        expected = reference(candidates, quantity)
        assert choice is not None
        if choice.together:
            assert_valid_block(choice, candidates, quantity)
            assert choice == expected
        else:
            assert (choice.ids, expected.together) == (expected.ids, False)


def flagged_row(spec: str, *, row: int = 1) -> list[Candidate]:
    """A row from a picture as `seat_row`, with `W` a free wheelchair space, `C` a free
    companion seat and `w` a taken wheelchair space."""
    plain = seat_row(spec.replace("W", ".").replace("C", ".").replace("w", "x"), row=row,
                     rank=centred(len(spec) / 2 + 0.5))  # fmt: skip
    flags = [char for char in spec if char != " "]
    return [
        Candidate(
            id=seat.id, section=seat.section, row=seat.row, seat_index=seat.seat_index,
            rank=seat.rank, available=seat.available, wheelchair=flag in "Ww",
            companion=flag == "C",
        )
        for seat, flag in zip(plain, flags, strict=True)
    ]  # fmt: skip


def test_accessible_takes_the_companion_seat_before_a_better_ordinary_one():
    # W at 5: the pair 5-6 ranks as well as 4-5, but 4 is its companion seat.
    candidates = flagged_row("...CW...")
    assert choose_accessible(candidates, 2) == Choice(ids(1, 4, 5), True, False)
    assert choose_accessible(candidates, 1).ids == ids(1, 5)


def test_accessible_never_uses_two_wheelchair_spaces_for_one_request():
    assert choose_accessible(flagged_row("xWWx"), 2) is None
    assert choose_accessible(flagged_row("xWW.x"), 2).ids == ids(1, 3, 4)


def test_accessible_is_none_without_a_free_space_or_enough_beside_it():
    assert choose_accessible(flagged_row("..w.."), 1) is None
    assert choose_accessible(flagged_row("xWx..."), 2) is None
    assert choose_accessible(flagged_row("xW x"), 2) is None  # an aisle is not beside
