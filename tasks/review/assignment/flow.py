"""The best assignment, solved exactly as a maximum flow of minimum cost by OR-tools.

`best_assignment` takes plain indices that `tasks.review.assignment.plan` built from sorted inputs
and returns who reviews what: the exact optimum, in this order of priority, of
1. the most pairs any valid assignment reaches (a maximum flow);
2. among those, the least sum of squared loads (hence also the lowest maximum and the highest
   minimum load the conflicts and capacities allow);
3. among those, the most industry matches, then the most topics in common.
The network and its costs are in network.py. Ties between equally good plans follow the order
the seed gave reports and reviewers; the same inputs, seed and OR-tools version give the same plan.

Speed: the solver's time grows with the number of arcs, and a report's best plan nearly always
uses reviewers among its best matched. So the flow is first solved with each report offered only
its `shortlist` best-matched free reviewers (ties by position). If that fills every seat and
certificate.py proves the flow optimal on all free pairs, it is the answer: the same optimum as
the full network's, found on a fifth of its arcs. Otherwise the shortlist doubles, and at worst
every free pair is offered (always, when seats stay empty: a shortlist cannot prove a maximum).
No I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

import numpy as np
from ortools.graph.python.min_cost_flow import (  # type: ignore[import-untyped]  # no py.typed
    SimpleMinCostFlow,
)

from tasks.review.assignment.certificate import is_optimal
from tasks.review.assignment.network import (
    SINK,
    SOURCE,
    Bools,
    Ints,
    Network,
    arcs,
    build_network,
)

SHORTLIST = 30
"""Reviewers first offered to each report; 30 of 150 suffice on benchmarks/assign.py's inputs."""


class Seats(NamedTuple):
    """What the flow decides: the reviewers of each report (required ones included), the loads."""

    assigned: list[set[int]]
    load: list[int]


class FlowNotSolved(RuntimeError):
    """OR-tools did not report an optimal flow (it always should on a network built here)."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(f"min-cost flow status: {value}")


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
    used = _optimal_flow(network, shortlist)
    assigned = [set(yes) for yes in pinned]
    for p, r in zip(*np.nonzero(used), strict=True):
        assigned[int(network.report_at[p])].add(int(network.reviewer_at[r]))
    load = [0] * m
    for reviewers in assigned:
        for r in reviewers:
            load[r] += 1
    return Seats(assigned, load)


def _optimal_flow(network: Network, shortlist: int) -> Bools:
    """Return the pairs (by position) of an optimal flow, widening the shortlist until proven."""
    m = network.free.shape[1]
    seats = int(network.seats.sum())
    while shortlist < m:
        used = _solve(network, network.free & _best_matched(network, shortlist))
        if int(used.sum()) < seats:
            break  # a shortlist cannot prove a maximum: offer every pair
        if is_optimal(network, used):
            return used
        shortlist *= 2
    return _solve(network, network.free)


def _best_matched(network: Network, shortlist: int) -> Bools:
    """Return each report's `shortlist` free reviewers of highest affinity, ties by position."""
    n, m = network.free.shape
    rank = np.where(network.free, network.affinity * m + (m - 1 - np.arange(m)), -1)
    best = np.argpartition(-rank, shortlist - 1, axis=1)[:, :shortlist]
    offered = np.zeros((n, m), dtype=bool)
    offered[np.arange(n)[:, None], best] = True
    return offered


def _solve(network: Network, offered: Bools) -> Bools:
    """Return the pairs (by position) of a maximum flow of minimum cost on the offered pairs."""
    n, m = offered.shape
    used = np.zeros((n, m), dtype=bool)
    supply = int(network.seats.sum())
    if supply == 0 or not offered.any():
        return used
    graph = arcs(network, offered)
    solver = SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        graph.tails.astype(np.int32), graph.heads.astype(np.int32), graph.capacities, graph.costs
    )
    solver.set_node_supply(SOURCE, supply)
    solver.set_node_supply(SINK, -supply)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise FlowNotSolved(str(status))
    flows = np.asarray(solver.flows(np.arange(graph.pairs, dtype=np.int32)))
    hit = np.nonzero(flows)[0]
    used[graph.tails[hit] - 2, graph.heads[hit] - 2 - n] = True
    return used
