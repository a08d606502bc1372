"""Tie-breaking against brute force: the optimal plan with the least total preference.

For tiny networks, take a cheapest flow of some size; `preferred_optimum` must return a flow of
the same size and the same (least) cost whose pairs' preferences add up to the least any such
flow reaches.
"""

from __future__ import annotations

import numpy as np
from assignmentkit import cost, flows
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.review.assignment.certificate import prices
from tasks.review.assignment.match import INDUSTRY
from tasks.review.assignment.network import Network, build_network
from tasks.review.assignment.ties import preferred_optimum


@st.composite
def networks(draw: st.DrawFn) -> Network:
    """Return a tiny network with few distinct preferences, so that ties among ties occur."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    free = np.array([[draw(st.booleans()) for _ in range(m)] for _ in range(n)], dtype=bool)
    score = np.array(
        [[draw(st.sampled_from([0, 1, INDUSTRY])) for _ in range(m)] for _ in range(n)],
        dtype=np.int64,
    )
    fixed = np.array([draw(st.integers(0, 1)) for _ in range(m)], dtype=np.int64)
    caps = fixed + np.array([draw(st.integers(0, 3)) for _ in range(m)], dtype=np.int64)
    seats = np.array([draw(st.integers(0, 2)) for _ in range(n)], dtype=np.int64)
    network = build_network(free, score, caps, fixed, seats, seed=0)
    preference = [[draw(st.integers(0, 3)) for _ in range(m)] for _ in range(n)]
    return network._replace(preference=np.array(preference, dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_preferred_optimum_is_the_least_preferred_total_among_the_cheapest_flows(
    network: Network, data: st.DataObject
) -> None:
    every = list(flows(network))
    size = data.draw(st.sampled_from(sorted({int(f.sum()) for f in every})))
    same_size = [f for f in every if int(f.sum()) == size]
    least = min(cost(network, f) for f in same_size)
    cheapest = [f for f in same_size if cost(network, f) == least]
    used = data.draw(st.sampled_from(cheapest))
    proof = prices(network, used)
    assert proof is not None

    chosen = preferred_optimum(network, used, proof)

    assert int(chosen.sum()) == size
    assert not (chosen & ~network.free).any()
    assert (chosen.sum(axis=1) <= network.seats).all()
    assert (chosen.sum(axis=0) <= network.units).all()
    assert cost(network, chosen) == least
    assert int(network.preference[chosen].sum()) == min(
        int(network.preference[f].sum()) for f in cheapest
    )


def test_preferred_optimum_swaps_equally_good_reviewers_to_the_preferred_pairs() -> None:
    # Two reports, two interchangeable reviewers with room for one each: both plans are optimal;
    # the preferences favour report 0 with reviewer 1 and report 1 with reviewer 0.
    network = build_network(
        np.ones((2, 2), dtype=bool), np.zeros((2, 2), np.int64), np.array([1, 1]),
        np.zeros(2, np.int64), np.ones(2, np.int64), seed=0,
    )._replace(preference=np.array([[5, 0], [0, 5]], dtype=np.int64))  # fmt: skip
    diagonal = np.eye(2, dtype=bool)
    proof = prices(network, diagonal)
    assert proof is not None

    chosen = preferred_optimum(network, diagonal, proof)

    assert chosen.tolist() == [[False, True], [True, False]]
