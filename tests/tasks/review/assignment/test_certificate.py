"""The optimality certificate against brute force: it says yes exactly for the cheapest flows.

For tiny networks and any valid flow (each report some free reviewers up to its seats, no
reviewer past the load units they have), `is_optimal` must agree with enumeration: no other
valid flow with as many pairs costs less in the network's own costs. The prices it returns for
an optimal flow must leave every residual arc a reduced cost of at least zero.
"""

from __future__ import annotations

import numpy as np
from assignmentkit import cost, flows
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.review.assignment.certificate import is_maximum, is_optimal, prices
from tasks.review.assignment.match import INDUSTRY
from tasks.review.assignment.network import Network, build_network


@st.composite
def networks(draw: st.DrawFn) -> Network:
    """Return a tiny network: up to 4 reports and 4 reviewers, with conflicts and required loads."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    free = np.array([[draw(st.booleans()) for _ in range(m)] for _ in range(n)], dtype=bool)
    values = st.sampled_from([0, 1, 2, INDUSTRY, INDUSTRY + 1])
    score = np.array([[draw(values) for _ in range(m)] for _ in range(n)], dtype=np.int64)
    fixed = np.array([draw(st.integers(0, 1)) for _ in range(m)], dtype=np.int64)
    caps = fixed + np.array([draw(st.integers(0, 3)) for _ in range(m)], dtype=np.int64)
    seats = np.array([draw(st.integers(0, 2)) for _ in range(n)], dtype=np.int64)
    return build_network(free, score, caps, fixed, seats, draw(st.integers(0, 2**32)))


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_is_optimal_says_yes_exactly_when_no_flow_of_the_same_size_costs_less(
    network: Network, data: st.DataObject
) -> None:
    every = list(flows(network))
    used = data.draw(st.sampled_from(every))
    size = int(used.sum())
    cheapest = min(cost(network, other) for other in every if int(other.sum()) == size)

    assert is_optimal(network, used) == (cost(network, used) == cheapest)


def test_is_optimal_finds_the_move_that_evens_loads() -> None:
    # Both reports with reviewer 0 (load 2) while reviewer 1, free for report 1, has none.
    free = np.array([[True, False], [True, True]])
    network = build_network(
        free, np.zeros((2, 2), np.int64), np.array([2, 2]), np.zeros(2, np.int64),
        np.ones(2, np.int64), seed=0,
    )  # fmt: skip

    assert not is_optimal(network, np.array([[True, False], [True, False]]))
    assert is_optimal(network, np.array([[True, False], [False, True]]))


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_prices_leave_no_residual_arc_with_a_negative_reduced_cost(
    network: Network, data: st.DataObject
) -> None:
    every = list(flows(network))
    size = data.draw(st.sampled_from(sorted({int(f.sum()) for f in every})))
    least = min(cost(network, f) for f in every if int(f.sum()) == size)
    used = data.draw(
        st.sampled_from([f for f in every if int(f.sum()) == size and cost(network, f) == least])
    )
    proof = prices(network, used)
    assert proof is not None
    m = used.shape[1]
    # report -> reviewer (open pairs, cost -a) and back (used pairs, cost +a)
    reduced = -network.affinity + proof.report[:, None] - proof.reviewer[None, :]
    assert (reduced[network.free & ~used] >= 0).all()
    assert (reduced[used] <= 0).all()
    # source -> report where a seat is empty, back where one is taken
    to_report = proof.source - proof.report
    taken = used.sum(axis=1)
    assert (to_report[taken < network.seats] >= 0).all()
    assert (to_report[taken > 0] <= 0).all()
    # reviewer -> sink: next unit while there is room, back over the last unit used
    load = network.fixed + used.sum(axis=0)
    for r in range(m):
        if load[r] - network.fixed[r] < network.units[r]:
            assert (2 * load[r] + 1) * network.balance + proof.reviewer[r] - proof.sink >= 0
        if load[r] > network.fixed[r]:
            assert (2 * load[r] - 1) * network.balance + proof.reviewer[r] - proof.sink <= 0


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_is_maximum_says_yes_exactly_when_no_flow_has_more_pairs(
    network: Network, data: st.DataObject
) -> None:
    every = list(flows(network))
    used = data.draw(st.sampled_from(every))

    assert is_maximum(network, used) == (int(used.sum()) == max(int(f.sum()) for f in every))
