"""The campaign dates the audit judges statuses by, from the campaign file. Pure.

A unit may stay `recommended`/`registered` until the filing window closes (the day after the
last overdue notice of the latest deadline with steps, as tasks/clock/windows.py closes it); a
round's sheets are due as the review says (tasks/common/review_dates.py: the review deadline,
re-checks the campaign file's working days after their assignment); revisions until the
revision deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from notifications.policy import campaign_calendar, window_last_day
from schemas.campaign_file import CampaignFile
from tasks.common.review_dates import sheet_deadline

REVISION_DEADLINE = "revision"
ONE_DAY = timedelta(days=1)


def filing_window_closes(campaign: CampaignFile) -> date:
    """Return the last day a unit may still owe filings (the latest window with steps). Pure."""
    calendar = campaign_calendar(campaign)
    last = campaign.stages.review
    for key, deadline in campaign.deadlines.items():
        if not deadline.steps:
            continue
        last = max(last, window_last_day(key, deadline, campaign.reminders, calendar))
    return last


def deadline_or(campaign: CampaignFile, key: str, fallback: date) -> date:
    """Return the named deadline's date, or `fallback` when the campaign file has none. Pure."""
    found = campaign.deadlines.get(key)
    return fallback if found is None else found.date


def round_due(campaign: CampaignFile, review_round: int, assigned_on: Iterable[date]) -> date:
    """Return when a round's sheets are due (tasks/common/review_dates.py `sheet_deadline`).

    `assigned_on`: the days the round's experts were assigned (the newest counts); without any,
    the review stage's first day. Pure.
    """
    days = list(assigned_on)
    return sheet_deadline(campaign, review_round, max(days) if days else campaign.stages.review)


def assign_by(campaign: CampaignFile, filed_on: date) -> date:
    """Return the day a report filed on `filed_on` must be assigned by. Pure.

    The day after the review starts, or the day after it was filed when that is later.
    """
    return max(campaign.stages.review, filed_on) + ONE_DAY
