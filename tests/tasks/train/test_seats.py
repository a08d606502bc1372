"""Training seats: capacity, waiting list, stable places, moving up when capacity grows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from schemas.enums import EnrolmentStatus as E
from schemas.enums import ParticipationStatus as P
from tasks.train.seats import Candidate, Seat, allocate_seats, candidate_order


def _apply(seats: list[Seat], candidates: list[int], capacity: int) -> list[Seat]:
    new, changes = allocate_seats(seats, candidates, capacity)
    kept = [
        Seat(s.participation_id, s.position, changes.get(s.participation_id, s.status))
        for s in seats
    ]
    return kept + new


def test_first_places_are_invited_and_the_rest_wait() -> None:
    new, changes = allocate_seats([], [5, 3, 9, 1], capacity=2)

    assert new == [
        Seat(5, 1, E.INVITED),
        Seat(3, 2, E.INVITED),
        Seat(9, 3, E.WAITLISTED),
        Seat(1, 4, E.WAITLISTED),
    ]
    assert changes == {}


def test_a_rerun_with_the_same_candidates_changes_nothing() -> None:
    seats = _apply([], [1, 2, 3], capacity=2)

    new, changes = allocate_seats(seats, [1, 2, 3], capacity=2)

    assert (new, changes) == ([], {})


def test_waitlisted_units_move_up_when_capacity_grows() -> None:
    seats = _apply([], [1, 2, 3, 4], capacity=2)

    new, changes = allocate_seats(seats, [1, 2, 3, 4, 5], capacity=4)

    assert new == [Seat(5, 5, E.WAITLISTED)]
    assert changes == {3: E.INVITED, 4: E.INVITED}


def test_walk_ins_take_no_place() -> None:
    seats = [Seat(7, 1, E.WALK_IN)]

    new, _ = allocate_seats(seats, [1, 2], capacity=1)

    assert new == [Seat(1, 2, E.INVITED), Seat(2, 3, E.WAITLISTED)]


@given(
    runs=st.lists(
        st.tuples(
            st.lists(st.integers(min_value=1, max_value=30), max_size=12),
            st.integers(min_value=0, max_value=15),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_seats_follow_first_arrival_and_current_capacity(runs: list[tuple[list[int], int]]) -> None:
    seats: list[Seat] = []
    for candidates, capacity in runs:
        seats = _apply(seats, candidates, capacity)

    # Oracle: places in order of first appearance over all runs; the first `capacity` (of the
    # last run) are invited, the rest wait.
    order: list[int] = []
    for candidates, _ in runs:
        for c in candidates:
            if c not in order:
                order.append(c)
    last_capacity = runs[-1][1]
    expected = [
        Seat(pid, i + 1, E.INVITED if i < last_capacity else E.WAITLISTED)
        for i, pid in enumerate(order)
    ]
    assert sorted(seats, key=lambda s: s.position) == expected


def test_candidate_order_puts_registered_units_first() -> None:
    rows = [
        Candidate(4, P.RECOMMENDED),
        Candidate(9, P.REGISTERED),
        Candidate(2, P.RECOMMENDED),
        Candidate(7, P.SUBMITTED),
        Candidate(1, P.REGISTERED),
    ]

    assert candidate_order(rows) == [1, 7, 9, 2, 4]
