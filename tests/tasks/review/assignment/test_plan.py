"""Reviewer assignment: worked examples with exact pairs, and properties against oracles.

The oracles below are written from the rules, not from tasks/review/assignment/: conflicts are
recomputed from the raw inputs, the largest number of pairs and the most even loads come from a
small min-cost flow of its own (successive shortest paths), and expertise is checked by brute
force over every move and swap that keeps the loads. The solver's exact optimum on tiny inputs
is checked against enumeration of every plan in test_flow.py.
"""

from __future__ import annotations

import math
import subprocess
import sys
import unicodedata
from collections import Counter, deque
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.review.assignment.plan import (
    AssignmentInputError,
    AssignmentPlan,
    Override,
    Pair,
    RefusedOverride,
    Report,
    Reviewer,
    Shortfall,
    assign_reviewers,
)

REPO = Path(__file__).resolve().parents[4]


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


# ---- worked examples ----------------------------------------------------------------------------


def test_assign_reviewers_prefers_industry_then_topic_overlap() -> None:
    auto = report(1, industry="汽车", topics=frozenset({"green", "governance"}))
    roster = [
        reviewer("a@x.cn", industries=frozenset({"汽车"}), topics=frozenset({"green"})),
        reviewer(
            "b@x.cn", industries=frozenset({"汽车"}), topics=frozenset({"green", "governance"})
        ),
        reviewer(
            "c@x.cn", industries=frozenset({"金融"}), topics=frozenset({"green", "governance"})
        ),
        reviewer("d@x.cn"),
    ]

    plan = assign_reviewers([auto], roster, k=2, seed=7)

    assert plan.pairs == [
        Pair(1, "a@x.cn", ["industry match: 汽车", "topic match: green", "load 1/5"]),
        Pair(1, "b@x.cn", ["industry match: 汽车", "topic match: governance, green", "load 1/5"]),
    ]
    assert plan.loads == {"a@x.cn": 1, "b@x.cn": 1, "c@x.cn": 0, "d@x.cn": 0}
    assert plan.shortfalls == []


def test_assign_reviewers_skips_every_kind_of_conflict_and_says_why_the_report_is_short() -> None:
    unit = report(
        7,
        uscc="91310115MA1K000001",
        unit_name="上海汽车集团股份有限公司",
        employer_names=frozenset({"上汽集团", "SAIC Motor"}),
        association_codes=frozenset({"A001"}),
    )
    roster = [
        reviewer("assoc@x.cn", conflict_associations=frozenset({"a001"})),
        reviewer("unit@x.cn", conflict_units=frozenset({"91310115ma1k000001"})),
        reviewer("alias@x.cn", employer="上汽 集团"),
        reviewer("width@x.cn", employer=full_width("SAIC") + "\u3000" + full_width("Motor")),
        reviewer("forbidden@x.cn"),
        reviewer("clean@x.cn"),
    ]
    forbid = Override(participation_id=7, reviewer_key="forbidden@x.cn", action="forbid")

    plan = assign_reviewers([unit], roster, [forbid], k=3)

    assert pairs_of(plan) == [(7, "clean@x.cn")]
    assert plan.shortfalls == [
        Shortfall(
            7,
            3,
            1,
            "only 1 of 6 reviewers without a conflict: 5 with a conflict "
            "(same employer ×2, association A001, declared unit, forbidden by override)",
        )
    ]


def test_assign_reviewers_places_required_pairs_and_refuses_conflicting_or_unknown_ones() -> None:
    auto = report(1, industry="汽车", association_codes=frozenset({"A001"}))
    roster = [
        reviewer("expert@x.cn", industries=frozenset({"汽车"})),
        reviewer("plain@x.cn"),
        reviewer("conflicted@x.cn", conflict_associations=frozenset({"A001"})),
    ]
    overrides = [
        Override(participation_id=1, reviewer_key=key, action="require")
        for key in ("plain@x.cn", "conflicted@x.cn", "ghost@x.cn")
    ]

    plan = assign_reviewers([auto], roster, overrides, k=1)

    assert plan.pairs == [Pair(1, "plain@x.cn", ["manual override", "load 1/5"])]
    assert plan.refused == [
        RefusedOverride(overrides[1], "conflict: association A001"),
        RefusedOverride(overrides[2], "unknown reviewer"),
    ]


