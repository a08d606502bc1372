"""What is due on a day of the season, read in one task: the clock's agenda.

The clock reads, once a day: what is new in the inbox (mobilize, train and submit take it in),
whether the reminder policy names the day, whether a closed submission window still has units
to lapse, and the closing stages at a glance. The review runs daily while any report is still
being reviewed or revised; the commend stage proposes once its stage begins and again when the
meeting stage begins (late passes join); the release runs once the meeting decided and until
every approved unit is released. The meeting itself is never run by the clock: it waits for
people (flows/meeting.py), so an operator starts it (Prefect UI or `campaign run meeting`) and
the clock carries on around it. One task rather than four: each task run costs the engine
~35 ms, and the clock runs every day of the season.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, func, select

from schemas.campaign_file import load_campaign_file
from schemas.enums import ParticipationStatus as S
from schemas.settings import Settings
from schemas.tables import Participation
from tasks.inbox import InboxNews, read_inbox_news
from tasks.meeting_record import latest_decision
from tasks.store import campaign_session
from tasks.windows import LAPSABLE, closed_deadlines, reminders_due_on

REVIEW_OPEN = frozenset({S.SUBMITTED, S.IN_REVIEW, S.REVISION_REQUESTED, S.REVISED})


class ClosingState(BaseModel):
    """The campaign's closing stages at a glance."""

    model_config = ConfigDict(frozen=True)

    reports_in_review: int  # submitted, in review, asked to revise or revised
    meeting_decided: bool
    approved_unreleased: int


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
        closing = _closing(session, campaign_year, counts)
    return SeasonAgenda(
        news=news,
        reminders_due=reminders_due_on(campaign, as_of),
        windows_to_close=bool(closed_deadlines(campaign, as_of))
        and any(counts.get(s, 0) for s in LAPSABLE),
        closing=closing,
    )


@task(name="closing-state", cache_policy=NO_CACHE)
def closing_state(settings: Settings, campaign_year: int) -> ClosingState:
    """Count the reports still in review and the approved units not yet released; reads only."""
    with campaign_session(settings) as session:
        return _closing(session, campaign_year, _status_counts(session, campaign_year))


def _status_counts(session: Session, campaign_year: int) -> dict[S, int]:
    rows = session.exec(
        select(Participation.status, func.count())
        .where(Participation.campaign_year == campaign_year)
        .group_by(col(Participation.status))
    ).all()
    return {S(status): n for status, n in rows}


def _closing(session: Session, campaign_year: int, counts: dict[S, int]) -> ClosingState:
    return ClosingState(
        reports_in_review=sum(counts.get(s, 0) for s in REVIEW_OPEN),
        meeting_decided=latest_decision(session, campaign_year) is not None,
        approved_unreleased=counts.get(S.APPROVED, 0),
    )
