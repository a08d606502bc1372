"""When a review round's score sheets are due: one rule for the review and for the audit.

The first round's sheets are due on the campaign file's review deadline; a re-check round's (and
a first round assigned on or after that deadline, a late filing's) `review.recheck_working_days`
working days after the round was assigned, so a deadline told in a mail always lies after the
mail's day. Pure functions of the campaign file and dates.
"""

from __future__ import annotations

from datetime import date

from notifications.policy import campaign_calendar
from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile

REVIEW_DEADLINE = "review"  # the campaign file's [deadlines.review]: first-round sheets are due


def recheck_sheets_due(assigned_on: date, calendar: WorkingCalendar, working_days: int) -> date:
    """Return when a re-check round assigned on `assigned_on` has its sheets due.

    `working_days` working days after the assignment day, so always after it.
    """
    return calendar.shift(assigned_on, working_days)


def sheet_deadline(campaign: CampaignFile, review_round: int, assigned_on: date) -> date:
    """Return when a round's sheets are due, always after the day they were sent.

    The first round's on the review deadline; a re-check's, or a first round assigned on or
    after the review deadline (a late filing), `review.recheck_working_days` working days after
    it was assigned (`assigned_on`: the newest assignment day of the round's sheet or report).
    """
    deadline = campaign.deadline(REVIEW_DEADLINE).date
    if review_round == 0 and assigned_on < deadline:
        return deadline
    return recheck_sheets_due(
        assigned_on, campaign_calendar(campaign), campaign.review.recheck_working_days
    )
