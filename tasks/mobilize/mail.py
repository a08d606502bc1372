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
from datetime import date

from sqlmodel import Session, col, select

from notifications.contexts import (
    InvitationContext,
    ListProblemContext,
    RecommendationReceiptContext,
    campaign_context,
)
from notifications.headers import InvalidAddress, mailbox
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


def association_receipt_mails(
    session: Session,
    campaign: CampaignFile,
    batch: RecommendationBatch,
    rejections: Sequence[Rejection],
    as_of: date,
) -> tuple[list[OutgoingMail], list[str]]:
    """Return one receipt per association whose list was read; and the codes left unmailed.

    An association without a valid contact address gets no mail; its code is returned so the
    caller can report it.
    """
    accepted: dict[str, list[str]] = defaultdict(list)
    held: dict[str, list[str]] = defaultdict(list)
    file_of: dict[str, set[str]] = defaultdict(set)
    for acc in batch.accepted:
        (held if acc.held else accepted)[acc.row.association_code].append(acc.row.name)
        file_of[acc.row.association_code].add(acc.file)
    associations = {a.code: a for a in session.exec(select(Association)).all()}
    problems: dict[str, list[ListProblemContext]] = defaultdict(list)
    owners = {f: code for code, files in file_of.items() for f in files}
    for r in rejections:
        code = owners.get(r.file) or _code_in(r.file, set(associations))
        if code:
            problems[code].append(
                ListProblemContext(
                    file=r.file,
                    row=r.row,
                    column=r.column,
                    reason=r.reason_zh,
                    warning=r.severity == Severity.WARNING,
                )
            )
    codes = sorted(set(accepted) | set(held) | set(problems))
    shared = campaign_context(campaign)
    deadline = deadline_of_step(campaign, SubmissionKind.RECEIPT)
    mails: list[OutgoingMail] = []
    unmailed: list[str] = []
    for code in codes:
        assoc = associations.get(code)
        try:
            if assoc is None:
                raise InvalidAddress("", "unknown association")
            to = mailbox(assoc.email, assoc.contact_name)
        except InvalidAddress:
            unmailed.append(code)
            continue
        context = RecommendationReceiptContext(
            campaign=shared,
            association_name=assoc.name,
            contact_name=assoc.contact_name or assoc.name,
            as_of=as_of,
            accepted=tuple(accepted[code]),
            held=tuple(held[code]),
            problems=tuple(problems[code]),
            quota_min=campaign.quota.min,
            quota_max=campaign.quota.max,
            deadline=deadline,
        )
        content = context.model_dump(mode="json", include={"accepted", "held", "problems"})
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
        mails.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=to,
                mail=render("recommendation_receipt", context),
                subject_ref=f"association:{code}:recommendations",
                version=digest,
            )
        )
    return mails, unmailed


def _code_in(file_name: str, codes: set[str]) -> str | None:
    """Return the association code a rejected file's name starts with, if exactly one does."""
    stem = file_name.rsplit(".", 1)[0]
    matches = [
        c for c in codes if stem == c or stem.startswith(f"{c}_") or stem.startswith(f"{c}-")
    ]
    return matches[0] if len(matches) == 1 else None
