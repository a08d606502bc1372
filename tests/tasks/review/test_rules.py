"""The review's decision rules, checked against the rules written out here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.policy import campaign_calendar
from schemas.campaign_file import CampaignFile
from tasks.review.rules import (
    UnknownRecommendation,
    criterion_comment,
    revision_window_open,
    round_decidable,
    round_due,
    rule,
    sheet_deadline,
    strengths_and_gaps,
)

RECOMMENDATIONS = ["pass", "revise", "reject", "needs_chair"]
CHAIR = [None, "pass", "revise", "reject"]


@given(
    st.sampled_from(RECOMMENDATIONS),
    st.sampled_from(CHAIR),
    st.integers(0, 4),
    st.integers(0, 4),
    st.booleans(),
)
def test_rule_follows_the_chair_then_the_experts_and_caps_revisions(
    recommendation: str, chair: str | None, done: int, max_rounds: int, window_open: bool
) -> None:
    wanted = chair or recommendation
    if wanted == "needs_chair":
        expected = None
    elif wanted == "revise" and (done >= max_rounds or not window_open):
        expected = "reject"
    else:
        expected = wanted

    ruling = rule(recommendation, chair, done, max_rounds, window_open)  # type: ignore[arg-type]

    assert ruling.decision == expected
    assert ruling.by_chair == (chair is not None and expected is not None)
    assert (ruling.why != "") == (expected is None or expected != wanted)


def test_an_unknown_recommendation_is_refused() -> None:
    with pytest.raises(UnknownRecommendation, match="unknown recommendation 'maybe'") as refused:
        rule("maybe", None, 0, 1, True)
    assert refused.value.recommendation == "maybe"


@given(st.dates(), st.integers(-5, 5))
def test_a_round_is_due_only_after_its_sheets_were_due(sheets_due: date, offset: int) -> None:
    assert round_due(sheets_due, sheets_due + timedelta(days=offset)) == (offset > 0)


def test_a_revise_after_the_revision_window_is_a_reject_with_the_reason() -> None:
    ruling = rule("revise", None, 0, 1, revision_open=False)

    assert (ruling.decision, ruling.why) == ("reject", "修改期限已过，提交指导单位工作会议审议")


@given(st.dates(), st.integers(-5, 5))
def test_the_revision_window_is_open_up_to_its_deadline_inclusive(
    deadline: date, offset: int
) -> None:
    assert revision_window_open(deadline, deadline + timedelta(days=offset)) == (offset < 0)


@given(st.dates(), st.integers(-5, 5), st.integers(0, 3))
def test_a_round_is_decidable_past_due_with_no_sheet_outstanding(
    sheets_due: date, offset: int, outstanding: int
) -> None:
    decidable = round_decidable(sheets_due, sheets_due + timedelta(days=offset), outstanding)

    assert decidable == (offset > 0 and outstanding == 0)


def test_strengths_are_the_best_criteria_by_share_of_their_maximum() -> None:
    names = {"a": "实质性", "b": "完整性", "c": "可读性", "d": "创新性"}
    maxima = {"a": 100.0, "b": 100.0, "c": 100.0, "d": 50.0}
    means = {"a": 80.0, "b": 60.0, "c": 90.0, "d": 45.0}  # d: 90 % of its maximum

    best, gaps = strengths_and_gaps(means, names, maxima)

    assert best == ["可读性表现突出（90.0分）", "创新性表现突出（45.0分）"]
    assert gaps == ["进一步提升报告的完整性（60.0分）", "进一步提升报告的实质性（80.0分）"]


def test_ties_go_by_the_campaign_files_order_and_gaps_never_repeat_a_strength() -> None:
    names = {"a": "甲", "b": "乙", "c": "丙"}
    maxima = dict.fromkeys(names, 100.0)

    best, gaps = strengths_and_gaps(dict.fromkeys(names, 85.0), names, maxima)

    assert best == ["甲表现突出（85.0分）", "乙表现突出（85.0分）"]
    assert gaps == ["进一步提升报告的丙（85.0分）"]


def test_a_criterion_below_80_percent_of_its_maximum_is_no_highlight() -> None:
    # Seen in the demo: 亮点：可比性表现突出（60.0分）.
    names = {"a": "可比性", "b": "完整性"}
    means = {"a": 79.9, "b": 60.0}

    best, gaps = strengths_and_gaps(means, names, dict.fromkeys(names, 100.0))

    assert best == []
    assert gaps == ["进一步提升报告的完整性（60.0分）", "进一步提升报告的可比性（79.9分）"]


@pytest.mark.parametrize(
    ("score", "words"),
    [
        (95.0, "表现卓越，可供同业参考"),
        (90.0, "表现卓越，可供同业参考"),
        (85.0, "表现突出"),
        (72.0, "表现良好，仍有提升空间"),
        (60.0, "基本达到要求，建议重点完善"),
        (59.9, "存在明显不足，需要重点改进"),
    ],
)
def test_a_criterion_comment_says_what_it_looks_at_and_the_band_of_its_score(
    score: float, words: str
) -> None:
    assert criterion_comment(score, 100.0, "是否披露负面信息") == (
        f"本维度考察是否披露负面信息；本报告{words}。"
    )


# The 2024 campaign file read by hand: first-round sheets due Fri 13 Dec; a re-check's sheets
# 5 working days after it was assigned (no holiday in December 2024).
RECHECKS = {
    date(2024, 12, 18): date(2024, 12, 25),
    date(2024, 12, 19): date(2024, 12, 26),
    date(2024, 12, 20): date(2024, 12, 27),
    date(2024, 12, 21): date(2024, 12, 27),  # a Saturday counts from the Monday after
}


def test_first_round_sheets_are_due_on_the_review_deadline(campaign_2024: CampaignFile) -> None:
    assert sheet_deadline(campaign_2024, 0, date(2024, 12, 2)) == date(2024, 12, 13)
    assert sheet_deadline(campaign_2024, 0, date(2024, 12, 12)) == date(2024, 12, 13)
    # A late filing assigned on or after the review deadline gets the working days too.
    assert sheet_deadline(campaign_2024, 0, date(2024, 12, 13)) == date(2024, 12, 20)
    assert sheet_deadline(campaign_2024, 0, date(2024, 12, 16)) == date(2024, 12, 23)


def test_recheck_sheets_assigned_on_18_19_december_are_due_after_that(
    campaign_2024: CampaignFile,
) -> None:
    # Seen on main: re-check invitations of 18-19 Dec asked for the sheets by 13 Dec.
    for assigned, due in RECHECKS.items():
        assert sheet_deadline(campaign_2024, 1, assigned) == due


@given(st.dates(date(2024, 1, 1), date(2026, 12, 20)), st.integers(0, 3))
def test_sheets_are_due_after_the_day_they_were_sent(
    campaign_2024: CampaignFile, assigned: date, review_round: int
) -> None:
    calendar = campaign_calendar(campaign_2024)
    due = sheet_deadline(campaign_2024, review_round, assigned)

    assert due > assigned
    if review_round == 0 and assigned < date(2024, 12, 13):
        assert due == date(2024, 12, 13)
        return
    assert calendar.is_working_day(due)
    working = [
        assigned + timedelta(days=i)
        for i in range(1, (due - assigned).days + 1)
        if calendar.is_working_day(assigned + timedelta(days=i))
    ]
    assert len(working) == campaign_2024.review.recheck_working_days
