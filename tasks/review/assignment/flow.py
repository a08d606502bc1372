"""The best assignment, solved exactly as a maximum flow of minimum cost by OR-tools.

`best_assignment` takes plain indices that `tasks.review.assignment.plan` built from sorted inputs
and returns who reviews what: the exact optimum, in this order of priority, of
1. the most pairs any valid assignment reaches (a maximum flow);
2. among those, the least sum of squared loads (hence also the lowest maximum and the highest
   minimum load the conflicts and capacities allow);
3. among those, the most industry matches, then the most topics in common;
4. among those, the pairs the seed's random preferences favour most (ties.py).
The network and its costs are in network.py; the same inputs, seed, NumPy and OR-tools versions
give the same plan.

Speed: the solver's time grows with the number of arcs, and a report's best plan nearly always
uses reviewers among its best matched. So the flow is first solved with each report offered only
its `shortlist` best-matched free reviewers (ties by preference). If certificate.py proves that
flow a maximum of least cost on all free pairs, it is the same optimum as the full network's,
found on a fifth of its arcs. Otherwise the shortlist doubles, and at worst every free pair is
offered. No I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

import numpy as np

from tasks.review.assignment.certificate import Prices, is_maximum, prices
from tasks.review.assignment.network import (
    PREFERENCES,
    SINK,
    SOURCE,
    Bools,
    Ints,
    Network,
    arcs,
    build_network,
)
from tasks.review.assignment.solver import FlowNotSolved, cheapest_flow
from tasks.review.assignment.ties import preferred_optimum

SHORTLIST = 30
"""Reviewers first offered to each report; 30 of 150 suffice on benchmarks/assign.py's inputs."""


class Seats(NamedTuple):
    """What the flow decides: the reviewers of each report (required ones included), the loads."""

    assigned: list[set[int]]
    load: list[int]


def best_assignment(
    blocked: Sequence[Collection[int]],
    score: Ints,
    caps: Sequence[int],
    pinned: Sequence[Collection[int]],
    *,
    k: int,
    seed: int,
    shortlist: int = SHORTLIST,
) -> Seats:
    """Return the optimal reviewers per report and the loads; pure (no I/O, no global state).

    `blocked[p]` are the reviewers report p may not have (conflicts, forbids); `score` the
    reports x reviewers expertise matrix (INDUSTRY per industry match + 1 per topic); `caps`
    each reviewer's max_load; `pinned[p]` the required reviewers already placed: they are kept
    and count towards k and the loads. Raises AssignmentTooLarge (network.py) when exact costs
    would overflow 64 bits.
    """
    n, m = score.shape
    free = np.ones((n, m), dtype=bool)
    fixed = np.zeros(m, dtype=np.int64)
    for p, (no, yes) in enumerate(zip(blocked, pinned, strict=True)):
        free[p, list(no)] = False
        free[p, list(yes)] = False
        fixed[list(yes)] += 1
    seats = np.array([max(0, k - len(yes)) for yes in pinned], dtype=np.int64).reshape(n)
    caps_array = np.asarray(caps, dtype=np.int64).reshape(m)
    network = build_network(free, score, caps_array, fixed, seats, seed)
    used, proof = _optimal_flow(network, shortlist)
    chosen = preferred_optimum(network, used, proof)
    assigned = [set(yes) for yes in pinned]
    for p, r in zip(*np.nonzero(chosen), strict=True):
        assigned[int(p)].add(int(r))
    load = [0] * m
    for reviewers in assigned:
        for r in reviewers:
            load[r] += 1
    return Seats(assigned, load)


def _optimal_flow(network: Network, shortlist: int) -> tuple[Bools, Prices]:
    """Return an optimal flow's pairs and the prices proving it; widen the shortlist as needed."""
    m = network.free.shape[1]
    while shortlist < m:
        used = _solve(network, network.free & _best_matched(network, shortlist))
        if is_maximum(network, used):  # as many pairs as all free pairs allow
            proof = prices(network, used)
            if proof is not None:  # and no cheaper plan with as many
                return used, proof
        shortlist *= 2
    used = _solve(network, network.free)
    proof = prices(network, used)
    if proof is None:  # OR-tools said optimal: a negative cycle here would be a bug
        raise FlowNotSolved("optimal without prices")
    return used, proof


def _best_matched(network: Network, shortlist: int) -> Bools:
    """Return each report's `shortlist` free reviewers of highest affinity, ties by preference."""
    n, m = network.free.shape
    rank = network.affinity * PREFERENCES + (PREFERENCES - 1 - network.preference)
    best = np.argpartition(-np.where(network.free, rank, -1), shortlist - 1, axis=1)
    offered = np.zeros((n, m), dtype=bool)
    offered[np.arange(n)[:, None], best[:, :shortlist]] = True
    return offered


def _solve(network: Network, offered: Bools) -> Bools:
    """Return the pairs of a maximum flow of minimum cost on the offered pairs (OR-tools)."""
    n, m = offered.shape
    used = np.zeros((n, m), dtype=bool)
    supply = int(network.seats.sum())
    if supply == 0 or not offered.any():
        return used
    graph = arcs(network, offered)
    supplies: Ints = np.zeros(2 + n + m, dtype=np.int64)
    supplies[SOURCE], supplies[SINK] = supply, -supply
    flows = cheapest_flow(graph, supplies, most_flow=True)
    hit = np.nonzero(flows[: graph.pairs])[0]
    used[graph.tails[hit] - 2, graph.heads[hit] - 2 - n] = True
    return used
