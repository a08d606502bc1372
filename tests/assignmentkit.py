"""Brute-force oracles for the reviewer assignment's min-cost flow, on tiny networks.

Written from the rules, not from the product: every valid flow (each report some free reviewers
up to its seats, no reviewer past its load units) and its cost (load units at (2i + 1) x balance,
less the affinity of its pairs).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations, product

import numpy as np

from tasks.review.assignment.network import Bools, Network


def flows(network: Network) -> Iterator[Bools]:
    """Yield every valid flow of the network as a reports x reviewers matrix of pairs."""
    n, m = network.free.shape
    options = [
        [
            c
            for size in range(int(network.seats[p]) + 1)
            for c in combinations(np.nonzero(network.free[p])[0].tolist(), size)
        ]
        for p in range(n)
    ]
    for choice in product(*options):
        used = np.zeros((n, m), dtype=bool)
        for p, reviewers in enumerate(choice):
            used[p, list(reviewers)] = True
        if (used.sum(axis=0) <= network.units).all():
            yield used


def cost(network: Network, used: Bools) -> int:
    """Return the flow's cost: load units at (2i + 1) x balance, less the affinity of its pairs."""
    total = -int(network.affinity[used].sum())
    for r, extra in enumerate(used.sum(axis=0).tolist()):
        start = int(network.fixed[r])
        total += sum((2 * i + 1) * network.balance for i in range(start, start + extra))
    return total
