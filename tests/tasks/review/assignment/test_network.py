"""The flow network: convex load costs, exact weights, seeded preferences, refusal of overflow."""

from __future__ import annotations

import numpy as np
import pytest

from tasks.review.assignment.match import INDUSTRY
from tasks.review.assignment.network import PREFERENCES, AssignmentTooLarge, arcs, build_network


def test_arcs_charge_a_reviewer_n_squared_balances_counted_on_from_required_load() -> None:
    # One reviewer, max_load 4, already 1 required pair, 3 free reports: units at loads 1, 2, 3.
    network = build_network(
        np.ones((3, 1), dtype=bool), np.zeros((3, 1), np.int64), np.array([4]),
        np.array([1]), np.ones(3, np.int64), seed=0,
    )  # fmt: skip

    graph = arcs(network, network.free)

    units = graph.costs[graph.pairs : graph.pairs + int(network.units.sum())]
    assert units.tolist() == [3 * network.balance, 5 * network.balance, 7 * network.balance]
    assert sum(units.tolist()) == (4**2 - 1**2) * network.balance


def test_build_network_sets_industry_above_every_topic_and_balance_above_all_affinity() -> None:
    # Two reports with two seats each; each report's best topic score is 3, so no plan holds
    # more than 2 x 3 + 2 x 3 = 12 topics and an industry match weighs 13.
    score = np.array([[INDUSTRY, 3], [3, INDUSTRY + 1]], dtype=np.int64)
    network = build_network(
        np.ones((2, 2), dtype=bool), score, np.array([5, 5]), np.zeros(2, np.int64),
        np.array([2, 2]), seed=0,
    )  # fmt: skip

    assert network.affinity.tolist() == [[13, 3], [3, 14]]
    assert network.balance == 2 * 13 + 2 * 14 + 1


def test_build_network_draws_preferences_from_the_seed_only() -> None:
    free = np.ones((6, 6), dtype=bool)
    args = (np.zeros((6, 6), np.int64), np.full(6, 6), np.zeros(6, np.int64), np.ones(6, np.int64))

    first, again = build_network(free, *args, seed=3), build_network(free, *args, seed=3)
    other = build_network(free, *args, seed=4)

    assert first.preference.tolist() == again.preference.tolist()
    assert first.preference.tolist() != other.preference.tolist()
    assert 0 <= first.preference.min() <= first.preference.max() < PREFERENCES


def test_build_network_refuses_costs_that_would_overflow_64_bits() -> None:
    n = 200_000  # one reviewer who may take every report: load costs up to 400,001 balances
    with pytest.raises(AssignmentTooLarge, match="reaches 2\\^62") as raised:
        build_network(
            np.ones((n, 1), dtype=bool), np.full((n, 1), INDUSTRY + 5, np.int64),
            np.array([n]), np.zeros(1, np.int64), np.full(n, 3, np.int64), seed=0,
        )  # fmt: skip

    assert raised.value.value >= 1 << 62
