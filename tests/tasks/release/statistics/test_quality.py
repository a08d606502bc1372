"""Score bands, grades, topic coverage and indicator summaries on small inline frames."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from tasks.release.statistics.quality import (
    grade_frame,
    performance_frame,
    score_bins_frame,
    topic_frame,
)


def _outcomes(rows: list[tuple[int, int, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["participation_id", "round", "normalised_score", "grade"])


@given(st.lists(st.floats(0, 100, allow_nan=False), max_size=40))
def test_score_bands_count_every_score_once_in_its_band(scores: list[float]) -> None:
    bands = score_bins_frame(_outcomes([(i, 0, s, "") for i, s in enumerate(scores)]))

    expected = [
        sum(low <= s < low + 10 or (low == 90 and s == 100) for s in scores)
        for low in range(0, 100, 10)
    ]
    assert list(bands["reports"]) == expected
    assert list(bands["low"]) == list(range(0, 100, 10))


def test_score_bands_widen_for_a_score_above_the_top() -> None:
    bands = score_bins_frame(_outcomes([(1, 0, 104.0, "")]), top=100.0)

    assert list(bands["band"])[-2:] == ["[90,100)", "[100,110]"]
    assert list(bands["reports"])[-1] == 1


def test_grades_follow_the_campaign_file_and_list_unknown_grades_last(
    campaign_2024: CampaignFile,
) -> None:
    outcomes = _outcomes([(1, 0, 95.0, "五星级"), (2, 0, 40.0, "待定"), (2, 1, 61.0, "三星级")])

    grades = grade_frame(outcomes, campaign_2024.review.grades)

    assert grades[["grade", "reports"]].values.tolist() == [
        ["五星级", 1],
        ["四星半级", 0],
        ["四星级", 0],
        ["三星半级", 0],
        ["三星级", 1],
        ["二星级", 0],
    ]


def test_topic_coverage_ignores_topics_the_campaign_does_not_have(
    campaign_2024: CampaignFile,
) -> None:
    reports = [
        {"topics": [{"key": "green", "covered": True}, {"key": "not-a-topic", "covered": True}]},
        {"topics": [{"key": "green", "covered": False}]},
        {"problems": []},
    ]

    topics = topic_frame(reports, campaign_2024.topics).set_index("topic_key")

    assert (topics.loc["green", "covering"], topics.loc["green", "share"]) == (1, 0.333)
    assert "not-a-topic" not in topics.index


def test_performance_frame_skips_booleans_and_non_finite_values() -> None:
    evaluations = [
        ({"a": {"value": True}, "b": {"value": float("nan")}, "c": {"value": 2}}, ["a"]),
        ({"c": {"value": 4.0}, "d": "not a dict"}, ["z"]),
    ]

    frame = performance_frame(evaluations)

    shown = frame[["indicator", "evaluated", "computable", "flagged"]].values.tolist()
    assert shown == [
        ["a", 1, 0, 1],
        ["b", 1, 0, 0],
        ["c", 2, 2, 0],
        ["d", 1, 0, 0],
        ["z", 0, 0, 1],  # a flag whose indicator is missing still shows
    ]
    assert frame["median"].isna().tolist() == [True, True, False, True, True]
    assert frame.loc[frame["indicator"] == "c", "median"].tolist() == [3.0]


def test_indicators_carry_their_chinese_name_and_never_show_negative_zero() -> None:
    tiny = [({"cost_ratio_change": {"value": v}}, []) for v in (-0.00001, -0.00002, 0.00001)]

    row = performance_frame(tiny).iloc[0]

    assert row["indicator_name"] == "营业成本率变动"
    for column in ("median", "mean", "lowest", "highest"):
        assert math.copysign(1.0, float(row[column])) == 1.0, column  # 0, not -0
