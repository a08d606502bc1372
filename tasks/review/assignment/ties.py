"""How ties are broken: among all optimal plans, the one the seed's preferences favour most.

Prices that prove a flow optimal (certificate.py) describe every optimal flow at once
(complementary slackness): an arc whose reduced cost (cost + price of its tail - price of its head)
is negative is full in every optimal flow, one whose reduced cost is positive is empty in every
one, and one at zero may carry any flow. So the optimal plans are exactly the flows of the same
value on the arcs at zero, with the negative ones fixed full. One more solve there, each free pair
costing its seeded preference (network.py), picks the optimal plan whose pairs are preferred most.

Why not leave ties to the solver: it breaks them by the order of its search, which put reports
into blocks sharing the same reviewers (reports 1-6 with experts 1, 2, 4, reports 7-12 with 3, 5,
6), leaving the scores' harshness normalisation nothing to compare across blocks. Preferences
drawn at random mix who reviews with whom. Reads arrays, calls solver.py; no I/O.
"""

from __future__ import annotations

import numpy as np

from tasks.review.assignment.certificate import Prices
from tasks.review.assignment.network import SINK, SOURCE, Arcs, Bools, Network, unit_levels
from tasks.review.assignment.solver import cheapest_flow


def preferred_optimum(network: Network, used: Bools, prices: Prices) -> Bools:
    """Return the optimal plan (pairs) with the least total preference, as good as `used`."""
    n, m = used.shape
    reduced = prices.report[:, None] - prices.reviewer[None, :] - network.affinity
    fixed = network.free & (reduced < 0)
    loose_p, loose_r = np.nonzero(network.free & (reduced == 0))
    if loose_p.size == 0:
        return fixed
    supply = np.zeros(2 + n + m, dtype=np.int64)
    supply[SOURCE], supply[SINK] = int(used.sum()), -int(used.sum())
    to_report = prices.source - prices.report  # reduced cost of source -> report
    full = np.where(to_report < 0, network.seats, 0)
    room = np.where(to_report > 0, 0, network.seats) - full
    supply[SOURCE] -= int(full.sum())
    supply[2 : 2 + n] += full - fixed.sum(axis=1)
    unit_r = np.repeat(np.arange(m, dtype=np.int64), network.units)
    to_sink = (2 * unit_levels(network) + 1) * network.balance + prices.reviewer[unit_r]
    to_sink -= prices.sink
    must = np.bincount(unit_r[to_sink < 0], minlength=m).astype(np.int64)
    may = np.bincount(unit_r[to_sink == 0], minlength=m).astype(np.int64)
    supply[2 + n :] += fixed.sum(axis=0) - must
    supply[SINK] += int(must.sum())
    reports, reviewers = np.nonzero(room)[0], np.nonzero(may)[0]
    arcs = Arcs(
        tails=np.concatenate([2 + loose_p, np.full(reports.size, SOURCE), 2 + n + reviewers]),
        heads=np.concatenate([2 + n + loose_r, 2 + reports, np.full(reviewers.size, SINK)]),
        capacities=np.concatenate([np.ones(loose_p.size, np.int64), room[reports], may[reviewers]]),
        costs=np.concatenate(
            [
                network.preference[loose_p, loose_r],
                np.zeros(reports.size + reviewers.size, np.int64),
            ]
        ),
        pairs=int(loose_p.size),
    )
    flows = cheapest_flow(arcs, supply, most_flow=False)
    chosen = fixed.copy()
    taken = np.nonzero(flows[: arcs.pairs])[0]
    chosen[loose_p[taken], loose_r[taken]] = True
    return chosen
