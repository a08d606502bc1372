"""Send every assigned reviewer a score sheet of their reports, by mail with the sheet attached.

One sheet per reviewer (tasks/score_sheets*.py), written into the workspace under its sheet id
(workspace/review/<year>/sheets/<sheet id>.xlsx) and attached to a `review_invitation` mail.
The mail's key is the reviewer and the sheet id, so a re-run sends nothing and a changed
assignment sends the new sheet. Each row carries a one-line hint from the report's pre-screen.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from prefect import task
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.contexts import ReviewInvitationContext, campaign_context, deadline_context
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import SubmissionKind
from schemas.review_tables import ReviewAssignment, Reviewer
from schemas.settings import Settings
from schemas.tables import Participation, Submission, Unit
from tasks.outgoing import enqueue
from tasks.score_sheets import SheetReport, SheetSpec
from tasks.score_sheets_write import write_score_sheet
from tasks.store import campaign_session

REVIEW_DEADLINE = "review"  # the campaign file's [deadlines.review]: sheets are due then


def screening_hint(screening: dict[str, Any] | None, standard_names: dict[str, str]) -> str:
    """Return one line for reviewers from a pre-screen result (hints, never the score)."""
    if not screening:
        return ""
    core = [t for t in screening.get("topics") or [] if t.get("kind") == "core"]
    covered = sum(1 for t in core if t.get("covered"))
    cited = [standard_names.get(k, k) for k in screening.get("standards_cited") or []]
    parts = [f"核心议题 {covered}/{len(core)}"] if core else []
    parts.append("引用标准：" + ("、".join(cited) if cited else "未发现"))
    if screening.get("scanned"):
        parts.append("疑似扫描件")
    return "；".join(parts)


def _report_facts(
    session: Session, ids: list[int], standard_names: dict[str, str]
) -> dict[int, tuple[str, str, str, str]]:
    """Return (unit name, report title, hint, file name) per participation."""
    units = dict(
        session.exec(
            select(Participation.id, Unit.name)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(col(Participation.id).in_(ids))
        ).all()
    )
    titles: dict[int, str] = {}
    reports: dict[int, tuple[str, dict[str, Any] | None]] = {}
    for sub in session.exec(
        select(Submission)
        .where(col(Submission.participation_id).in_(ids))
        .order_by(col(Submission.version))
    ).all():
        if sub.kind in (SubmissionKind.RECEIPT, SubmissionKind.BASIC_INFO) and sub.data:
            titles[sub.participation_id] = str(sub.data.get("report_title") or "")
        if sub.kind == SubmissionKind.REPORT_PDF:
            reports[sub.participation_id] = (sub.original_name, sub.screening)
    out: dict[int, tuple[str, str, str, str]] = {}
    for pid in ids:
        file_name, screening = reports.get(pid, ("", None))
        name = units.get(pid, "")
        out[pid] = (
            name,
            titles.get(pid) or f"{name}社会责任报告",
            screening_hint(screening, standard_names),
            file_name,
        )
    return out


class SheetsSummary(BaseModel):
    """What one sending of score sheets did."""

    model_config = ConfigDict(frozen=True)

    sheets: int
    mails_queued: int


def sheet_deadline(campaign: CampaignFile, review_round: int) -> date:
    """Return when a round's sheets are due: the review deadline, re-checks before the meeting."""
    if review_round == 0:
        return campaign.deadline(REVIEW_DEADLINE).date
    return max(campaign.stages.meeting, campaign.deadline(REVIEW_DEADLINE).date)


def sheet_specs(session: Session, campaign: CampaignFile) -> list[tuple[Reviewer, SheetSpec]]:
    """Return each assigned reviewer with the spec of their score sheet, one per review round."""
    pairs = session.exec(
        select(ReviewAssignment.participation_id, ReviewAssignment.round, Reviewer)
        .join(Reviewer, col(Reviewer.id) == col(ReviewAssignment.reviewer_id))
        .where(ReviewAssignment.campaign_year == campaign.year)
    ).all()
    by_sheet: dict[tuple[int, int], tuple[Reviewer, list[int]]] = {}
    for pid, review_round, reviewer in pairs:
        assert reviewer.id is not None
        by_sheet.setdefault((reviewer.id, review_round), (reviewer, []))[1].append(pid)
    standard_names = {s.key: s.name for s in campaign.standards}
    facts = _report_facts(session, sorted({pid for pid, _, _ in pairs}), standard_names)
    title = campaign_context(campaign).title
    specs: list[tuple[Reviewer, SheetSpec]] = []
    for (_, review_round), (reviewer, ids) in sorted(by_sheet.items()):
        reports = tuple(
            SheetReport(
                participation_id=pid,
                unit_name=facts[pid][0],
                report_title=facts[pid][1],
                hint=facts[pid][2],
                file_name=facts[pid][3],
            )
            for pid in sorted(ids)
        )
        spec = SheetSpec(
            campaign_year=campaign.year,
            campaign_title=title,
            reviewer_key=reviewer.key,
            reviewer_name=reviewer.name,
            criteria=tuple(campaign.review.criteria),
            deadline=sheet_deadline(campaign, review_round),
            reports=reports,
            round=review_round,
        )
        specs.append((reviewer, spec))
    return specs


@task(name="send-score-sheets")
def send_score_sheets(settings: Settings, campaign_year: int, as_of: date) -> SheetsSummary:
    """Write every assigned reviewer's score sheet and enqueue it by mail.

    Side effects: writes sheets into workspace/review/<year>/sheets/; enqueues one
    `review_invitation` per reviewer and sheet (in one transaction). `as_of` dates the run.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    folder = settings.inside_workspace("review", str(campaign_year), "sheets")
    criteria = tuple(
        f"{c.name}（{round(c.weight * 100)}%，{c.min:g}-{c.max:g}分）"
        for c in campaign.review.criteria
    )
    mails: list[OutgoingMail] = []
    by_reviewer: dict[int, int] = defaultdict(int)
    with campaign_session(settings) as session:
        for reviewer, spec in sheet_specs(session, campaign):
            path = write_score_sheet(spec, folder / f"{spec.sheet_id}.xlsx")
            assert reviewer.id is not None
            by_reviewer[reviewer.id] += 1
            context = ReviewInvitationContext(
                campaign=campaign_context(campaign),
                reviewer_name=reviewer.name,
                reports=len(spec.reports),
                criteria=criteria,
                deadline=deadline_context(campaign, REVIEW_DEADLINE),
            )
            mails.append(
                OutgoingMail(
                    campaign_year=campaign_year,
                    to=mailbox(reviewer.email, reviewer.name),
                    mail=render("review_invitation", context),
                    subject_ref=f"reviewer:{reviewer.id}:sheet",
                    version=spec.sheet_id,
                    attachments=(str(path),),
                )
            )
        queued = enqueue(session, settings, mails)
    return SheetsSummary(sheets=len(mails), mails_queued=queued)
