"""Proof that a flow found on a shortlist of pairs is optimal on every free pair of the network.

A flow of a given value has the least cost iff its residual network has no cycle of negative cost
(Klein, 1967). The residual network of an assignment has the source, the sink, the reports and
the reviewers; a report only links reviewers, the source and the sink to each other, so each path
through one report shrinks to one arc between two of those m + 2 hubs:

    reviewer r -> reviewer r'   via a report p that r reviews and r' is free for: a(p, r) - a(p, r')
    reviewer r -> source        via a report p that r reviews: a(p, r)
    source -> reviewer r'       via a report p with an empty seat that r' is free for: -a(p, r')
    reviewer r -> sink          r's next unit of load, if they have room: (2 load + 1) x balance
    sink -> reviewer r          r's last unit, if above their required load: -(2 load - 1) x balance

keeping the cheapest per pair of hubs. Bellman-Ford on those (m + 2)^2 arcs then finds a negative
cycle or shows there is none. Reads arrays, decides yes or no; no I/O, no solving.
"""

from __future__ import annotations

import numpy as np

from tasks.review.assignment.network import Bools, Ints, Network

NONE = 1 << 61
"""Cost standing for "no arc" between two hubs (far above any path's cost)."""


def is_optimal(network: Network, used: Bools) -> bool:
    """Return whether the flow with these pairs (by position) has no negative residual cycle."""
    return not _has_negative_cycle(_hub_arcs(network, used))


def _hub_arcs(network: Network, used: Bools) -> Ints:
    """Return the cheapest residual path between every two hubs (reviewers, source, sink)."""
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
    return cost


def _has_negative_cycle(cost: Ints) -> bool:
    """Return whether the hub graph has a cycle of negative cost (Bellman-Ford from every hub)."""
    distance = np.zeros(cost.shape[0], dtype=np.int64)
    for _ in range(cost.shape[0]):
        shorter = np.minimum(distance, (distance[:, None] + cost).min(axis=0))
        if np.array_equal(shorter, distance):
            return False
        distance = shorter
    return True
