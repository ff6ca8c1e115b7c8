"""Best available: choose `quantity` seats of one category in one event.

A pure function over plain values (no Django, no database), so that the claim code can call it on
a snapshot of a category, try to claim the answer, and call it again with the seats it lost to a
concurrent claim in `exclude`.

Seats sit in rows, identified by (section, row). In a row, `seat_index` orders seats left to
right: physically adjacent seats have consecutive indexes, and an aisle or gap skips at least one
index. A *free run* is a maximal stretch of free seats with consecutive indexes; it ends at a
taken seat (held, sold, blocked, or excluded), at a gap in `seat_index`, or at the end of the row.
Seats of other categories are not among the candidates, so inside a row they count as a gap.

The stated fallback, in order of preference:

1. A block of `quantity` adjacent seats in one row (one free run, consecutive `seat_index`) that
   leaves no single empty seat: the leftover of the run on each side of the block is 0 or at least
   2 seats (the no-orphan rule). `Choice(together=True, leaves_single=False)`.
2. Otherwise a block of `quantity` adjacent seats in one row that does leave a single empty seat on
   one side or both. `Choice(together=True, leaves_single=True)`.
3. Otherwise, if `allow_split`: the `quantity` lowest-ranked free seats, returned ordered by
   (section, row, seat_index) so that seats of the same row come out next to each other.
   `Choice(together=False)`; `leaves_single` tells whether taking them leaves a single free seat
   isolated next to a chosen one.
4. Otherwise `None`: not enough free seats, or none together and splitting is not allowed.

Among blocks of the same rule, the lowest total rank (sum of `rank`, lower is better: the rule
is boxoffice/events/ranking.py, applied when an event's inventory is made) wins; equal totals
go to the lower (section, row, first seat_index). Totals are compared exactly (`math.fsum`), so
mirror-image blocks tie whatever the order of the candidates, and the answer depends only on the
set of candidates, never on their order.

Accessible seating (`choose_accessible`) is a separate rule: one wheelchair space and
`quantity - 1` seats beside it in the same free run, companion seats before other seats, then the
lowest total rank; never split, never two wheelchair spaces for one request. Which seats are
candidates at all (wheelchair spaces and companion seats are kept out of general requests) is the
caller's choice: boxoffice/sales/services/holds.py.

Cost: one pass to group by row, a sort per row by `seat_index` (linear when the candidates already
come in seat order), and one sliding-window pass over each free run; the exact sum is computed only
for windows that come within rounding distance of the best so far. The split fallback adds a
partial selection of `quantity` seats (`heapq.nsmallest`); nothing sorts all candidates by rank.
"""

from __future__ import annotations

import heapq
import math
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from operator import attrgetter


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int  # EventSeat id
    section: str
    row: str
    seat_index: int
    rank: float
    available: bool  # free to claim now (available, or held with an expired hold)
    wheelchair: bool = False  # a wheelchair space (only `choose_accessible` looks)
    companion: bool = False  # a companion seat, beside a wheelchair space


@dataclass(frozen=True, slots=True)
class Choice:
    ids: tuple[int, ...]  # chosen seat ids, left to right
    together: bool  # all in one row, consecutive seat_index
    leaves_single: bool  # the choice leaves a single empty seat next to it


# Sliding-window sums drift from the exact sum by a few ulps per add/subtract; this bounds it.
_DRIFT = 4 * sys.float_info.epsilon

_seat_index = attrgetter("seat_index")
_seat_index_then_id = attrgetter("seat_index", "id")
_section_row_index = attrgetter("section", "row", "seat_index", "id")


def _split_order(seat: Candidate) -> tuple[float, str, str, int, int]:
    return (seat.rank, seat.section, seat.row, seat.seat_index, seat.id)


def choose_best(
    candidates: Iterable[Candidate],
    quantity: int,
    *,
    exclude: Collection[int] = (),
    allow_split: bool = True,
) -> Choice | None:
    """Choose `quantity` seats among `candidates` by the stated fallback (see the module doc).

    `candidates` are all seats of one category in one event, free or not: taken seats bound the
    runs. Seats whose id is in `exclude` count as taken.
    """
    if quantity <= 0:
        raise ValueError(f"quantity must be at least 1, got {quantity}")
    excluded = exclude if isinstance(exclude, set | frozenset) else frozenset(exclude)
    runs = _free_runs(candidates, excluded)
    block = _best_block(runs, quantity)
    if block is not None or not allow_split:
        return block
    return _best_split(runs, quantity)


