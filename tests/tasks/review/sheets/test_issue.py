"""When a round's score sheets are due (`sheet_deadline`): always after the sheet is mailed."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from notifications.policy import campaign_calendar
from schemas.campaign_file import CampaignFile
from tasks.review.sheets.issue import sheet_deadline

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


def test_recheck_sheets_assigned_on_18_19_december_are_due_after_that(
    campaign_2024: CampaignFile,
) -> None:
    # Seen on main: re-check invitations of 18-19 Dec asked for the sheets by 13 Dec.
    for assigned, due in RECHECKS.items():
        assert sheet_deadline(campaign_2024, 1, assigned) == due


@given(st.dates(date(2024, 1, 1), date(2026, 12, 20)), st.integers(1, 3))
def test_a_recheck_is_due_the_campaigns_working_days_after_its_assignment(
    campaign_2024: CampaignFile, assigned: date, review_round: int
) -> None:
    calendar = campaign_calendar(campaign_2024)
    due = sheet_deadline(campaign_2024, review_round, assigned)

    assert due > assigned
    assert calendar.is_working_day(due)
    working = [
        assigned + timedelta(days=i)
        for i in range(1, (due - assigned).days + 1)
        if calendar.is_working_day(assigned + timedelta(days=i))
    ]
    assert len(working) == campaign_2024.review.recheck_working_days
