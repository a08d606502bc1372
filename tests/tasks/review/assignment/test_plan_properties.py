"""Reviewer assignment (tasks/review/assignment/plan.py): properties against oracles.

The oracles (tests/plankit.py) are written from the rules, not from tasks/review/assignment/:
conflicts are recomputed from the raw inputs, the largest number of pairs and the most even loads
come from a small min-cost flow of its own (successive shortest paths), and expertise is checked
by brute force over every move and swap that keeps the loads. The solver's exact optimum on tiny
inputs is checked against enumeration of every plan in test_flow.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from plankit import (
    PROPERTY,
    Instance,
    eligible_pairs,
    expertise,
    honoured,
    in_conflict,
    industry,
    instances,
    least_squares,
    pairs_of,
)

from tasks.review.assignment.plan import assign_reviewers

REPO = Path(__file__).resolve().parents[4]


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