def choose_accessible(
    candidates: Iterable[Candidate], quantity: int, *, exclude: Collection[int] = ()
) -> Choice | None:
    """One free wheelchair space with `quantity - 1` free seats beside it in its row (see the
    module doc), or None."""
    if quantity <= 0:
        raise ValueError(f"quantity must be at least 1, got {quantity}")
    excluded = exclude if isinstance(exclude, set | frozenset) else frozenset(exclude)
    best_key: tuple[int, float, str, str, int] | None = None
    best: tuple[list[Candidate], int] | None = None
    for run in _free_runs(candidates, excluded):
        for place, seat in enumerate(run):
            if not seat.wheelchair:
                continue
            for start in range(max(0, place - quantity + 1), min(place, len(run) - quantity) + 1):
                block = run[start : start + quantity]
                if sum(other.wheelchair for other in block) != 1:
                    continue
                others = sum(not (other.wheelchair or other.companion) for other in block)
                first = block[0]
                key = (others, math.fsum(other.rank for other in block), first.section,
                       first.row, first.seat_index)  # fmt: skip
                if best_key is None or key < best_key:
                    best_key, best = key, (run, start)
    if best is None:
        return None
    run, start = best
    leaves_single = start == 1 or len(run) - start - quantity == 1
    return Choice(_ids(run[start : start + quantity]), together=True, leaves_single=leaves_single)


def _free_runs(candidates: Iterable[Candidate], excluded: Collection[int]) -> list[list[Candidate]]:
    """Every maximal stretch of free seats with consecutive seat_index, each left to right."""
    rows: dict[tuple[str, str], list[Candidate]] = {}
    for seat in candidates:
        key = (seat.section, seat.row)
        row = rows.get(key)
        if row is None:
            rows[key] = [seat]
        else:
            row.append(seat)

    runs: list[list[Candidate]] = []
    for seats in rows.values():
        seats.sort(key=_seat_index)
        if len({seat.seat_index for seat in seats}) < len(seats):
            # Two seats in one place is bad data; order them by id as well so that the answer
            # still does not depend on the order of the candidates.
            seats.sort(key=_seat_index_then_id)
        run: list[Candidate] = []
        for seat in seats:
            if seat.available and seat.id not in excluded:
                if run and seat.seat_index != run[-1].seat_index + 1:
                    runs.append(run)
                    run = []
                run.append(seat)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def _best_block(runs: list[list[Candidate]], quantity: int) -> Choice | None:
    clean_key: tuple[float, str, str, int] | None = None
    clean_at: tuple[list[Candidate], int] | None = None
    clean_bound = math.inf
    single_key: tuple[float, str, str, int] | None = None
    single_at: tuple[list[Candidate], int] | None = None
    single_bound = math.inf

    for run in runs:
        spare = len(run) - quantity
        if spare < 0:
            continue
        ranks = [seat.rank for seat in run]
        # Upper bound on how far the sliding total can drift from the exact one in this run.
        tolerance = (2 * len(run) + quantity) * quantity * max(map(abs, ranks)) * _DRIFT
        total = sum(ranks[:quantity])
        for start in range(spare + 1):
            if start:
                total += ranks[start + quantity - 1] - ranks[start - 1]
            if start == 1 or start == spare - 1:
                # Leaves exactly one free seat on a side: only rule 2, and only while rule 1
                # has nothing.
                if clean_at is not None or total > single_bound + tolerance:
                    continue
                key = _block_key(run, ranks, start, quantity)
                if single_key is None or key < single_key:
                    single_key, single_at, single_bound = key, (run, start), key[0]
            else:
                if total > clean_bound + tolerance:
                    continue
                key = _block_key(run, ranks, start, quantity)
                if clean_key is None or key < clean_key:
                    clean_key, clean_at, clean_bound = key, (run, start), key[0]

    if clean_at is not None:
        run, start = clean_at
        return Choice(_ids(run[start : start + quantity]), together=True, leaves_single=False)
    if single_at is not None:
        run, start = single_at
        return Choice(_ids(run[start : start + quantity]), together=True, leaves_single=True)
    return None


def _block_key(
    run: list[Candidate], ranks: list[float], start: int, quantity: int
) -> tuple[float, str, str, int]:
    first = run[start]
    return (math.fsum(ranks[start : start + quantity]), first.section, first.row, first.seat_index)


def _best_split(runs: list[list[Candidate]], quantity: int) -> Choice | None:
    free = [seat for run in runs for seat in run]
    if len(free) < quantity:
        return None
    chosen = heapq.nsmallest(quantity, free, key=_split_order)
    chosen.sort(key=_section_row_index)
    return Choice(_ids(chosen), together=False, leaves_single=_leaves_single(runs, chosen))


def _leaves_single(runs: list[list[Candidate]], chosen: list[Candidate]) -> bool:
    """Whether taking `chosen` cuts some run so that one free seat is left alone beside a chosen
    seat (a run that was a single seat to begin with is not the choice's doing)."""
    chosen_ids = {seat.id for seat in chosen}
    for run in runs:
        if not any(seat.id in chosen_ids for seat in run):
            continue
        # Pad with "taken" so that the row end or the seat beyond the run closes it, as it does.
        taken = [True, *(seat.id in chosen_ids for seat in run), True]
        for position in range(1, len(taken) - 1):
            if not taken[position] and taken[position - 1] and taken[position + 1]:
                return True
    return False


def _ids(seats: Iterable[Candidate]) -> tuple[int, ...]:
    return tuple(seat.id for seat in seats)
