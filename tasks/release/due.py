"""Whether the release has work on a day: the clock asks this from the meeting stage on.

The release runs once the meeting decided, while commendation notices are owed (they go out
before the release event) and from the release date until every approved unit is released.
Reads only.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from notifications.outbox import key_head
from schemas.campaign_file import load_campaign_file
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.release_tables import Commendation
from schemas.settings import Settings
from tasks.common.campaigns import status_counts
from tasks.common.meeting_decisions import meeting_decided
from tasks.release.mail import COMMENDATION_TEMPLATE, commendation_ref
from tasks.store import campaign_session


class ReleaseDue(BaseModel):
    """The closing stages at a glance: is the meeting decided, and does the release have work."""

    model_config = ConfigDict(frozen=True)

    meeting_decided: bool
    approved_unreleased: int
    commendation_notices_owed: int  # approved commendations whose notice is not in the outbox
    release_due: bool  # decided, and notices owed or the release date reached with units left


@task(name="release-due", cache_policy=NO_CACHE)
def release_due(settings: Settings, campaign_year: int, as_of: date) -> ReleaseDue:
    """Read whether the meeting decided and the release has work on `as_of`. Reads only."""
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        decided = meeting_decided(session, campaign_year)
        approved = status_counts(session, campaign_year).get(S.APPROVED, 0) if decided else 0
        owed = commendation_notices_owed(session, campaign_year) if approved else 0
    return ReleaseDue(
        meeting_decided=decided,
        approved_unreleased=approved,
        commendation_notices_owed=owed,
        release_due=bool(approved) and (owed > 0 or as_of >= campaign.events.release),
    )


def commendation_notices_owed(session: Session, campaign_year: int) -> int:
    """Count the approved commendations whose notice is not in the outbox. Reads only."""
    approved = session.exec(
        select(Commendation.id)
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == CommendationStatus.APPROVED)
    ).all()
    if not approved:
        return 0
    keys = session.exec(
        select(OutboxMessage.idempotency_key)
        .where(OutboxMessage.campaign_year == campaign_year)
        .where(OutboxMessage.template == COMMENDATION_TEMPLATE)
    ).all()
    noticed = {key_head(key).subject_ref for key in keys}
    return sum(1 for cid in approved if commendation_ref(cid) not in noticed)
