"""Remind reviewers whose score sheets still lack reports, before and after the review deadline.

The score sheets are due on the campaign file's `[deadlines.review]` date (REVIEW_DEADLINE). The
campaign's reminder policy (notifications/policy.py `reminder_schedule`, with the campaign's
working-day calendar) says which days carry a reminder: `before_working_days` before it, on the
day, and overdue notices every `overdue_every_working_days` up to `overdue_max`. On such a day
every late reviewer (an assignment of any round without a Review yet; see `late_reviewers`) gets
one `review_reminder` mail, keyed on the reviewer and the day, so a second run the same day
queues nothing. A reviewer who returned everything gets nothing. This module decides who is
late and queues the mail; it sends nothing (tasks/common/delivery.py does) and decides no dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.contexts import campaign_context, deadline_context
from notifications.expert_contexts import ReviewReminderContext
from notifications.headers import InvalidAddress, mailbox
from notifications.outbox import OutgoingMail
from notifications.policy import (
    ReminderKind,
    ScheduledReminder,
    campaign_calendar,
    reminder_schedule,
    reminder_version,
)
from notifications.render import render
from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import ParticipationStatus
from schemas.review_tables import Review, ReviewAssignment, Reviewer
from schemas.settings import Settings
from schemas.tables import Participation, Unit
from tasks.common.outgoing import enqueue
from tasks.review.rules import REVIEW_DEADLINE
from tasks.store import campaign_session

RECHECK_MARK = "（复审）"


@dataclass(frozen=True)
class Assigned:
    """One assignment as the reminder sees it: whose, which unit, and whether it was scored."""

    reviewer_id: int
    unit_name: str
    round: int
    assigned_on: date
    returned: bool  # a Review of this assignment exists
    # The unit withdrew, or the expert is recorded absent: nobody is chased for this report.
    withdrawn: bool = False


@dataclass(frozen=True)
class LateReviewer:
    """A reviewer with reports still unscored: how many were assigned and which are missing."""

    reviewer_id: int
    reports_total: int
    missing: tuple[str, ...]  # unit names (re-checks marked), sorted


def late_reviewers(assigned: Iterable[Assigned], deadline: date) -> list[LateReviewer]:
    """Return the reviewers with an unscored assignment due by `deadline`, by id. Pure.

    An assignment counts when it was made on or before the deadline (a re-check assigned after
    it is not late against it) and its unit has not withdrawn. `reports_total` counts the
    counted assignments, `missing` names those without a Review; a reviewer with none missing
    is not returned.
    """
    totals: dict[int, int] = {}
    missing: dict[int, list[str]] = {}
    for a in assigned:
        if a.withdrawn or a.assigned_on > deadline:
            continue
        totals[a.reviewer_id] = totals.get(a.reviewer_id, 0) + 1
        if not a.returned:
            name = a.unit_name + (RECHECK_MARK if a.round > 0 else "")
            missing.setdefault(a.reviewer_id, []).append(name)
    return [LateReviewer(rid, totals[rid], tuple(sorted(missing[rid]))) for rid in sorted(missing)]


def review_reminder_due(
    campaign: CampaignFile, calendar: WorkingCalendar, as_of: date
) -> ScheduledReminder | None:
    """Return the reminder of the review deadline due on `as_of`, or None. Pure.

    The policy plans at most one reminder per day (the later kind wins a shared day).
    """
    schedule = reminder_schedule(
        REVIEW_DEADLINE, campaign.deadline(REVIEW_DEADLINE), campaign.reminders, calendar
    )
    return next((r for r in schedule if r.day == as_of), None)


@dataclass(frozen=True)
class ReviewerContact:
    """Whom a reminder goes to."""

    name: str
    email: str


def reviewer_reminder_mails(
    late: Sequence[LateReviewer],
    contacts: Mapping[int, ReviewerContact],
    campaign: CampaignFile,
    reminder: ScheduledReminder,
    calendar: WorkingCalendar,
    as_of: date,
) -> tuple[list[OutgoingMail], list[str]]:
    """Return one `review_reminder` per late reviewer, and the names of those without an address.

    Pure. Working days left are counted with the calendar between `as_of` and the deadline
    (0 on the day, negative once overdue). Each mail's key is `reviewer:<id>` and the day.
    """
    shared = campaign_context(campaign)
    deadline = deadline_context(campaign, REVIEW_DEADLINE)
    overdue = reminder.kind == ReminderKind.OVERDUE
    mails: list[OutgoingMail] = []
    unmailed: list[str] = []
    for reviewer in late:
        contact = contacts[reviewer.reviewer_id]
        try:
            to = mailbox(contact.email, contact.name)
        except InvalidAddress:
            unmailed.append(contact.name)
            continue
        context = ReviewReminderContext(
            campaign=shared,
            reviewer_name=contact.name,
            deadline=deadline,
            reports_missing=len(reviewer.missing),
            reports_total=reviewer.reports_total,
            missing_reports=reviewer.missing,
            working_days_left=calendar.count_between(as_of, reminder.deadline),
            overdue=overdue,
            notice_number=reminder.number if overdue else 0,
            notices_max=campaign.reminders.overdue_max,
        )
        mails.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=to,
                mail=render("review_reminder", context),
                subject_ref=f"reviewer:{reviewer.reviewer_id}",
                version=as_of,
            )
        )
    return mails, unmailed


def load_assigned(session: Session, campaign_year: int) -> list[Assigned]:
    """Return every assignment of the campaign (any round) with its unit and whether scored."""
    scored = set(
        session.exec(
            select(Review.assignment_id).where(Review.campaign_year == campaign_year).distinct()
        ).all()
    )
    rows = session.exec(
        select(ReviewAssignment, Unit.name, Participation.status)
        .join(Participation, col(Participation.id) == col(ReviewAssignment.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(ReviewAssignment.campaign_year == campaign_year)
    ).all()
    return [
        Assigned(
            reviewer_id=a.reviewer_id,
            unit_name=unit_name,
            round=a.round,
            assigned_on=a.assigned_on,
            returned=a.id in scored,
            withdrawn=status == ParticipationStatus.WITHDRAWN or a.absent_on is not None,
        )
        for a, unit_name, status in rows
    ]


class ReviewerRemindersSummary(BaseModel):
    """What one run did: the reminder due (if any), late reviewers, mail queued."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    due: str  # `review@<deadline>:<kind>:<number>`, empty when nothing is due
    reviewers_late: int
    mails_queued: int  # outbox rows this run created
    already_in_outbox: int  # due today, but queued by an earlier run
    reviewers_without_address: list[str]  # names


