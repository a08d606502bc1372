"""Reviewer assignment (tasks/review/assignment/plan.py): worked examples with exact pairs.

The properties against oracles are in test_plan_properties.py; the solver's exact optimum on tiny
inputs is checked against enumeration of every plan in test_flow.py.
"""

from __future__ import annotations

import pytest
from plankit import full_width, pairs_of, report, reviewer

from tasks.review.assignment.plan import (
    AssignmentInputError,
    Override,
    Pair,
    RefusedOverride,
    Shortfall,
    assign_reviewers,
)


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
