"""What is due on a day of the season, read in one task: the clock's agenda.

The clock reads, once a day: what is new in the inbox (mobilize, train and submit take it in;
the review's roster, overrides, chair decisions and returned score sheets), whether the reminder
policy names the day, whether a closed submission window still has units to lapse, and the
closing stages at a glance. While reports are being reviewed or revised, the review runs on the
days it has something to do (`review_due_on`, new review files, new filings); the commend
stage proposes once its stage begins and again when the meeting stage begins (late passes join);
once the meeting decided, the release runs while commendation notices are owed and from the
release date until every approved unit is released. The meeting itself is never run by the
clock: it waits for people (flows/meeting.py), so an operator starts it (Prefect UI or
`campaign run meeting`) and the clock carries on around it. One task rather than four: each
task run costs the engine time, and the clock runs every day of the season.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, func, select

from notifications.outbox import key_head
from notifications.policy import campaign_calendar
from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.release_tables import Commendation
from schemas.settings import Settings
from schemas.tables import Participation
from tasks.clock.windows import LAPSABLE, closed_deadlines, reminders_due_on
from tasks.common.inbox import InboxNews, read_inbox_news
from tasks.meeting.record import latest_decision
from tasks.release.mail import COMMENDATION_TEMPLATE, commendation_ref
from tasks.review.letters import REVISION_DEADLINE
from tasks.review.reminders import review_reminder_due
from tasks.review.rules import round_due
from tasks.review.sheets.issue import issued_sheets, sheet_deadline, sheets_folder, unsent_sheets
from tasks.store import campaign_session

REVIEW_OPEN = frozenset({S.SUBMITTED, S.IN_REVIEW, S.REVISION_REQUESTED, S.REVISED})


class ClosingState(BaseModel):
    """The campaign's closing stages at a glance."""

    model_config = ConfigDict(frozen=True)

    reports_in_review: int  # submitted, in review, asked to revise or revised
    review_due: bool  # reports in review, and news for the review or work due (`_review_due`)
    meeting_decided: bool
    approved_unreleased: int
    commendation_notices_owed: int  # approved commendations whose notice is not in the outbox
    release_due: bool  # decided, and notices owed or the release date reached with units left


class SeasonAgenda(BaseModel):
    """What the clock found due on one day."""

    model_config = ConfigDict(frozen=True)

    news: InboxNews
    reminders_due: bool  # the reminder policy names the day (a reminder or the digest)
    windows_to_close: bool  # a deadline's window has closed and some unit may still lapse
    closing: ClosingState


@task(name="season-agenda", cache_policy=NO_CACHE)
def season_agenda(settings: Settings, campaign_year: int, as_of: date) -> SeasonAgenda:
    """Read what is due on `as_of`: inbox news, reminders, windows, closing stages. Reads only."""
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    news = read_inbox_news(settings, campaign_year)
    with campaign_session(settings) as session:
        counts = _status_counts(session, campaign_year)
        closing = _closing(session, settings, campaign, as_of, counts, news.any_review())
    return SeasonAgenda(
        news=news,
        reminders_due=reminders_due_on(campaign, as_of),
        windows_to_close=bool(closed_deadlines(campaign, as_of))
        and any(counts.get(s, 0) for s in LAPSABLE),
        closing=closing,
    )


@task(name="closing-state", cache_policy=NO_CACHE)
def closing_state(
    settings: Settings, campaign_year: int, as_of: date, review_news: bool
) -> ClosingState:
    """Read the closing stages at a glance on `as_of` (see ClosingState); reads only.

    `review_news`: the caller knows of new review files or filings today (review work).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        counts = _status_counts(session, campaign_year)
        return _closing(session, settings, campaign, as_of, counts, review_news)


def review_due_on(
    campaign: CampaignFile,
    calendar: WorkingCalendar,
    as_of: date,
    counts: Mapping[S, int],
    rounds_in_review: Collection[int],
) -> bool:
    """Return whether the review has work waiting or falling due on `as_of`. Pure.

    Waiting: reports submitted or revised (to assign). Falling due: a round in review whose
    score sheets are overdue (to decide), a day the reminder policy names for the review
    deadline while reports are in review (to remind experts), and every day after the revision
    deadline while units asked to revise filed nothing (to lapse them). New review files and
    new filings are the clock's other reasons (flows/season.py).
    """
    if counts.get(S.SUBMITTED, 0) or counts.get(S.REVISED, 0):
        return True
    if any(round_due(sheet_deadline(campaign, r), as_of) for r in rounds_in_review):
        return True
    if counts.get(S.REVISION_REQUESTED, 0) and as_of > campaign.deadline(REVISION_DEADLINE).date:
        return True
    return bool(rounds_in_review) and review_reminder_due(campaign, calendar, as_of) is not None


def _status_counts(session: Session, campaign_year: int) -> dict[S, int]:
    rows = session.exec(
        select(Participation.status, func.count())
        .where(Participation.campaign_year == campaign_year)
        .group_by(col(Participation.status))
    ).all()
    return {S(status): n for status, n in rows}


def _rounds_in_review(session: Session, campaign_year: int) -> set[int]:
    return set(
        session.exec(
            select(Participation.revision_round)
            .where(Participation.campaign_year == campaign_year)
            .where(Participation.status == S.IN_REVIEW)
            .distinct()
        ).all()
    )


def commendation_notices_owed(session: Session, campaign_year: int) -> int:
    """Count the approved commendations whose notice is not in the outbox. Reads only."""
    approved = session.exec(
        select(Commendation.id)
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == "approved")
    ).all()
    if not approved:
        return 0
    keys = session.exec(
        select(OutboxMessage.idempotency_key)
        .where(OutboxMessage.campaign_year == campaign_year)
        .where(OutboxMessage.template == COMMENDATION_TEMPLATE)
    ).all()
    noticed = {key_head(key)[1] for key in keys}
    return sum(1 for cid in approved if commendation_ref(cid) not in noticed)


def _review_due(
    session: Session,
    settings: Settings,
    campaign: CampaignFile,
    as_of: date,
    counts: dict[S, int],
) -> bool:
    """Return whether the review has work on `as_of` (`review_due_on`, or sheets not sent)."""
    rounds = _rounds_in_review(session, campaign.year)
    if review_due_on(campaign, campaign_calendar(campaign), as_of, counts, rounds):
        return True
    # A review run that stopped after assigning left sheets to send: the next day sends them.
    folder = sheets_folder(settings, campaign.year)
    return bool(rounds) and bool(
        unsent_sheets(session, campaign.year, issued_sheets(session, campaign), folder)
    )


def _closing(
    session: Session,
    settings: Settings,
    campaign: CampaignFile,
    as_of: date,
    counts: dict[S, int],
    review_news: bool,
) -> ClosingState:
    in_review = sum(counts.get(s, 0) for s in REVIEW_OPEN)
    decided = latest_decision(session, campaign.year) is not None
    approved = counts.get(S.APPROVED, 0)
    owed = commendation_notices_owed(session, campaign.year) if decided and approved else 0
    return ClosingState(
        reports_in_review=in_review,
        review_due=bool(in_review)
        and (review_news or _review_due(session, settings, campaign, as_of, counts)),
        meeting_decided=decided,
        approved_unreleased=approved,
        commendation_notices_owed=owed,
        release_due=decided and bool(approved) and (owed > 0 or as_of >= campaign.events.release),
    )
