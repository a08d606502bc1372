"""Mail of the mobilize stage: invitations to register, and each association's receipt of its lists.

Built from the database rows of the caller's transaction and enqueued in it, so a unit is
invited exactly when its participation is created. Keys: an invitation per participation and
address; an association's receipt per content of its lists (a re-run with the same files sends
nothing, a corrected list gets a fresh receipt).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlmodel import Session, col, select

from notifications.contexts import (
    InvitationContext,
    ListProblemContext,
    RecommendationReceiptContext,
    campaign_context,
)
from notifications.headers import InvalidAddress, Mailbox, mailbox
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile
from schemas.enums import Severity, SubmissionKind
from schemas.rejection import Rejection
from schemas.tables import Association, Participation, Recommendation, Unit
from tasks.common.outgoing import deadline_of_step
from tasks.mobilize.recommendations import RecommendationBatch


def invitation_mails(
    session: Session, campaign: CampaignFile, participation_ids: Sequence[int]
) -> list[OutgoingMail]:
    """Return an invitation to register for each of these participations' units."""
    if not participation_ids:
        return []
    rows = session.exec(
        select(Participation.id, Unit, Association.name)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .join(Recommendation, col(Recommendation.unit_id) == col(Unit.id))
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(col(Participation.id).in_(list(participation_ids)))
        .where(Recommendation.campaign_year == campaign.year)
        .order_by(col(Participation.id), col(Recommendation.id))
    ).all()
    shared = campaign_context(campaign)
    deadline = deadline_of_step(campaign, SubmissionKind.RECEIPT)
    mails: list[OutgoingMail] = []
    seen: set[int] = set()
    for pid, unit, association_name in rows:
        if pid is None or pid in seen:
            continue  # the first recommending association names the invitation
        seen.add(pid)
        context = InvitationContext(
            campaign=shared,
            unit_name=unit.name,
            contact_name=unit.contact_name or unit.name,
            association_name=association_name,
            deadline=deadline,
        )
        mails.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=mailbox(unit.email, unit.contact_name),
                mail=render("invitation", context),
                subject_ref=f"participation:{pid}",
                version=1,
            )
        )
    return mails


@dataclass
class AssociationLists:
    """What one association's receipt lists: units accepted and held, problems of its files."""

    accepted: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    problems: list[ListProblemContext] = field(default_factory=list)


def lists_by_association(
    batch: RecommendationBatch, rejections: Sequence[Rejection], codes: set[str]
) -> dict[str, AssociationLists]:
    """Return, per association code, the unit names accepted and held and its files' problems.

    Pure. A problem belongs to the association whose accepted rows came from its file, else to
    the one known code (`codes`) the file's name starts with; a problem of no one's file is left
    out.
    """
    lists: dict[str, AssociationLists] = defaultdict(AssociationLists)
    file_of: dict[str, set[str]] = defaultdict(set)
    for acc in batch.accepted:
        mine = lists[acc.row.association_code]
        (mine.held if acc.held else mine.accepted).append(acc.row.name)
        file_of[acc.row.association_code].add(acc.file)
    owners = {f: code for code, files in file_of.items() for f in files}
    for r in rejections:
        owner = owners.get(r.file) or _code_in(r.file, codes)
        if owner:
            lists[owner].problems.append(
                ListProblemContext(
                    file=r.file,
                    row=r.row,
                    column=r.column,
                    reason=r.reason_zh,
                    warning=r.severity == Severity.WARNING,
                )
            )
    return dict(lists)


class ReceiptMails(NamedTuple):
    """The associations' receipts, and the codes of those without a valid contact address."""

    mails: list[OutgoingMail]
    unmailed: list[str]


def association_receipt_mails(
    session: Session,
    campaign: CampaignFile,
    batch: RecommendationBatch,
    rejections: Sequence[Rejection],
    as_of: date,
) -> ReceiptMails:
    """Return one receipt per association whose list was read; and the codes left unmailed.

    Reads the associations in `session`. An association without a valid contact address gets
    no mail; its code is returned so the caller can report it.
    """
    associations = {a.code: a for a in session.exec(select(Association)).all()}
    lists = lists_by_association(batch, rejections, set(associations))
    shared = campaign_context(campaign)
    deadline = deadline_of_step(campaign, SubmissionKind.RECEIPT)
    out = ReceiptMails([], [])
    for code in sorted(lists):
        assoc = associations.get(code)
        to = _contact_of(assoc)
        if assoc is None or to is None:
            out.unmailed.append(code)
            continue
        context = RecommendationReceiptContext(
            campaign=shared,
            association_name=assoc.name,
            contact_name=assoc.contact_name or assoc.name,
            as_of=as_of,
            accepted=tuple(lists[code].accepted),
            held=tuple(lists[code].held),
            problems=tuple(lists[code].problems),
            quota_min=campaign.quota.min,
            quota_max=campaign.quota.max,
            deadline=deadline,
        )
        out.mails.append(_receipt_mail(campaign.year, code, to, context))
    return out


def _contact_of(association: Association | None) -> Mailbox | None:
    """Return an association's contact mailbox, or None when it has no valid address."""
    if association is None:
        return None
    try:
        return mailbox(association.email, association.contact_name)
    except InvalidAddress:
        return None


def _receipt_mail(
    campaign_year: int, code: str, to: Mailbox, context: RecommendationReceiptContext
) -> OutgoingMail:
    """Return an association's receipt, versioned by the content of its lists."""
    content = context.model_dump(mode="json", include={"accepted", "held", "problems"})
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
    return OutgoingMail(
        campaign_year=campaign_year,
        to=to,
        mail=render("recommendation_receipt", context),
        subject_ref=f"association:{code}:recommendations",
        version=digest,
    )


def _code_in(file_name: str, codes: set[str]) -> str | None:
    """Return the association code a rejected file's name starts with, if exactly one does."""
    stem = file_name.rsplit(".", 1)[0]
    matches = [
        c for c in codes if stem == c or stem.startswith(f"{c}_") or stem.startswith(f"{c}-")
    ]
    return matches[0] if len(matches) == 1 else None
