"""The commend ranking: composite score, performance bonus, ties, and the reasons of each place.

The oracle ranks by four stable sorts from the least significant key up (USCC, bonus, review
score, composite), a different mechanism from the product's single tuple key.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.commend.rank import (
    NO_INDUSTRY,
    Candidate,
    CommendInputError,
    Performance,
    performance_bonus,
    performance_from_evaluation,
    rank_candidates,
)


def candidate(pid: int, score: float, **fields: Any) -> Candidate:
    values: dict[str, Any] = {"uscc": f"91310000{pid:09d}X", "unit_name": f"上海测试{pid}公司"}
    values.update(fields)
    return Candidate(participation_id=pid, normalised_score=score, **values)


def sound(n: int, of: int) -> Performance:
    return Performance(indicators=of, sound=n)


def test_performance_from_evaluation_counts_computed_unflagged_indicators() -> None:
    indicators = {
        "revenue_growth": {"value": -0.05, "flag": True, "basis": "revenue 2022, 2023"},
        "profit_margin": {"value": 0.12, "flag": False, "basis": "profit / revenue"},
        "tax_share": {"value": 0.03, "flag": None, "basis": "taxes / revenue"},
        "rd_intensity": {"value": None, "flag": None, "basis": "no R&D spend filed"},
        "penalties": {"value": None, "flag": False, "basis": "no penalty declared"},
        "debt_ratio": {"value": 0.7, "flag": False, "basis": "liabilities / assets"},
    }

    result = performance_from_evaluation(indicators, ["debt_ratio", "not_an_indicator"])

    assert result == Performance(indicators=6, sound=3, flagged=("debt_ratio", "revenue_growth"))


def test_performance_bonus_is_points_times_sound_share_and_zero_without_evaluation() -> None:
    assert performance_bonus(sound(3, 4), 5.0) == 3.75
    assert performance_bonus(sound(4, 4), 5.0) == 5.0
    assert performance_bonus(None, 5.0) == 0.0
    assert performance_bonus(sound(0, 0), 5.0) == 0.0


def test_rank_adds_the_bonus_and_explains_a_missing_evaluation() -> None:
    ranked = rank_candidates(
        [candidate(1, 80.0, performance=sound(4, 4)), candidate(2, 82.0)], points=5.0
    )

    assert [(r.candidate.participation_id, r.composite, r.bonus, r.rank) for r in ranked] == [
        (1, 85.0, 5.0, 1),
        (2, 82.0, 0.0, 2),
    ]
    assert ranked[0].reasons == (
        "综合分85.00 = 评审得分80.00 + 绩效加分5.00"
        "（评审得分满分100，绩效加分至多5分，综合分满分105）",
        "在2家可表彰候选单位中综合排名第1（无评审名次）",
        "绩效评价4项指标中4项正常，加分5.00",
    )
    assert ranked[1].reasons[2] == "无绩效评价数据，不计绩效加分"


def test_flagged_indicators_are_named_in_chinese_never_by_key() -> None:
    flagged = Performance(indicators=20, sound=18, flagged=("penalties", "rd_growth", "x_y"))

    [ranked] = rank_candidates([candidate(1, 80.0, performance=flagged)], points=5.0)

    assert ranked.reasons[2] == (
        "绩效评价20项指标中18项正常，需关注：行政处罚、研发投入增长率、其他指标，加分4.50"
    )


def test_equal_composite_goes_to_the_higher_review_score() -> None:
    ranked = rank_candidates(
        [candidate(1, 80.0, performance=sound(4, 4)), candidate(2, 85.0)], points=5.0
    )

    assert [r.candidate.participation_id for r in ranked] == [2, 1]
    assert ranked[0].composite == ranked[1].composite == 85.0


def test_full_tie_goes_to_the_smaller_uscc_whatever_the_input_order() -> None:
    a = candidate(7, 80.0, uscc="91310000000000002A")
    b = candidate(3, 80.0, uscc="91310000000000001B")

    assert [r.candidate.uscc for r in rank_candidates([a, b], 5.0)] == [b.uscc, a.uscc]
    assert [r.candidate.uscc for r in rank_candidates([b, a], 5.0)] == [b.uscc, a.uscc]


def test_float_noise_is_no_rank_difference() -> None:
    # 0.1 + 0.2 != 0.3 in binary floating point; four decimals decide, then the USCC.
    a = candidate(1, 80.1 + 0.2, uscc="91310000000000002A")
    b = candidate(2, 80.3, uscc="91310000000000001B")

    assert [r.candidate.participation_id for r in rank_candidates([a, b], 5.0)] == [2, 1]


def test_a_unit_given_twice_is_refused_naming_it() -> None:
    with pytest.raises(CommendInputError, match="USCC given twice: '91310000000000001A'"):
        rank_candidates(
            [
                candidate(1, 80.0, uscc="91310000000000001A"),
                candidate(2, 70.0, uscc="91310000000000001A"),
            ],
            5.0,
        )


def test_blank_industries_form_one_group() -> None:
    assert candidate(1, 1.0, industry="  ").industry_group == NO_INDUSTRY
    assert candidate(1, 1.0, industry="电子信息").industry_group == "电子信息"


@st.composite
def pools(draw: st.DrawFn) -> list[Candidate]:
    n = draw(st.integers(0, 12))
    ids = draw(st.lists(st.integers(1, 99), min_size=n, max_size=n, unique=True))
    out = []
    for pid in ids:
        indicators = draw(st.integers(0, 4))
        perf = draw(
            st.none()
            | st.builds(
                Performance, indicators=st.just(indicators), sound=st.integers(0, indicators)
            )
        )
        out.append(
            candidate(pid, draw(st.sampled_from([60.0, 72.5, 80.0, 84.0, 85.0])), performance=perf)
        )
    return out


def oracle_order(candidates: list[Candidate], points: float) -> list[int]:
    def bonus(c: Candidate) -> float:
        p = c.performance
        return 0.0 if p is None or p.indicators == 0 else points * p.sound / p.indicators

    rows = sorted(candidates, key=lambda c: c.uscc)
    rows = sorted(rows, key=lambda c: round(bonus(c), 4), reverse=True)
    rows = sorted(rows, key=lambda c: round(c.normalised_score, 4), reverse=True)
    rows = sorted(rows, key=lambda c: round(c.normalised_score + bonus(c), 4), reverse=True)
    return [c.participation_id for c in rows]


@settings(max_examples=200, deadline=None)
@given(pools(), st.sampled_from([0.0, 5.0, 10.0]), st.randoms(use_true_random=False))
def test_ranking_matches_the_oracle_in_any_input_order(
    pool: list[Candidate], points: float, rnd: Any
) -> None:
    shuffled = list(pool)
    rnd.shuffle(shuffled)

    ranked = rank_candidates(shuffled, points)

    assert [r.candidate.participation_id for r in ranked] == oracle_order(pool, points)
    assert [r.rank for r in ranked] == list(range(1, len(pool) + 1))
    assert all(0.0 <= r.bonus <= points for r in ranked)
    assert all(
        r.reasons[1].startswith(f"在{len(pool)}家可表彰候选单位中综合排名第{r.rank}（")
        for r in ranked
    )
