"""The one place that calls OR-tools: a min-cost flow on arc arrays, flows back as an array.

OR-tools' `SimpleMinCostFlow` (cost scaling, exact on integers) solves either the maximum flow of
minimum cost from the source to the sink, or a flow meeting given supplies at least cost. It knows
nothing of reports or reviewers: network.py and ties.py build the arcs, flow.py reads the flows.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python.min_cost_flow import (
    SimpleMinCostFlow,
)

from tasks.review.assignment.network import Arcs, Ints


class FlowNotSolved(RuntimeError):
    """OR-tools did not report an optimal flow (it always should on a network built here)."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(f"min-cost flow status: {value}")


def cheapest_flow(arcs: Arcs, supplies: Ints, *, most_flow: bool) -> Ints:
    """Return the flow on each arc of a least-cost flow; calls OR-tools, no other side effect.

    `supplies[v]` is what node v sends (negative: receives). With `most_flow` the flow may fall
    short of the supplies: it is then the maximum flow, of least cost among maximum flows.
    """
    solver = SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        arcs.tails.astype(np.int32), arcs.heads.astype(np.int32), arcs.capacities, arcs.costs
    )
    nodes = np.nonzero(supplies)[0]
    solver.set_nodes_supplies(nodes.astype(np.int32), supplies[nodes])
    status = solver.solve_max_flow_with_min_cost() if most_flow else solver.solve()
    if status != solver.OPTIMAL:
        raise FlowNotSolved(str(status))
    flows: Ints = np.asarray(solver.flows(np.arange(arcs.tails.size, dtype=np.int32)))
    return flows
