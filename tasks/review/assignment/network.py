"""The assignment as a min-cost flow network: its costs, and its arcs in the form OR-tools takes.

    source -> report p       capacity: k less p's required reviewers (its seats), cost 0
    report p -> reviewer r   capacity 1 where r is free for p, cost -affinity(p, r)
    reviewer r -> sink       one arc per further unit of load: the one that brings r's load
                             from i to i + 1 costs (2i + 1) x balance

A reviewer carrying n reports thus pays n^2 x balance (counted on from the load their required
pairs give them), and the cost is convex: a cheaper unit is always used first. `balance` is one
more than the most affinity any plan can hold, so the least sum of squared loads comes before
any expertise; affinity is industry x TOPICS + topics in common, TOPICS one more than the most
topics any plan can hold, so an industry match comes before any number of topics.

Each free pair also gets a preference drawn from the seed (ties.py picks, among equally good
plans, the one whose pairs the preferences favour most). Builds arrays only: solving is
solver.py and flow.py, proving a flow optimal is certificate.py. No I/O.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from tasks.review.assignment.match import INDUSTRY

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
SOURCE, SINK = 0, 1
COST_LIMIT = 1 << 62
"""Largest arc cost x (nodes + 1) the solver's 64-bit cost arithmetic is given."""
PREFERENCES = 1 << 16
"""Preferences are drawn from 0 .. PREFERENCES - 1 (lower is preferred)."""


class AssignmentTooLarge(ArithmeticError):
    """The costs that rank plans exactly would overflow the solver's 64-bit arithmetic."""

    def __init__(self, value: int) -> None:
        self.value = value
        super().__init__(f"largest arc cost x (nodes + 1) reaches 2^62: {value}")


class Network(NamedTuple):
    """One assignment as a flow problem, by report and reviewer index."""

    free: Bools  # (report, reviewer) the solver may pair: no conflict, no forbid, not required
    affinity: Ints  # industry x TOPICS + topics in common where free, else 0
    seats: Ints  # per report: k less its required reviewers
    fixed: Ints  # per reviewer: the load their required pairs give them
    units: Ints  # per reviewer: further load they may take (max_load, reports free for them)
    balance: int  # cost of one unit of squared load
    preference: Ints  # per pair, drawn from the seed: breaks ties between equally good plans


class Arcs(NamedTuple):
    """Arc arrays for OR-tools: the first `pairs` arcs go from reports to reviewers."""

    tails: Ints
    heads: Ints
    capacities: Ints
    costs: Ints
    pairs: int


def build_network(
    free: Bools, score: Ints, caps: Ints, fixed: Ints, seats: Ints, seed: int
) -> Network:
    """Return the network of an assignment; raise AssignmentTooLarge if costs would overflow.

    `free`, `score` (INDUSTRY per industry match + topics) are reports x reviewers; `caps` the
    max_loads, `fixed` the loads of required pairs, `seats` k less each report's required pairs.
    """
    n, m = free.shape
    industry, topics = np.divmod(np.where(free, score, 0), INDUSTRY)
    affinity = industry * (int(seats @ topics.max(axis=1, initial=0)) + 1) + topics
    balance = int(seats @ affinity.max(axis=1, initial=0)) + 1
    units = np.minimum(caps - fixed, free.sum(axis=0)).clip(min=0)
    top = (2 * int((fixed + units).max(initial=0)) + 1) * balance * (n + m + 3)
    if top >= COST_LIMIT:
        raise AssignmentTooLarge(top)
    preference = np.random.default_rng(seed).integers(0, PREFERENCES, size=(n, m), dtype=np.int64)
    return Network(free, affinity, seats, fixed, units, balance, preference)


def arcs(network: Network, offered: Bools) -> Arcs:
    """Return the network's arcs with only the `offered` (report, reviewer) pairs."""
    n, m = offered.shape
    pair_p, pair_r = np.nonzero(offered)
    unit_r = np.repeat(np.arange(m, dtype=np.int64), network.units)
    return Arcs(
        tails=np.concatenate([2 + pair_p, 2 + n + unit_r, np.full(n, SOURCE, np.int64)]),
        heads=np.concatenate(
            [2 + n + pair_r, np.full(unit_r.size, SINK, np.int64), 2 + np.arange(n)]
        ),
        capacities=np.concatenate([np.ones(pair_p.size + unit_r.size, np.int64), network.seats]),
        costs=np.concatenate(
            [
                -network.affinity[pair_p, pair_r],
                (2 * unit_levels(network) + 1) * network.balance,
                np.zeros(n, np.int64),
            ]
        ),
        pairs=int(pair_p.size),
    )


def unit_levels(network: Network) -> Ints:
    """Return the load each reviewer's sink arcs start from, reviewer by reviewer, in order."""
    units = network.units
    unit_r = np.repeat(np.arange(units.size, dtype=np.int64), units)
    first = np.cumsum(units) - units  # each reviewer's first unit arc
    return network.fixed[unit_r] + np.arange(unit_r.size, dtype=np.int64) - first[unit_r]
