"""Inputs, oracles and generated instances for the reviewer assignment's plan tests
(tests/tasks/review/assignment/test_plan.py and test_plan_properties.py).

The oracles are written from the rules, not from tasks/review/assignment/: conflicts are
recomputed from the raw inputs, the largest number of pairs and the most even loads come from a
small min-cost flow of its own (successive shortest paths), and expertise is checked by brute
force over every move and swap that keeps the loads.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, deque
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tasks.review.assignment.plan import AssignmentPlan, Override, Report, Reviewer


def reviewer(key: str, max_load: int = 5, **fields: object) -> Reviewer:
    values: dict[str, object] = {"name": key.split("@")[0], "employer": "独立专家", **fields}
    return Reviewer(key=key, max_load=max_load, **values)  # type: ignore[arg-type]


def report(pid: int, **fields: object) -> Report:
    values: dict[str, object] = {"uscc": f"U{pid:04d}", "unit_name": f"单位{pid}", **fields}
    return Report(participation_id=pid, **values)  # type: ignore[arg-type]


def full_width(ascii_text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in ascii_text)


def pairs_of(plan: AssignmentPlan) -> list[tuple[int, str]]:
    return [(p.participation_id, p.reviewer_key) for p in plan.pairs]


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def in_conflict(rep: Report, rev: Reviewer) -> bool:
    """The conflict rule, restated from the brief on the raw fields."""
    theirs = {fold(a) for a in rev.conflict_associations}
    names = {fold(n) for n in [rep.unit_name, *rep.employer_names]} - {""}
    return (
        bool({fold(a) for a in rep.association_codes} & theirs)
        or fold(rep.uscc) in {fold(u) for u in rev.conflict_units}
        or fold(rev.employer) in names
    )


def honoured(
    reports: list[Report], roster: list[Reviewer], overrides: list[Override], k: int
) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """The (forbidden, required) pairs the rules keep: forbid wins, then conflicts, k, max_load."""
    known_reports = {r.participation_id: r for r in reports}
    known = {fold(v.key): v for v in roster}
    forbidden = {
        (o.participation_id, known[fold(o.reviewer_key)].key)
        for o in overrides
        if o.action == "forbid" and o.participation_id in known_reports
        and fold(o.reviewer_key) in known
    }  # fmt: skip
    wanted = sorted(
        {(o.participation_id, o.reviewer_key) for o in overrides if o.action == "require"}
    )
    required: set[tuple[int, str]] = set()
    load: Counter[str] = Counter()
    per_report: Counter[int] = Counter()
    candidates = []
    for pid, key in wanted:
        if pid not in known_reports or fold(key) not in known:
            continue
        rev = known[fold(key)]
        if (pid, rev.key) in forbidden or in_conflict(known_reports[pid], rev):
            continue
        candidates.append((pid, rev))
    for pid, rev in sorted(candidates, key=lambda c: (c[0], c[1].key)):
        if per_report[pid] < k and load[rev.key] < rev.max_load and (pid, rev.key) not in required:
            required.add((pid, rev.key))
            per_report[pid] += 1
            load[rev.key] += 1
    return forbidden, required


def eligible_pairs(
    reports: list[Report], roster: list[Reviewer], forbidden: set[tuple[int, str]]
) -> dict[int, set[str]]:
    """Per report, the reviewers it may have: no conflict, not forbidden."""
    return {
        rep.participation_id: {
            rev.key
            for rev in roster
            if (rep.participation_id, rev.key) not in forbidden and not in_conflict(rep, rev)
        }
        for rep in reports
    }


def least_squares(
    eligible: dict[int, set[str]], caps: dict[str, int], k: int, required: set[tuple[int, str]]
) -> tuple[int, int]:
    """Return (most pairs, least sum of squared loads among those) by successive shortest paths.

    Source -> report (k less its required pairs) -> eligible reviewer (1) -> sink, where a
    reviewer's i-th unit to the sink costs 2i + 1, so a load of n costs n^2 in total.
    """
    fixed_per_report = Counter(pid for pid, _ in required)
    fixed_load = Counter(key for _, key in required)
    graph: dict[str, list[list[Any]]] = {}  # node -> [[to, capacity, cost, reverse index]]

    def edge(a: str, b: str, capacity: int, cost: int) -> None:
        graph.setdefault(a, [])
        graph.setdefault(b, [])
        graph[a].append([b, capacity, cost, len(graph[b])])
        graph[b].append([a, 0, -cost, len(graph[a]) - 1])

    for pid, keys in eligible.items():
        edge("source", f"p{pid}", k - fixed_per_report[pid], 0)
        for key in keys - {key for p, key in required if p == pid}:
            edge(f"p{pid}", f"r{key}", 1, 0)
    for key, cap in caps.items():
        for i in range(fixed_load[key], cap):
            edge(f"r{key}", "sink", 1, 2 * i + 1)
    pairs, cost = len(required), sum(n * n for n in fixed_load.values())
    while True:
        dist: dict[str, int] = {"source": 0}
        back: dict[str, tuple[str, int]] = {}
        queue, queued = deque(["source"]), {"source"}
        while queue:  # Bellman-Ford with a queue: residual edges have negative costs
            node = queue.popleft()
            queued.discard(node)
            for i, (to, capacity, c, _) in enumerate(graph.get(node, [])):
                if capacity > 0 and dist[node] + c < dist.get(to, math.inf):
                    dist[to] = dist[node] + c
                    back[to] = (node, i)
                    if to not in queued:
                        queue.append(to)
                        queued.add(to)
        if "sink" not in dist:
            return pairs, cost
        node = "sink"
        while node != "source":
            prev, i = back[node]
            forward = graph[prev][i]
            forward[1] -= 1
            graph[node][forward[3]][1] += 1
            node = prev
        pairs, cost = pairs + 1, cost + dist["sink"]


def industry(rep: Report, rev: Reviewer) -> int:
    return int(bool(rep.industry) and fold(rep.industry) in {fold(i) for i in rev.industries})


def expertise(rep: Report, rev: Reviewer) -> tuple[int, int]:
    topics = {fold(t) for t in rep.topics} & {fold(t) for t in rev.topics}
    return industry(rep, rev), len(topics)


NAMES = [
    "上海汽车集团",
    "上海 汽车集团",
    full_width("ABC") + "咨询",
    "abc 咨询",
    "复旦大学",
    "独立专家",
]
ASSOCIATIONS = ["A001", "a002", "A003"]
INDUSTRIES = ["汽车", "金融", "化工"]
TOPICS = ["green", "governance", "people", "community"]


@st.composite
def instances(
    draw: st.DrawFn, *, conflicts: bool = True, cap_at_least: str = "none"
) -> tuple[list[Report], list[Reviewer], list[Override], int]:
    n = draw(st.integers(0, 9))
    m = draw(st.integers(1 if cap_at_least != "none" else 0, 7))
    k = draw(st.integers(1, 3))
    subset = st.frozensets
    reports = [
        Report(
            participation_id=pid,
            uscc=f"U{pid:03d}",
            unit_name=draw(st.sampled_from(NAMES)) if conflicts else f"单位{pid}",
            employer_names=draw(subset(st.sampled_from(NAMES), max_size=2))
            if conflicts
            else frozenset(),
            association_codes=draw(subset(st.sampled_from(ASSOCIATIONS), max_size=2)),
            industry=draw(st.sampled_from(["", *INDUSTRIES])),
            topics=draw(subset(st.sampled_from(TOPICS), max_size=3)),
        )
        for pid in draw(st.lists(st.integers(1, 60), min_size=n, max_size=n, unique=True))
    ]
    floor = {"none": 0, "mean": math.ceil(1.3 * k * n / max(m, 1)) or 1, "all": n}[cap_at_least]
    roster = [
        Reviewer(
            key=f"r{j}@example.cn",
            name=f"R{j}",
            employer=draw(st.sampled_from(NAMES)) if conflicts else f"机构{j}",
            industries=draw(subset(st.sampled_from(INDUSTRIES), max_size=2)),
            topics=draw(subset(st.sampled_from(TOPICS), max_size=3)),
            max_load=draw(st.integers(floor, floor + 6)),
            conflict_associations=draw(subset(st.sampled_from(ASSOCIATIONS), max_size=1))
            if conflicts
            else frozenset(),
            conflict_units=draw(subset(st.sampled_from([r.uscc.lower() for r in reports])))
            if conflicts and reports
            else frozenset(),
        )
        for j in range(m)
    ]
    overrides = []
    if conflicts and reports:
        keys = [v.key for v in roster] + ["ghost@example.cn"]
        for _ in range(draw(st.integers(0, 4))):
            overrides.append(
                Override(
                    participation_id=draw(st.sampled_from([r.participation_id for r in reports])),
                    reviewer_key=draw(st.sampled_from(keys)),
                    action=draw(st.sampled_from(["require", "forbid"])),
                )
            )
    return reports, roster, overrides, k


Instance = tuple[list[Report], list[Reviewer], list[Override], int]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