def test_assign_reviewers_refuses_a_required_pair_beyond_max_load_or_k() -> None:
    reports = [report(1), report(2)]
    roster = [reviewer("a@x.cn", max_load=1), reviewer("b@x.cn"), reviewer("c@x.cn")]
    overrides = [
        Override(participation_id=1, reviewer_key="a@x.cn", action="require"),
        Override(participation_id=2, reviewer_key="a@x.cn", action="require"),
        Override(participation_id=2, reviewer_key="b@x.cn", action="require"),
        Override(participation_id=2, reviewer_key="c@x.cn", action="require"),
    ]

    plan = assign_reviewers(reports, roster, overrides, k=1)

    assert pairs_of(plan) == [(1, "a@x.cn"), (2, "b@x.cn")]
    assert [
        (r.override.participation_id, r.override.reviewer_key, r.why) for r in plan.refused
    ] == [
        (2, "a@x.cn", "reviewer already at max_load 1"),
        (2, "c@x.cn", "the report already has k = 1 required reviewers"),
    ]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_assign_reviewers_gives_each_expert_their_own_industry_at_even_loads(seed: int) -> None:
    reports = [report(i + 1, industry=ind) for i, ind in enumerate("aabbcc")]
    roster = [
        reviewer("x@x.cn", 10, industries=frozenset("abc")),
        reviewer("y@x.cn", 10, industries=frozenset("a")),
        reviewer("z@x.cn", 10, industries=frozenset("b")),
    ]

    plan = assign_reviewers(reports, roster, k=1, seed=seed)

    assert pairs_of(plan) == [
        (1, "y@x.cn"),
        (2, "y@x.cn"),
        (3, "z@x.cn"),
        (4, "z@x.cn"),
        (5, "x@x.cn"),
        (6, "x@x.cn"),
    ]


def test_assign_reviewers_evens_loads_around_a_reviewer_with_little_capacity() -> None:
    reports = [report(i) for i in range(1, 8)]
    roster = [reviewer("a@x.cn", 1), reviewer("b@x.cn", 10), reviewer("c@x.cn", 10)]

    plan = assign_reviewers(reports, roster, k=1)

    assert plan.loads == {"a@x.cn": 1, "b@x.cn": 3, "c@x.cn": 3}


def test_assign_reviewers_names_conflicts_and_full_reviewers_when_short() -> None:
    unit = report(1, association_codes=frozenset({"A001"}))
    roster = [
        reviewer("full@x.cn", 0),
        reviewer("room@x.cn", 1),
        reviewer("conflict@x.cn", conflict_associations=frozenset({"A001"})),
    ]

    plan = assign_reviewers([unit], roster, k=3)

    assert plan.pairs == [
        Pair(1, "room@x.cn", ["no expertise match: keeps loads even", "load 1/1"])
    ]
    assert plan.shortfalls == [
        Shortfall(
            1,
            3,
            1,
            "only 2 of 3 reviewers without a conflict: "
            "1 with a conflict (association A001), 1 at capacity",
        )
    ]


def test_assign_reviewers_with_an_empty_roster_reports_every_report_short() -> None:
    plan = assign_reviewers([report(2), report(1)], [], k=2)

    assert plan.shortfalls == [
        Shortfall(1, 2, 0, "no reviewers on the roster"),
        Shortfall(2, 2, 0, "no reviewers on the roster"),
    ]


