"""The dates the audit judges by: filing window, round due dates, assignment due days."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from notifications.policy import campaign_calendar, reminder_schedule
from schemas.campaign_file import CampaignFile
from tasks.audit.dates import assign_by, filing_window_closes, round_due


def test_the_filing_window_closes_after_the_last_overdue_notice(
    campaign_2024: CampaignFile,
) -> None:
    calendar = campaign_calendar(campaign_2024)
    report = campaign_2024.deadlines["report"]
    last_notice = reminder_schedule("report", report, campaign_2024.reminders, calendar)[-1].day

    assert filing_window_closes(campaign_2024) == last_notice
    assert last_notice > report.date


def test_a_first_round_is_due_on_the_review_deadline_and_a_recheck_by_the_meeting(
    campaign_2024: CampaignFile,
) -> None:
    assert round_due(campaign_2024, 0, [date(2024, 12, 3)]) == date(2024, 12, 13)
    assert round_due(campaign_2024, 1, [date(2024, 12, 18)]) == date(2024, 12, 25)


@given(st.dates(min_value=date(2024, 10, 1), max_value=date(2025, 1, 31)))
def test_a_report_is_due_for_assignment_the_day_after_the_later_of_review_start_and_filing(
    campaign_2024: CampaignFile, filed: date
) -> None:
    campaign = campaign_2024
    start = campaign.stages.review
    oracle = (start if filed <= start else filed) + timedelta(days=1)

    assert assign_by(campaign, filed) == oracle
