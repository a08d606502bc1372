"""What the clock needs to know about the closing stages, in one read.

The review runs daily while any report is still being reviewed or revised; the commend stage
proposes once its stage begins and again when the meeting stage begins (late passes join);
the release runs once the meeting decided and until every approved unit is released. The
meeting itself is never run by the clock: it waits for people (flows/meeting.py), so an
operator starts it (Prefect UI or `campaign run meeting`) and the clock carries on around it.
"""

from __future__ import annotations

from prefect import task
from pydantic import BaseModel, ConfigDict
from sqlmodel import col, func, select

from schemas.enums import ParticipationStatus as S
from schemas.settings import Settings
from schemas.tables import Participation
from tasks.meeting_record import latest_decision
from tasks.store import campaign_session

REVIEW_OPEN = frozenset({S.SUBMITTED, S.IN_REVIEW, S.REVISION_REQUESTED, S.REVISED})


class ClosingState(BaseModel):
    """The campaign's closing stages at a glance."""

    model_config = ConfigDict(frozen=True)

    reports_in_review: int  # submitted, in review, asked to revise or revised
    meeting_decided: bool
    approved_unreleased: int


@task(name="closing-state")
def closing_state(settings: Settings, campaign_year: int) -> ClosingState:
    """Count the reports still in review and the approved units not yet released; reads only."""
    with campaign_session(settings) as session:
        counts = dict(
            session.exec(
                select(Participation.status, func.count())
                .where(Participation.campaign_year == campaign_year)
                .group_by(col(Participation.status))
            ).all()
        )
        decided = latest_decision(session, campaign_year) is not None
    return ClosingState(
        reports_in_review=sum(counts.get(s, 0) for s in REVIEW_OPEN),
        meeting_decided=decided,
        approved_unreleased=counts.get(S.APPROVED, 0),
    )