def test_assign_reviewers_rejects_duplicate_keys_and_k_below_one() -> None:
    with pytest.raises(AssignmentInputError, match="duplicate participation id: 1"):
        assign_reviewers([report(1), report(1)], [reviewer("a@x.cn")])
    with pytest.raises(AssignmentInputError, match=r"duplicate reviewer key: 'a@x\.cn'"):
        assign_reviewers([report(1)], [reviewer("a@x.cn"), reviewer("A@x.cn ")])
    with pytest.raises(AssignmentInputError, match="k must be at least 1: 0"):
        assign_reviewers([report(1)], [reviewer("a@x.cn")], k=0)
    with pytest.raises(AssignmentInputError, match="max_load is negative"):
        assign_reviewers([report(1)], [reviewer("a@x.cn", -1)])


# ---- oracles ------------------------------------------------------------------------------------


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


# ---- generated inputs ---------------------------------------------------------------------------

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


# ---- properties ---------------------------------------------------------------------------------


@PROPERTY
@given(instances(), st.integers(0, 2**32))
def test_plan_is_valid_complete_and_as_even_as_possible(case: Instance, seed: int) -> None:
    reports, roster, overrides, k = case
    by_id = {r.participation_id: r for r in reports}
    by_key = {v.key: v for v in roster}
    forbidden, required = honoured(reports, roster, overrides, k)

    plan = assign_reviewers(reports, roster, overrides, k=k, seed=seed)

    pairs = pairs_of(plan)
    assert len(set(pairs)) == len(pairs)
    assert not [p for p in pairs if in_conflict(by_id[p[0]], by_key[p[1]]) or p in forbidden]
    assert required <= set(pairs)
    per_report = Counter(pid for pid, _ in pairs)
    assert all(per_report[pid] <= k for pid in by_id)
    loads = Counter(key for _, key in pairs)
    assert plan.loads == {v.key: loads[v.key] for v in roster}
    assert all(loads[v.key] <= v.max_load for v in roster)
    caps = {v.key: v.max_load for v in roster}
    most, least = least_squares(eligible_pairs(reports, roster, forbidden), caps, k, required)
    assert len(pairs) == most
    assert sum(n * n for n in loads.values()) == least
    assert [(s.participation_id, s.needed, s.got) for s in plan.shortfalls] == [
        (pid, k, per_report[pid]) for pid in sorted(by_id) if per_report[pid] < k
    ]
    refused = {(r.override.participation_id, r.override.reviewer_key) for r in plan.refused}
    for o in overrides:
        if o.action == "require" and (o.participation_id, o.reviewer_key) not in required:
            assert (o.participation_id, o.reviewer_key) in refused