@task(name="remind-reviewers", cache_policy=NO_CACHE)
def remind_reviewers(
    settings: Settings, campaign_year: int, as_of: date
) -> ReviewerRemindersSummary:
    """Queue a `review_reminder` to every late reviewer when the policy names `as_of`.

    Side effects: on a due day, writes outbox rows in one transaction (one per late reviewer
    and day; a second run the same day adds none); opens no session on other days. No cache:
    every call looks at the database anew.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    calendar = campaign_calendar(campaign)
    reminder = review_reminder_due(campaign, calendar, as_of)
    late: list[LateReviewer] = []
    mails: list[OutgoingMail] = []
    unmailed: list[str] = []
    queued = 0
    if reminder is not None:
        with campaign_session(settings) as session:
            late = late_reviewers(load_assigned(session, campaign_year), reminder.deadline)
            contacts = {
                r.id: ReviewerContact(r.name, r.email)
                for r in session.exec(
                    select(Reviewer).where(col(Reviewer.id).in_([x.reviewer_id for x in late]))
                ).all()
                if r.id is not None
            }
            mails, unmailed = reviewer_reminder_mails(
                late, contacts, campaign, reminder, calendar, as_of
            )
            queued = enqueue(session, settings, mails, business_day=as_of)
    due = "" if reminder is None else reminder_version(reminder)
    get_run_logger().info(
        "%s: review reminder %s; %d reviewers late, %d mails queued, %d already in the outbox",
        as_of.isoformat(),
        due or "not due",
        len(late),
        queued,
        len(mails) - queued,
    )
    return ReviewerRemindersSummary(
        campaign_year=campaign_year,
        as_of=as_of,
        due=due,
        reviewers_late=len(late),
        mails_queued=queued,
        already_in_outbox=len(mails) - queued,
        reviewers_without_address=unmailed,
    )
