"""Whether the review has work on a day: the clock asks this before it runs the review.

`review_due_on` is the rule, on values; `review_due` is the task that reads what the rule needs
(units per status, the rounds in review, the score sheets not sent yet). Reads only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from notifications.policy import campaign_calendar
from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import ParticipationStatus as S
from schemas.settings import Settings
from tasks.common.campaigns import status_counts
from tasks.review.letters import REVISION_DEADLINE
from tasks.review.reminders import review_reminder_due
from tasks.review.rounds import due_dates_in_review
from tasks.review.rules import round_due
from tasks.review.sheets.issue import issued_sheets, sheets_folder, unsent_sheets
from tasks.store import campaign_session

REVIEW_OPEN = frozenset({S.SUBMITTED, S.IN_REVIEW, S.REVISION_REQUESTED, S.REVISED})


def review_due_on(
    campaign: CampaignFile,
    calendar: WorkingCalendar,
    as_of: date,
    counts: Mapping[S, int],
    due_dates: Collection[date],
) -> bool:
    """Return whether the review has work waiting or falling due on `as_of`. Pure.

    Waiting: reports submitted or revised (to assign). Falling due: a round in review whose
    score sheets are overdue (`due_dates`: when the sheets of each round in review are due; to
    decide), a day the reminder policy names for the review
    deadline while reports are in review (to remind experts), and every day after the revision
    deadline while units asked to revise filed nothing (to lapse them). New review files and
    new filings are the clock's other reasons (`review_due`).
    """
    if counts.get(S.SUBMITTED, 0) or counts.get(S.REVISED, 0):
        return True
    if any(round_due(due, as_of) for due in due_dates):
        return True
    if counts.get(S.REVISION_REQUESTED, 0) and as_of > campaign.deadline(REVISION_DEADLINE).date:
        return True
    return bool(due_dates) and review_reminder_due(campaign, calendar, as_of) is not None


@task(name="review-due", cache_policy=NO_CACHE)
def review_due(settings: Settings, campaign_year: int, as_of: date, review_news: bool) -> bool:
    """Return whether the review has work on `as_of`; reads only.

    Work: reports open for review (submitted, in review, asked to revise, revised) and either
    `review_news` (new review files or filings today, which the caller knows), `review_due_on`,
    or score sheets a stopped review run left unsent.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        counts = status_counts(session, campaign_year)
        if not any(counts.get(s, 0) for s in REVIEW_OPEN):
            return False
        if review_news:
            return True
        rounds = due_dates_in_review(session, campaign)
        if review_due_on(campaign, campaign_calendar(campaign), as_of, counts, rounds):
            return True
        # A review run that stopped after assigning left sheets to send: the next day sends them.
        folder = sheets_folder(settings, campaign_year)
        return bool(rounds) and bool(
            unsent_sheets(session, campaign_year, issued_sheets(session, campaign), folder)
        )