@PROPERTY
@given(instances(), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_plan_depends_on_the_seed_only_not_on_input_order(
    case: Instance, seed: int, rnd: object
) -> None:
    reports, roster, overrides, k = case
    shuffled = [list(reports), list(roster), list(overrides)]
    for items in shuffled:
        rnd.shuffle(items)  # type: ignore[attr-defined]

    plan = assign_reviewers(reports, roster, overrides, k=k, seed=seed)

    assert assign_reviewers(reports, roster, overrides, k=k, seed=seed) == plan
    assert assign_reviewers(*shuffled, k=k, seed=seed) == plan  # type: ignore[arg-type]


@PROPERTY
@given(instances(conflicts=False, cap_at_least="mean"), st.integers(0, 2**32))
def test_ample_capacity_without_conflicts_keeps_every_load_within_one_of_the_mean(
    case: Instance, seed: int
) -> None:
    reports, roster, _, k = case

    plan = assign_reviewers(reports, roster, k=k, seed=seed)

    with_capacity = [v.key for v in roster if v.max_load > 0]
    mean = len(plan.pairs) / len(with_capacity)
    assert all(abs(plan.loads[key] - mean) <= 1 for key in with_capacity)
    assert len(plan.pairs) == len(reports) * min(k, len(roster))


@PROPERTY
@given(instances(cap_at_least="all"), st.integers(0, 2**32))
def test_ample_capacity_leaves_short_exactly_the_reports_with_fewer_than_k_eligible(
    case: Instance, seed: int
) -> None:
    reports, roster, overrides, k = case
    forbidden, _ = honoured(reports, roster, overrides, k)
    eligible = {pid: len(keys) for pid, keys in eligible_pairs(reports, roster, forbidden).items()}

    plan = assign_reviewers(reports, roster, overrides, k=k, seed=seed)

    assert [(s.participation_id, s.got) for s in plan.shortfalls] == [
        (pid, n) for pid, n in sorted(eligible.items()) if n < k
    ]


@PROPERTY
@given(instances(), st.integers(0, 2**32))
def test_no_move_or_swap_at_the_same_loads_improves_expertise(case: Instance, seed: int) -> None:
    reports, roster, overrides, k = case
    by_id = {r.participation_id: r for r in reports}
    by_key = {v.key: v for v in roster}
    forbidden, required = honoured(reports, roster, overrides, k)

    plan = assign_reviewers(reports, roster, overrides, k=k, seed=seed)

    pairs = set(pairs_of(plan))

    def free(pid: int, key: str) -> bool:
        return (
            (pid, key) not in pairs
            and (pid, key) not in forbidden
            and not in_conflict(by_id[pid], by_key[key])
        )

    movable = sorted(pairs - required)
    for pid, a in movable:
        for b, rev in by_key.items():
            if free(pid, b) and plan.loads[b] + 1 == plan.loads[a] and plan.loads[b] < rev.max_load:
                assert expertise(by_id[pid], rev) <= expertise(by_id[pid], by_key[a])
        for qid, b in movable:
            if qid != pid and a != b and free(pid, b) and free(qid, a):
                before = industry(by_id[pid], by_key[a]) + industry(by_id[qid], by_key[b])
                after = industry(by_id[pid], by_key[b]) + industry(by_id[qid], by_key[a])
                assert after <= before


@settings(PROPERTY, max_examples=100)
@given(instances(), st.integers(0, 2**32))
def test_reasons_state_the_match_and_the_load(case: Instance, seed: int) -> None:
    reports, roster, overrides, k = case
    by_id = {r.participation_id: r for r in reports}
    by_key = {v.key: v for v in roster}

    plan = assign_reviewers(reports, roster, overrides, k=k, seed=seed)

    for pair in plan.pairs:
        rep, rev = by_id[pair.participation_id], by_key[pair.reviewer_key]
        assert (f"industry match: {rep.industry}" in pair.reasons) == bool(industry(rep, rev))
        assert pair.reasons[-1] == f"load {plan.loads[rev.key]}/{rev.max_load}"


def test_plan_is_the_same_under_another_string_hash_seed() -> None:
    script = (
        "import random, hashlib\n"
        "from tasks.review.assignment.plan import Report, Reviewer, assign_reviewers\n"
        "g = random.Random(5)\n"
        "tags = ['汽车', '金融', '化工', 'green', 'people', 'governance']\n"
        "rs = [Report(participation_id=i, uscc=f'U{i}', unit_name=f'u{i}',\n"
        "      association_codes=frozenset(g.sample(['A1', 'A2', 'A3', 'A4'], 2)),\n"
        "      industry=g.choice(tags[:3]), topics=frozenset(g.sample(tags[3:], 2)))\n"
        "      for i in range(60)]\n"
        "vs = [Reviewer(key=f'r{j}@x.cn', name='r', employer='e', max_load=g.randint(5, 30),\n"
        "      industries=frozenset(g.sample(tags[:3], 1)),\n"
        "      topics=frozenset(g.sample(tags[3:], 2)),\n"
        "      conflict_associations=frozenset(g.sample(['A1', 'A2', 'A3', 'A4'], 1)))\n"
        "      for j in range(12)]\n"
        "print(hashlib.sha256(repr(assign_reviewers(rs, vs, k=3, seed=9)).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2", "3")
    }

    assert len(digests) == 1
    assert len(digests.pop().strip()) == 64
