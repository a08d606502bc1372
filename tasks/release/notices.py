"""Release notices: one per certificate issue a unit must hear about, with that issue attached.

An approved unit with a certificate gets its release notice (its current issue attached) and
moves to `released` in the same transaction. A released unit whose certificate was re-issued
(a new version under a new number: tasks/release/certificates/issue.py) gets one notice per new
version, saying which number it replaces: the newest issue it was told of before. Each notice is
keyed by participation and certificate version (`release_ref`, version = the issue's version),
so a re-run sends nothing twice and every version is told once. Keys written before versions
were keyed carried the certificate number; `told_versions` reads both.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from sqlmodel import Session, col, select

from notifications.contexts import ReleaseNoticeContext, campaign_context
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail, key_head
from notifications.render import render
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.participation import transition
from schemas.release_tables import Certificate
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Unit
from tasks.common.business_day import current_actor
from tasks.release.certificates.plan import issue_history

RELEASE_TEMPLATE = "release_notice"


def release_ref(participation_id: int | None) -> str:
    """Return the outbox subject reference of a unit's release notices."""
    return f"participation:{participation_id}:release"


class ReleaseNotices(NamedTuple):
    """The release notices to enqueue, the units moved to `released`, the re-issue notices
    among the mails, and the approved units still without a certificate."""

    mails: list[OutgoingMail]
    released: int
    reissued: int
    without_certificate: int


def told_versions(
    session: Session, campaign_year: int, history: dict[int, list[Certificate]]
) -> dict[int, set[int]]:
    """Return, per participation, the certificate versions its release notices told; reads."""
    by_ref = {release_ref(pid): pid for pid in history}
    versions = {c.number: c.version for rows in history.values() for c in rows}
    told: dict[int, set[int]] = defaultdict(set)
    for key in session.exec(
        select(OutboxMessage.idempotency_key)
        .where(OutboxMessage.campaign_year == campaign_year)
        .where(OutboxMessage.template == RELEASE_TEMPLATE)
    ).all():
        head = key_head(key)
        pid = by_ref.get(head.subject_ref)
        version = int(head.version) if head.version.isdigit() else versions.get(head.version)
        if pid is not None and version is not None:
            told[pid].add(version)
    return told


def _notice(
    settings: Settings,
    campaign: CampaignFile,
    unit: Unit,
    certificate: Certificate,
    replaces: Certificate | None,
    catalogue_url: str,
) -> OutgoingMail:
    """Return the release notice of one certificate issue (naming the issue it replaces)."""
    context = ReleaseNoticeContext(
        campaign=campaign_context(campaign),
        unit_name=unit.name,
        contact_name=unit.contact_name or unit.name,
        certificate_number=certificate.number,
        release_date=campaign.events.release,
        catalogue_url=catalogue_url,
        replaces="" if replaces is None else replaces.number,
        issued_on=None if replaces is None else certificate.issued_on,
    )
    return OutgoingMail(
        campaign_year=campaign.year,
        to=mailbox(unit.email, unit.contact_name),
        mail=render(RELEASE_TEMPLATE, context),
        subject_ref=release_ref(certificate.participation_id),
        version=certificate.version,
        attachments=(str(settings.inside_workspace(certificate.stored_path)),),
    )


def release_units(
    session: Session, settings: Settings, campaign: CampaignFile, catalogue_url: str
) -> ReleaseNotices:
    """Return the notices owed to certified units; move approved units to `released`.

    Side effects: adds the StageTransitions (approved -> released) to the session.
    """
    actor, now = current_actor(), now_utc()
    history = issue_history(session, campaign.year)
    told = told_versions(session, campaign.year, history)
    mails: list[OutgoingMail] = []
    released = reissued = missing = 0
    for participation, unit in session.exec(
        select(Participation, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign.year)
        .where(col(Participation.status).in_([S.APPROVED, S.RELEASED]))
        .order_by(col(Participation.id))
    ).all():
        issues = history.get(participation.id or 0, [])
        approved = participation.status == S.APPROVED
        if not issues:
            missing += int(approved)
            continue
        certificate, heard = issues[-1], told.get(participation.id or 0, set())
        if not approved and (certificate.version == 1 or certificate.version in heard):
            continue  # released and told of its current issue
        earlier = [c for c in issues[:-1] if c.version in heard] or (
            [] if approved else issues[:-1]
        )
        replaces = earlier[-1] if earlier else None
        mails.append(_notice(settings, campaign, unit, certificate, replaces, catalogue_url))
        if approved:
            reason = f"证书{certificate.number}"
            session.add(transition(participation, S.RELEASED, actor=actor, at=now, reason=reason))
            released += 1
        else:
            reissued += 1
    return ReleaseNotices(mails, released, reissued, missing)
