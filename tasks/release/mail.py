"""The release's mail: commendation and speaker notices, release notices, association summaries.

Only the meeting's decision opens these: commendation notices go to the commendations the
meeting approved (soon after the meeting, so units can reply before the event); from the release
day every approved unit with a certificate gets its release notice with the certificate PDF
attached and moves to `released` in the same transaction, and a released unit whose certificate
was re-issued gets one notice per new version naming the number it replaces
(tasks/release/notices.py); once nobody approved is left unreleased, each recommending
association gets a summary of its units with their current certificate numbers. Keys are per
record (commendation, participation and certificate version, association and release date), so
a re-run sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Literal, NamedTuple

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.contexts import (
    AssociationReleaseContext,
    CommendationInvitationContext,
    ReleasedUnitContext,
    campaign_context,
)
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail
from notifications.policy import campaign_calendar
from notifications.render import render
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus as S
from schemas.release_tables import Commendation
from schemas.settings import Settings
from schemas.tables import Association, Participation, Recommendation, Unit
from tasks.common.meeting_decisions import meeting_decided
from tasks.common.outgoing import enqueue
from tasks.common.standings import STATUS_WORDS
from tasks.release.certificates.plan import current_issues
from tasks.release.notices import release_units
from tasks.store import campaign_session

REPLY_WORKING_DAYS = 5  # commended units reply this many working days before the event
COMMENDATION_TEMPLATE = "commendation_invitation"


def commendation_ref(commendation_id: int | None) -> str:
    """Return the outbox subject reference of a commendation's notice (`commendation:<id>`)."""
    return f"commendation:{commendation_id}"


class ReleaseMailSummary(BaseModel):
    """What one run of the release mail did."""

    model_config = ConfigDict(frozen=True)

    decided: bool  # whether the meeting's decision exists (nothing is sent without it)
    commendation_notices: int
    released: int
    release_notices: int
    association_summaries: int
    unreleased_without_certificate: int
    reissue_notices: int = 0  # among release_notices: a re-issued certificate, once per version


def commendation_role(kind: str) -> Literal["excellent_unit", "case", "speaker"]:
    """Return how a commendation's notice reads: an excellent unit, a case, or a speaker. Pure."""
    if kind == "speaker":
        return "speaker"
    return "case" if kind == "case" else "excellent_unit"


def _commendation_mails(session: Session, campaign: CampaignFile) -> list[OutgoingMail]:
    """Return a notice per commendation the meeting approved (speakers are invited to speak)."""
    names = {c.key: c.name for c in campaign.commendation.categories}
    release = campaign.events.release
    reply_by = campaign_calendar(campaign).shift(release, -REPLY_WORKING_DAYS)
    mails = []
    for row, unit in session.exec(
        select(Commendation, Unit)
        .join(Participation, col(Participation.id) == col(Commendation.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Commendation.campaign_year == campaign.year)
        .where(Commendation.status == CommendationStatus.APPROVED)
        .order_by(col(Commendation.id))
    ).all():
        context = CommendationInvitationContext(
            campaign=campaign_context(campaign),
            unit_name=unit.name,
            contact_name=unit.contact_name or unit.name,
            role=commendation_role(row.kind),
            category_name=names.get(row.category_key, row.title),
            case_title=row.case_title,
            speaker_name=row.speaker_name,
            event_date=release,
            event_place=campaign.events.release_place,
            reply_by=reply_by,
        )
        mails.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=mailbox(unit.email, unit.contact_name),
                mail=render(COMMENDATION_TEMPLATE, context),
                subject_ref=commendation_ref(row.id),
                version=1,
            )
        )
    return mails


def _approved_titles(session: Session, campaign_year: int) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = defaultdict(list)
    for pid, title in session.exec(
        select(Commendation.participation_id, Commendation.title)
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == CommendationStatus.APPROVED)
        .order_by(col(Commendation.id))
    ).all():
        if title not in titles[pid]:
            titles[pid].append(title)
    return titles


