"""Proof that a flow is optimal on every free pair of the network, and the prices that prove it.

A flow is a maximum one iff its residual network has no path from the source to the sink, and of
its value it has the least cost iff the residual network has no cycle of negative cost (Klein,
1967); then shortest distances from a root joined to every node at cost 0 are prices
(potentials) under which no residual arc has a negative reduced cost. The residual network of an
assignment has the source, the sink, the reports and the reviewers; a report only links
reviewers, the source and the sink to each other, so each path through one report shrinks to one
arc between two of those m + 2 hubs:

    reviewer r -> reviewer r'   via a report p that r reviews and r' is free for: a(p, r) - a(p, r')
    reviewer r -> source        via a report p that r reviews: a(p, r)
    source -> reviewer r'       via a report p with an empty seat that r' is free for: -a(p, r')
    reviewer r -> sink          r's next unit of load, if they have room: (2 load + 1) x balance
    sink -> reviewer r          r's last unit, if above their required load: -(2 load - 1) x balance

keeping the cheapest per pair of hubs (and, from the root, -a(p, r') through any report p).
A search over those (m + 2)^2 arcs finds an augmenting path if there is one, Bellman-Ford a
negative cycle or the distances; a report's price follows from its reviewers'. Reads arrays,
decides; no I/O, no solving.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tasks.review.assignment.network import Bools, Ints, Network

NONE = 1 << 61
"""Cost standing for "no arc" between two hubs (far above any path's cost)."""


class Prices(NamedTuple):
    """Shortest distances from the root in the residual network: reports, reviewers, ends."""

    report: Ints
    reviewer: Ints
    source: int
    sink: int


def is_optimal(network: Network, used: Bools) -> bool:
    """Return whether the flow with these pairs has no negative residual cycle (least cost)."""
    return prices(network, used) is not None


def is_maximum(network: Network, used: Bools) -> bool:
    """Return whether no residual path leads from the source to the sink (a maximum flow)."""
    m = used.shape[1]
    arc = _hub_arcs(network, used)[1] < NONE
    reached = np.zeros(m + 2, dtype=bool)
    reached[m] = True  # the source
    while True:
        more = reached | arc[reached].any(axis=0)
        if more[m + 1] or np.array_equal(more, reached):
            return not bool(more[m + 1])
        reached = more


def prices(network: Network, used: Bools) -> Prices | None:
    """Return the prices proving the flow with these pairs optimal; None if it is not."""
    m = used.shape[1]
    start, cost = _hub_arcs(network, used)
    hub = _distances(start, cost)
    if hub is None:
        return None
    affinity, reviewer = network.affinity, hub[:m]
    via_reviewer = np.where(used, reviewer[None, :] + affinity, NONE).min(axis=1, initial=NONE)
    report = np.minimum(0, via_reviewer)
    empty = used.sum(axis=1) < network.seats
    report[empty] = np.minimum(report[empty], hub[m])
    return Prices(report, reviewer, int(hub[m]), int(hub[m + 1]))


def _hub_arcs(network: Network, used: Bools) -> tuple[Ints, Ints]:
    """Return the root's cheapest path to each hub and the cheapest path between every two."""
    m = used.shape[1]
    source, sink = m, m + 1
    cost = np.full((m + 2, m + 2), NONE, dtype=np.int64)
    open_pairs = network.free & ~used
    affinity = network.affinity
    held_p, held_r = np.nonzero(used)
    if held_p.size:
        held = affinity[held_p, held_r]
        through = np.where(open_pairs[held_p], held[:, None] - affinity[held_p], NONE)
        np.minimum.at(cost[:m, :m], held_r, through)
        np.minimum.at(cost[:m, source], held_r, held)
    empty = used.sum(axis=1) < network.seats
    if empty.any():
        cost[source, :m] = np.where(open_pairs[empty], -affinity[empty], NONE).min(axis=0)
    load = network.fixed + used.sum(axis=0)
    room = load - network.fixed < network.units
    cost[:m, sink] = np.where(room, (2 * load + 1) * network.balance, NONE)
    cost[sink, :m] = np.where(load > network.fixed, -(2 * load - 1) * network.balance, NONE)
    start = np.zeros(m + 2, dtype=np.int64)
    start[:m] = np.minimum(0, np.where(open_pairs, -affinity, 0).min(axis=0, initial=0))
    return start, cost


def _distances(start: Ints, cost: Ints) -> Ints | None:
    """Return the hubs' shortest distances from `start` (Bellman-Ford); None on a negative cycle."""
    distance = start
    for _ in range(cost.shape[0]):
        shorter = np.minimum(distance, (distance[:, None] + cost).min(axis=0))
        if np.array_equal(shorter, distance):
            return distance
        distance = shorter
    return None
