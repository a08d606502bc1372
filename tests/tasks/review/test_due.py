"""The review's due rule: on which days the review has work waiting or falling due."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from notifications.policy import campaign_calendar
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from tasks.review.due import review_due_on

# The 2024 campaign file, read by hand: score sheets due Fri 13 Dec (round 0); re-check sheets
# assigned Wed 18 Dec due 5 working days later, Wed 25 Dec (round 1); revisions due Fri 20 Dec.
# Reviewer reminders T-7, T-3, T-1 working days, on the day, then overdue on the next working
# day and every 3 working days, 3 times (13 Dec is a Friday; no holidays in between).
SHEETS_DUE = {0: date(2024, 12, 13), 1: date(2024, 12, 25)}
REVISIONS_DUE = date(2024, 12, 20)
REMINDER_DAYS = {
    date(2024, 12, 4),
    date(2024, 12, 10),
    date(2024, 12, 12),
    date(2024, 12, 13),
    date(2024, 12, 16),
    date(2024, 12, 19),
    date(2024, 12, 24),
}


def _due(campaign: CampaignFile, day: date, counts: dict[S, int], rounds: set[int]) -> bool:
    due_dates = {SHEETS_DUE[r] for r in rounds}
    return review_due_on(campaign, campaign_calendar(campaign), day, counts, due_dates)


def test_quiet_days_and_due_days_of_the_2024_review(campaign_2024) -> None:
    in_review = {S.IN_REVIEW: 40}
    assert not _due(campaign_2024, date(2024, 12, 5), in_review, {0})  # sheets coming in
    assert _due(campaign_2024, date(2024, 12, 4), in_review, {0})  # T-7 reminder
    assert not _due(campaign_2024, date(2024, 12, 4), {}, set())  # nobody to remind
    assert _due(campaign_2024, date(2024, 12, 5), {S.SUBMITTED: 1}, set())  # to assign
    assert _due(campaign_2024, date(2024, 12, 5), {S.REVISED: 1}, set())  # to re-check
    assert _due(campaign_2024, date(2024, 12, 14), in_review, {0})  # Saturday: round 0 due
    assert not _due(campaign_2024, date(2024, 12, 17), in_review, {1})  # re-checks coming in
    assert not _due(campaign_2024, date(2024, 12, 23), in_review, {1})
    assert not _due(campaign_2024, date(2024, 12, 25), in_review, {1})
    assert _due(campaign_2024, date(2024, 12, 26), in_review, {1})  # round 1 due
    asked = {S.REVISION_REQUESTED: 3}
    assert not _due(campaign_2024, REVISIONS_DUE, asked, set())
    assert _due(campaign_2024, REVISIONS_DUE + timedelta(days=1), asked, set())  # to lapse


@given(
    offset=st.integers(min_value=0, max_value=40),
    submitted=st.integers(min_value=0, max_value=2),
    revised=st.integers(min_value=0, max_value=2),
    asked=st.integers(min_value=0, max_value=2),
    rounds=st.sets(st.sampled_from([0, 1])),
)
def test_review_due_matches_the_dates_read_by_hand(
    campaign_2024, offset: int, submitted: int, revised: int, asked: int, rounds: set[int]
) -> None:
    day = date(2024, 12, 1) + timedelta(days=offset)
    counts = {S.SUBMITTED: submitted, S.REVISED: revised, S.REVISION_REQUESTED: asked}
    expected = (
        submitted > 0
        or revised > 0
        or any(day > SHEETS_DUE[r] for r in rounds)
        or (asked > 0 and day > REVISIONS_DUE)
        or (bool(rounds) and day in REMINDER_DAYS)
    )
    assert _due(campaign_2024, day, counts, rounds) == expected