class RecommendedUnit(NamedTuple):
    """A unit an association recommended (not held), with its participation in the campaign."""

    participation: Participation
    unit: Unit


def _recommended_units(
    session: Session, campaign_year: int
) -> tuple[dict[int, Association], dict[int, list[RecommendedUnit]]]:
    """Return the recommending associations by id and their units, in list order; reads."""
    by_association: dict[int, list[RecommendedUnit]] = defaultdict(list)
    associations: dict[int, Association] = {}
    for association, participation, unit in session.exec(
        select(Association, Participation, Unit)
        .join(Recommendation, col(Recommendation.association_id) == col(Association.id))
        .join(Unit, col(Unit.id) == col(Recommendation.unit_id))
        .join(
            Participation,
            (col(Participation.unit_id) == col(Unit.id))
            & (col(Participation.campaign_year) == campaign_year),
        )
        .where(Recommendation.campaign_year == campaign_year)
        .where(col(Recommendation.held).is_(False))
        .order_by(col(Association.id), col(Recommendation.position))
    ).all():
        assert association.id is not None
        associations[association.id] = association
        by_association[association.id].append(RecommendedUnit(participation, unit))
    return associations, dict(by_association)


def _association_mails(
    session: Session, campaign: CampaignFile, catalogue_url: str
) -> list[OutgoingMail]:
    """Return one summary per recommending association of its units' results."""
    titles = _approved_titles(session, campaign.year)
    numbers = {pid: c.number for pid, c in current_issues(session, campaign.year).items()}
    associations, by_association = _recommended_units(session, campaign.year)
    mails = []
    for aid, rows in by_association.items():
        association = associations[aid]
        if not association.email:
            continue
        units = tuple(
            ReleasedUnitContext(
                unit_name=unit.name,
                outcome=STATUS_WORDS[S(p.status)],
                certificate_number=numbers.get(p.id or 0, ""),
                commendations=tuple(titles.get(p.id or 0, [])),
            )
            for p, unit in rows
        )
        context = AssociationReleaseContext(
            campaign=campaign_context(campaign),
            association_name=association.name,
            contact_name=association.contact_name or association.name,
            release_date=campaign.events.release,
            catalogue_url=catalogue_url,
            units=units,
            released=sum(1 for p, _ in rows if p.status == S.RELEASED),
        )
        mails.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=mailbox(association.email, association.contact_name),
                mail=render("association_release", context),
                subject_ref=f"association:{aid}:release",
                version=campaign.events.release,
            )
        )
    return mails


@task(name="send-release-mail", cache_policy=NO_CACHE)
def send_release_mail(
    settings: Settings, campaign_year: int, as_of: date, catalogue_url: str
) -> ReleaseMailSummary:
    """Enqueue what the release owes today; move released units.

    Side effects, in one transaction: enqueues commendation notices once the meeting decided;
    from the release date, enqueues release notices (certificate attached) and moves those
    units to `released`, then the association summaries once no approved unit is left.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        if not meeting_decided(session, campaign_year):
            return ReleaseMailSummary(
                decided=False,
                commendation_notices=0,
                released=0,
                release_notices=0,
                association_summaries=0,
                unreleased_without_certificate=0,
            )
        notices = enqueue(
            session, settings, _commendation_mails(session, campaign), business_day=as_of
        )
        released = reissued = missing = queued = summaries = 0
        if as_of >= campaign.events.release:
            notices_today = release_units(session, settings, campaign, catalogue_url)
            released, missing = notices_today.released, notices_today.without_certificate
            reissued = notices_today.reissued
            queued = enqueue(session, settings, notices_today.mails, business_day=as_of)
            session.flush()
            if missing == 0:
                summaries = enqueue(
                    session,
                    settings,
                    _association_mails(session, campaign, catalogue_url),
                    business_day=as_of,
                )
    return ReleaseMailSummary(
        decided=True,
        commendation_notices=notices,
        released=released,
        release_notices=queued,
        association_summaries=summaries,
        unreleased_without_certificate=missing,
        reissue_notices=reissued,
    )
