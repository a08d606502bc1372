"""Whether the release has work on a day: the clock asks this from the meeting stage on.

The release runs once the meeting decided, while commendation notices are owed (they go out
before the release event), from the release date until every approved unit is released, and
after that whenever a certificate must be issued again (its printed values changed: a corrected
name, a new commendation) or a re-issued certificate's notice is still owed. Reads only.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from notifications.outbox import key_head
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.release_tables import Commendation
from schemas.settings import Settings
from schemas.tables import Participation
from tasks.common.campaigns import status_counts
from tasks.common.fonts import choose_font
from tasks.common.meeting_decisions import meeting_decided
from tasks.release.certificates.plan import (
    NEW_ISSUES,
    certified_participations,
    current_issues,
    issue_history,
    plan_certificates,
)
from tasks.release.mail import COMMENDATION_TEMPLATE, commendation_ref
from tasks.release.notices import told_versions
from tasks.store import campaign_session


class ReleaseDue(BaseModel):
    """The closing stages at a glance: is the meeting decided, and does the release have work."""

    model_config = ConfigDict(frozen=True)

    meeting_decided: bool
    approved_unreleased: int
    commendation_notices_owed: int  # approved commendations whose notice is not in the outbox
    release_due: bool  # decided, and notices owed or the release date reached with work left
    certificates_to_issue: int = 0  # from the release date: first issues and re-issues owed
    reissue_notices_owed: int = 0  # released units not yet told of their newest certificate


@task(name="release-due", cache_policy=NO_CACHE)
def release_due(settings: Settings, campaign_year: int, as_of: date) -> ReleaseDue:
    """Read whether the meeting decided and the release has work on `as_of`. Reads only."""
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    released_by_now = as_of >= campaign.events.release
    to_issue = notices_owed = 0
    with campaign_session(settings) as session:
        decided = meeting_decided(session, campaign_year)
        approved = status_counts(session, campaign_year).get(S.APPROVED, 0) if decided else 0
        owed = commendation_notices_owed(session, campaign_year) if approved else 0
        if decided and released_by_now and not approved:
            to_issue = certificates_to_issue(session, settings, campaign, as_of)
            notices_owed = reissue_notices_owed(session, campaign_year)
    return ReleaseDue(
        meeting_decided=decided,
        approved_unreleased=approved,
        commendation_notices_owed=owed,
        release_due=(bool(approved) and (owed > 0 or released_by_now))
        or to_issue + notices_owed > 0,
        certificates_to_issue=to_issue,
        reissue_notices_owed=notices_owed,
    )


def certificates_to_issue(
    session: Session, settings: Settings, campaign: CampaignFile, as_of: date
) -> int:
    """Count the certified units owed a first issue or a re-issue (printed values changed).

    Reads the database and the font file; files of current issues are not checked.
    """
    font = choose_font(settings.certificate_font)
    certified = certified_participations(session, campaign.year, campaign.campaign.report_year)
    current = list(current_issues(session, campaign.year).values())
    plans = plan_certificates(campaign, certified, current, as_of, font, {})
    return sum(1 for p in plans if p.action in NEW_ISSUES)


def reissue_notices_owed(session: Session, campaign_year: int) -> int:
    """Count the released units whose newest certificate (a re-issue) they were not told of."""
    history = issue_history(session, campaign_year)
    told = told_versions(session, campaign_year, history)
    released = set(
        session.exec(
            select(Participation.id)
            .where(Participation.campaign_year == campaign_year)
            .where(Participation.status == S.RELEASED)
        ).all()
    )
    return sum(
        1
        for pid, issues in history.items()
        if pid in released
        and issues[-1].version > 1
        and issues[-1].version not in told.get(pid, set())
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
