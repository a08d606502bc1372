"""Inputs, baseline and quality figures of the assignment benchmark (benchmarks/assign.py).

Inputs are random but realistic: 20 industries and 12 topics, each report one industry and 2-4
topics recommended by 1-2 of 300 associations; each reviewer 1-3 industries, 2-5 topics and
conflicts with 5% of the associations, a few with a unit's employer or a declared unit, and
capacities (0.6-1.4x each other) summing to about `capacity` x the k x reports needed.
The baseline deals reviewers round-robin to report slots, skipping only conflicts, full reviewers
and repeats (no expertise, no balancing beyond the deal): it shows what the constraints and the
search cost. Not a script: run benchmarks/assign.py.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

from tasks.review.assignment.match import INDUSTRY
from tasks.review.assignment.plan import (
    AssignmentPlan,
    Pair,
    Report,
    Reviewer,
    Shortfall,
    conflict_causes,
)

INDUSTRIES = [f"行业{i:02d}" for i in range(20)]
TOPICS = [f"topic-{i:02d}" for i in range(12)]
ASSOCIATIONS = [f"A{i:03d}" for i in range(300)]


def make_inputs(
    reports: int, reviewers: int, k: int, seed: int, capacity: float = 1.2
) -> tuple[list[Report], list[Reviewer]]:
    """Return random, realistic reports and a roster whose capacity is about `capacity` x need."""
    rng = random.Random(seed)
    units = [
        Report(
            participation_id=i + 1,
            uscc=f"91310000U{i:09d}",
            unit_name=f"上海单位{i}有限公司",
            employer_names=frozenset({f"上海单位{i}有限公司", f"单位{i}"}),
            association_codes=frozenset(rng.sample(ASSOCIATIONS, rng.choice([1, 1, 1, 2]))),
            industry=rng.choice(INDUSTRIES),
            topics=frozenset(rng.sample(TOPICS, rng.randint(2, 4))),
        )
        for i in range(reports)
    ]
    weights = [rng.uniform(0.6, 1.4) for _ in range(reviewers)]
    per_weight = capacity * k * reports / sum(weights)
    roster = []
    for j in range(reviewers):
        own = rng.random() < 0.05  # works for a participating unit: a same-employer conflict
        roster.append(
            Reviewer(
                key=f"expert{j:03d}@review.example.cn",
                name=f"专家{j}",
                employer=rng.choice(units).unit_name if own and units else f"研究院{j}",
                industries=frozenset(rng.sample(INDUSTRIES, rng.randint(1, 3))),
                topics=frozenset(rng.sample(TOPICS, rng.randint(2, 5))),
                max_load=max(1, round(weights[j] * per_weight)),
                conflict_associations=frozenset(rng.sample(ASSOCIATIONS, 15)),
                conflict_units=frozenset(u.uscc for u in rng.sample(units, min(2, len(units)))),
            )
        )
    return units, roster


def round_robin(reports: Sequence[Report], roster: Sequence[Reviewer], k: int) -> AssignmentPlan:
    """Return the naive baseline: deal reviewers in turn, skipping conflicts, full ones, repeats."""
    loads = dict.fromkeys((v.key for v in roster), 0)
    pairs: list[tuple[int, str]] = []
    turn = 0
    for r in reports:
        chosen: set[str] = set()
        for _ in range(len(roster)):
            if len(chosen) == k:
                break
            v = roster[turn % len(roster)]
            turn += 1
            if v.key in chosen or loads[v.key] >= v.max_load or conflict_causes(r, v):
                continue
            chosen.add(v.key)
            loads[v.key] += 1
            pairs.append((r.participation_id, v.key))
    got = {r.participation_id: 0 for r in reports}
    for pid, _ in pairs:
        got[pid] += 1
    return AssignmentPlan(
        [Pair(pid, key, []) for pid, key in pairs],
        [Shortfall(pid, k, n, "") for pid, n in got.items() if n < k],
        loads,
    )


def figures(
    plan: AssignmentPlan, reports: Sequence[Report], roster: Sequence[Reviewer]
) -> dict[str, float]:
    """Return the plan's quality: pairs, shortfalls, affinity, load spread, expertise shares."""
    by_id = {r.participation_id: r for r in reports}
    by_key = {v.key: v for v in roster}
    with_capacity = [v.key for v in roster if v.max_load > 0]
    loads = [plan.loads[key] for key in with_capacity]
    mean = len(plan.pairs) / len(with_capacity) if with_capacity else 0.0
    deviation = max((abs(plan.loads[key] - mean) for key in with_capacity), default=0.0)
    uncapped = [key for key in with_capacity if plan.loads[key] < by_key[key].max_load]
    industry = sum(
        by_id[p.participation_id].industry in by_key[p.reviewer_key].industries for p in plan.pairs
    )
    topics = sum(
        len(by_id[p.participation_id].topics & by_key[p.reviewer_key].topics) for p in plan.pairs
    )
    n = len(plan.pairs) or 1
    return {
        "pairs": len(plan.pairs),
        "shortfalls": len(plan.shortfalls),
        "total_affinity": industry * INDUSTRY + topics,
        "industry_matches": industry,
        "topics_in_common": topics,
        "sum_of_squared_loads": sum(x * x for x in plan.loads.values()),
        "load_min": min(loads, default=0),
        "load_max": max(loads, default=0),
        "load_stdev": round(statistics.pstdev(loads), 3) if loads else 0.0,
        "mean_load": round(mean, 2),
        "max_deviation_from_mean_load": round(deviation, 2),
        "max_deviation_among_reviewers_below_max_load": round(
            max((abs(plan.loads[key] - mean) for key in uncapped), default=0.0), 2
        ),
        "load_spread_among_reviewers_below_max_load": max(
            (plan.loads[key] for key in uncapped), default=0
        )
        - min((plan.loads[key] for key in uncapped), default=0),
        "reviewers_at_max_load": len(with_capacity) - len(uncapped),
        "share_of_pairs_with_industry_match": round(industry / n, 4),
        "mean_topics_in_common": round(topics / n, 3),
        "conflicts_assigned": sum(
            bool(conflict_causes(by_id[p.participation_id], by_key[p.reviewer_key]))
            for p in plan.pairs
        ),
    }
