"""Reviewer assignment (评审专家分配): which experts review which reports, and why.

`assign_reviewers(reports, reviewers, overrides, k=3, seed=0)` is the plain rule the review stage
calls: values in, an `AssignmentPlan` out (pairs with their reasons, reports short of reviewers
and why, every reviewer's load, refused overrides). It does not read the roster, touch the
database, mail anyone or use the clock; the review flow's tasks do that around it.

Rules, hardest first:
1. A conflict is never assigned: a reviewer's conflict associations meet the report's
   recommending associations; the report's USCC is among the reviewer's conflict units; the
   reviewer's employer is the unit's name or an alias (NFKC, no spaces, case-folded); or a
   `forbid` override names the pair. A `require` override is placed first and never moved; one
   that conflicts, exceeds max_load, names an unknown report or reviewer, or would give a report
   more than k required reviewers is refused and listed in `plan.refused`.
2. No reviewer over max_load; k distinct reviewers per report (fewer only when fewer are free of
   conflict, or capacity runs out: then the report is in `plan.shortfalls` with the causes).
3. Loads as even as the conflicts and capacities allow: when possible every reviewer with
   capacity is within 1 of the mean (pairs / reviewers with capacity). Balance wins over
   expertise: no expert is loaded past the even spread to win a match.
4. Expertise: industry matches first, then the number of topics in common.
5. Determinism: inputs are sorted by key first; ties between equally good plans go to the one
   whose pairs a preference drawn from `seed` favours most (the same inputs, seed, NumPy and
   OR-tools versions give the same plan).

Rules 2-5 are one exact optimum, not a search (tasks/review/assignment/flow.py): the plan is a
maximum flow of minimum cost, solved by OR-tools, from the source through each report (k seats
less its required reviewers) and each free (report, reviewer) pair (cost: minus the expertise)
to each reviewer and the sink (the unit that brings a load from i to i + 1 costs 2i + 1 times a
weight above any expertise total, so a load of n costs n^2). Hence, in this order: the most pairs
any valid assignment reaches (what stays short is truly short); the least sum of squared loads
(so also the lowest maximum and highest minimum load); the most industry matches; the most topics
in common. network.py builds the costs; certificate.py proves a flow found on each report's 30
best-matched reviewers optimal on all pairs (else more are offered) and prices it; ties.py uses
the prices to choose, among all optimal plans, the seed's preferred one, which mixes who reviews
with whom (the scores' harshness normalisation needs that). Conflicts and scores come from
tasks/review/assignment/match.py, the reasons and shortfall texts from explain.py.
5,000 reports x 150 reviewers take about half a second of CPU (benchmarks/assign.py); past
about 35,000 reports at 150 reviewers the exact costs would overflow 64 bits and
`AssignmentTooLarge` (network.py) is raised instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from tasks.review.assignment.explain import describe_conflicts, pair_reasons, shortfall_why
from tasks.review.assignment.flow import Seats, best_assignment
from tasks.review.assignment.match import (
    Declared,
    conflict_causes,
    conflicts_by_report,
    declared_causes,
    expertise_matrix,
    normalise_name,
)
from tasks.review.assignment.model import (
    AssignmentInputError,
    AssignmentPlan,
    Override,
    Pair,
    RefusedOverride,
    Report,
    Reviewer,
    Shortfall,
)

__all__ = [
    "AssignmentInputError",
    "AssignmentPlan",
    "Override",
    "Pair",
    "RefusedOverride",
    "Report",
    "Reviewer",
    "Shortfall",
    "assign_reviewers",
    "conflict_causes",
    "normalise_name",
]


def assign_reviewers(
    reports: Iterable[Report],
    reviewers: Iterable[Reviewer],
    overrides: Iterable[Override] = (),
    *,
    k: int = 3,
    seed: int = 0,
) -> AssignmentPlan:
    """Assign k conflict-free reviewers per report, evenly loaded and best matched; explain it."""
    inputs = _prepare(reports, reviewers, overrides, k)
    blocked = [c | f for c, f in zip(inputs.conflicted, inputs.forbidden, strict=True)]
    seats = best_assignment(
        blocked,
        expertise_matrix(inputs.rs, inputs.vs),
        [v.max_load for v in inputs.vs],
        inputs.pinned,
        k=k,
        seed=seed,
    )
    return _plan(inputs, seats, k)


class Inputs(NamedTuple):
    """Sorted, checked inputs by index: conflicts, forbids, placed required pairs, refusals."""

    rs: list[Report]
    vs: list[Reviewer]
    conflicted: list[set[int]]
    forbidden: list[set[int]]
    pinned: list[set[int]]
    refused: list[RefusedOverride]


def _prepare(
    reports: Iterable[Report], reviewers: Iterable[Reviewer], overrides: Iterable[Override], k: int
) -> Inputs:
    """Return the inputs sorted by key with conflicts and overrides read; raise on bad inputs."""
    if k < 1:
        raise AssignmentInputError(k, "k must be at least 1")
    rs = sorted(reports, key=lambda r: r.participation_id)
    vs = sorted(reviewers, key=lambda v: v.key)
    _unique((r.participation_id for r in rs), "duplicate participation id")
    _unique((normalise_name(v.key) for v in vs), "duplicate reviewer key")
    for v in vs:
        if v.max_load < 0:
            raise AssignmentInputError(v.key, "max_load is negative for reviewer")
    conflicted = conflicts_by_report(rs, vs)
    forbidden, required, refused = _read_overrides(rs, vs, overrides, conflicted)
    pinned: list[set[int]] = [set() for _ in rs]
    load = [0] * len(vs)
    for p, r, o in required:  # by report, then reviewer key
        if len(pinned[p]) >= k:
            refused.append(RefusedOverride(o, f"the report already has k = {k} required reviewers"))
        elif load[r] >= vs[r].max_load:
            refused.append(RefusedOverride(o, f"reviewer already at max_load {vs[r].max_load}"))
        else:
            pinned[p].add(r)
            load[r] += 1
    return Inputs(rs, vs, conflicted, forbidden, pinned, refused)


def _read_overrides(
    rs: Sequence[Report],
    vs: Sequence[Reviewer],
    overrides: Iterable[Override],
    conflicted: list[set[int]],
) -> tuple[list[set[int]], list[tuple[int, int, Override]], list[RefusedOverride]]:
    """Return forbidden reviewers per report, required pairs to place, and refused overrides."""
    report_at = {r.participation_id: i for i, r in enumerate(rs)}
    reviewer_at = {normalise_name(v.key): j for j, v in enumerate(vs)}
    forbidden: list[set[int]] = [set() for _ in rs]
    required: dict[tuple[int, int], Override] = {}
    refused: list[RefusedOverride] = []
    ordered = sorted(set(overrides), key=lambda o: (o.action, o.participation_id, o.reviewer_key))
    for o in ordered:  # "forbid" sorts before "require", so a forbid always wins
        if o.action not in ("forbid", "require"):
            raise AssignmentInputError(o.action, "override action must be require or forbid")
        p, r = report_at.get(o.participation_id), reviewer_at.get(normalise_name(o.reviewer_key))
        if p is None or r is None:
            refused.append(
                RefusedOverride(o, "unknown report" if p is None else "unknown reviewer")
            )
        elif o.action == "forbid":
            forbidden[p].add(r)
        elif r in conflicted[p] or r in forbidden[p]:
            causes = conflict_causes(rs[p], vs[r]) or ["forbidden by override"]
            refused.append(RefusedOverride(o, "conflict: " + ", ".join(causes)))
        else:
            required.setdefault((p, r), o)
    return forbidden, [(p, r, o) for (p, r), o in sorted(required.items())], refused


def _unique(keys: Iterable[object], problem: str) -> None:
    """Raise AssignmentInputError on the first key seen twice."""
    seen: set[object] = set()
    for key in keys:
        if key in seen:
            raise AssignmentInputError(key, problem)
        seen.add(key)


def _plan(inputs: Inputs, seats: Seats, k: int) -> AssignmentPlan:
    """Return the plan: pairs with reasons, short reports with causes, loads, refusals."""
    rs, vs, assigned, load = inputs.rs, inputs.vs, seats.assigned, seats.load
    pairs: list[Pair] = []
    shortfalls: list[Shortfall] = []
    declared = [Declared.of(v) for v in vs]
    industries = [{normalise_name(t) for t in v.industries} for v in vs]
    topic_tags = [{normalise_name(t) for t in v.topics} for v in vs]
    for p, r in enumerate(rs):
        industry_tag = normalise_name(r.industry)
        report_topics = sorted((t, normalise_name(t)) for t in r.topics)
        for j in sorted(assigned[p]):  # reviewers are indexed in key order
            v = vs[j]
            industry = r.industry if industry_tag and industry_tag in industries[j] else None
            topics = [t for t, tag in report_topics if tag in topic_tags[j]]
            reasons = pair_reasons(industry, topics, load[j], v.max_load, j in inputs.pinned[p])
            pairs.append(Pair(r.participation_id, v.key, reasons))
        if len(assigned[p]) < k:
            blocked = inputs.conflicted[p] | inputs.forbidden[p]
            causes = [
                declared_causes(r, declared[j])
                + (["forbidden by override"] if j in inputs.forbidden[p] else [])
                for j in sorted(blocked)
            ]
            full = sum(
                1
                for j, v in enumerate(vs)
                if j not in blocked and j not in assigned[p] and load[j] >= v.max_load
            )
            why = shortfall_why(
                needed=k,
                got=len(assigned[p]),
                roster=len(vs),
                conflicts=describe_conflicts(causes),
                conflicted=len(causes),
                at_capacity=full,
            )
            shortfalls.append(Shortfall(r.participation_id, k, len(assigned[p]), why))
    loads = {v.key: load[j] for j, v in enumerate(vs)}
    return AssignmentPlan(pairs, shortfalls, loads, sorted(inputs.refused, key=_override_order))


def _override_order(refusal: RefusedOverride) -> tuple[int, str, str]:
    """Return the sort key of a refused override: report, reviewer, action."""
    o = refusal.override
    return (o.participation_id, o.reviewer_key, o.action)
