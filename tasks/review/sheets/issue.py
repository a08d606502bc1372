"""Send every assigned reviewer a score sheet of their reports, by mail with the sheet attached.

One sheet per reviewer and round (tasks/review/sheets/write.py), written into the workspace under
a name the expert reads (workspace/review/<year>/sheets/评分表-第1轮-博泰涂料等9家-<id head>.xlsx)
and attached to a `review_invitation` mail with the reports assigned, attached or linked
(tasks/review/sheets/packet.py); the sheet is due a fixed time after its assignment day
(tasks/review/rules.py `sheet_deadline`).
The mail's key is the reviewer and the sheet id, so a re-run sends nothing and a changed
assignment sends the new sheet. Each row carries a one-line hint from the report's pre-screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.contexts import DeadlineContext, campaign_context, deadline_context
from notifications.expert_contexts import ReviewInvitationContext
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail, existing_keys, idempotency_key
from notifications.render import render
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import SubmissionKind
from schemas.review_tables import ReviewAssignment, Reviewer
from schemas.screening import reviewer_evidence
from schemas.settings import Settings
from schemas.tables import Participation, Submission, Unit
from tasks.common.outgoing import enqueue
from tasks.review.file_names import SHEET_ID_CHARS, sheet_file_name, sheet_id_head
from tasks.review.rules import REVIEW_DEADLINE, sheet_deadline
from tasks.review.sheets.layout import SheetReport, SheetSpec, sheet_id
from tasks.review.sheets.packet import ReportFile, assigned_contexts, attach_reports, copy_reports
from tasks.review.sheets.write import write_score_sheet
from tasks.store import campaign_session, fetch_columns

INVITATION = "review_invitation"


def screening_hint(screening: dict[str, Any] | None, standard_names: dict[str, str]) -> str:
    """Return the pre-screen hint for reviewers (never a score): counts, then the evidence.

    The first line sums up topics, standards and scans; below it, one line per topic found
    with its pages and the first sentence that matched, so a reviewer can check the machine.
    """
    if not screening:
        return ""
    core = [t for t in screening.get("topics") or [] if t.get("kind") == "core"]
    covered = sum(1 for t in core if t.get("covered"))
    cited = [standard_names.get(k, k) for k in screening.get("standards_cited") or []]
    parts = [f"核心议题 {covered}/{len(core)}"] if core else []
    parts.append("引用标准：" + ("、".join(cited) if cited else "未发现"))
    if screening.get("scanned"):
        parts.append("疑似扫描件")
    evidence = reviewer_evidence(screening)
    return "；".join(parts) + (f"\n预审依据（供参考）：\n{evidence}" if evidence else "")


class ReportFacts(NamedTuple):
    """What a sheet's row says about one report: unit, title, pre-screen hint, file name; and
    where the newest report PDF is kept (workspace-relative) and its size, for the expert."""

    unit_name: str
    report_title: str
    hint: str
    file_name: str
    stored_path: str = ""
    size: int = 0


class SheetKey(NamedTuple):
    """One reviewer's sheet of one review round."""

    reviewer_id: int
    round: int


def _report_facts(
    session: Session, ids: list[int], standard_names: dict[str, str]
) -> dict[int, ReportFacts]:
    """Return the facts a sheet's row shows, per participation; reads."""
    units = dict(
        session.exec(
            select(Participation.id, Unit.name)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(col(Participation.id).in_(ids))
        ).all()
    )
    titles: dict[int, str] = {}
    reports: dict[int, tuple[str, dict[str, Any] | None, str, int]] = {}
    title_rows = session.exec(
        select(Submission.participation_id, col(Submission.data)["report_title"].as_string())
        .where(col(Submission.participation_id).in_(ids))
        .where(col(Submission.kind).in_([SubmissionKind.RECEIPT, SubmissionKind.BASIC_INFO]))
        .order_by(col(Submission.version))
    ).all()
    for pid, title in title_rows:
        if title:
            titles[pid] = title
    for sub in session.exec(
        select(Submission)
        .where(col(Submission.participation_id).in_(ids))
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .order_by(col(Submission.version))
    ).all():
        screening = dict(sub.screening) if sub.screening else None
        reports[sub.participation_id] = (sub.original_name, screening, sub.stored_path, sub.size)
    out: dict[int, ReportFacts] = {}
    for pid in ids:
        file_name, screening, stored, size = reports.get(pid, ("", None, "", 0))
        name = units.get(pid, "")
        out[pid] = ReportFacts(
            unit_name=name,
            report_title=titles.get(pid) or f"{name}社会责任报告",
            hint=screening_hint(screening, standard_names),
            file_name=file_name,
            stored_path=stored,
            size=size,
        )
    return out


class SheetsSummary(BaseModel):
    """What one sending of score sheets did."""

    model_config = ConfigDict(frozen=True)

    sheets: int  # issued for the current assignment
    written: int  # written (again) this run: new sheets, or sheets whose mail was never queued
    mails_queued: int


@dataclass(frozen=True)
class IssuedSheet:
    """One reviewer's score sheet of one round: who, which reports, and its stable id."""

    reviewer: Reviewer
    round: int
    participation_ids: tuple[int, ...]
    sheet_id: str
    assigned_on: date  # the newest assignment day of the sheet's reports (dates a re-check)


def issued_sheets(session: Session, campaign: CampaignFile) -> list[IssuedSheet]:
    """Return every assigned reviewer's sheet per review round, with its id; reads only.

    The id depends on the assignment alone (tasks/review/sheets/layout.py `sheet_id`), so this reads
    no report: the sheets' contents are built by `sheet_specs` for the sheets that need it.
    """
    of_campaign = ReviewAssignment.campaign_year == campaign.year
    pairs = fetch_columns(  # plain columns: an ORM row per assignment costs ~10x more
        session,
        sa.select(
            col(ReviewAssignment.participation_id),
            col(ReviewAssignment.round),
            col(ReviewAssignment.reviewer_id),
            col(ReviewAssignment.assigned_on),
        ).where(col(ReviewAssignment.campaign_year) == campaign.year),
    )
    ids_by_sheet: dict[SheetKey, list[int]] = {}
    assigned_on: dict[SheetKey, date] = {}
    for pid, review_round, reviewer_id, on in pairs:
        key = SheetKey(reviewer_id, review_round)
        ids_by_sheet.setdefault(key, []).append(pid)
        assigned_on[key] = max(on, assigned_on.get(key, on))
    assigned = select(ReviewAssignment.reviewer_id).where(of_campaign)
    reviewers = {
        r.id: r for r in session.exec(select(Reviewer).where(col(Reviewer.id).in_(assigned))).all()
    }
    by_sheet = {
        key: (reviewers[key.reviewer_id], ids)
        for key, ids in ids_by_sheet.items()
        if key.reviewer_id in reviewers
    }
    criteria = [c.key for c in campaign.review.criteria]
    sheets = []
    for key, (reviewer, ids) in sorted(by_sheet.items()):
        ordered = tuple(sorted(ids))
        sheets.append(
            IssuedSheet(
                reviewer=reviewer,
                round=key.round,
                participation_ids=ordered,
                sheet_id=sheet_id(campaign.year, reviewer.key, ordered, criteria, key.round),
                assigned_on=assigned_on[key],
            )
        )
    return sheets


def unsent_sheets(
    session: Session, campaign_year: int, sheets: list[IssuedSheet], folder: Path
) -> list[IssuedSheet]:
    """Return the sheets whose invitation is not in the outbox or whose file is missing; reads."""
    keys = [_invitation_key(campaign_year, s) for s in sheets]
    sent = existing_keys(session, keys)
    written = {sheet_id_head(p.name) for p in folder.glob("*.xlsx")} if folder.is_dir() else set()
    return [
        s
        for s, key in zip(sheets, keys, strict=True)
        if key not in sent or not {s.sheet_id, s.sheet_id[:SHEET_ID_CHARS]} & written
    ]


def sheets_folder(settings: Settings, campaign_year: int) -> Path:
    """Return the workspace folder the issued score sheets are written into."""
    return settings.inside_workspace("review", str(campaign_year), "sheets")


def sheet_specs(
    session: Session, campaign: CampaignFile, sheets: list[IssuedSheet]
) -> list[tuple[Reviewer, SheetSpec, list[ReportFile]]]:
    """Return the spec each of these sheets is written from, and its reports' files (report
    facts read here)."""
    standard_names = {s.key: s.name for s in campaign.standards}
    wanted = sorted({pid for sheet in sheets for pid in sheet.participation_ids})
    facts = _report_facts(session, wanted, standard_names) if wanted else {}
    title = campaign_context(campaign).title
    specs: list[tuple[Reviewer, SheetSpec, list[ReportFile]]] = []
    for sheet in sheets:
        reports = tuple(
            SheetReport(
                participation_id=pid,
                unit_name=facts[pid].unit_name,
                report_title=facts[pid].report_title,
                hint=facts[pid].hint,
                file_name=facts[pid].file_name,
            )
            for pid in sheet.participation_ids
        )
        spec = SheetSpec(
            campaign_year=campaign.year,
            campaign_title=title,
            reviewer_key=sheet.reviewer.key,
            reviewer_name=sheet.reviewer.name,
            criteria=tuple(campaign.review.criteria),
            deadline=sheet_deadline(campaign, sheet.round, sheet.assigned_on),
            reports=reports,
            round=sheet.round,
        )
        assert spec.sheet_id == sheet.sheet_id
        files = [
            ReportFile(f.unit_name, f.report_title, f.stored_path, f.size)
            for f in (facts[pid] for pid in sheet.participation_ids)
        ]
        specs.append((sheet.reviewer, spec, files))
    return specs


def _due_on(campaign: CampaignFile, due: date) -> DeadlineContext:
    """Return the review deadline's context carrying this sheet's own due date."""
    return deadline_context(campaign, REVIEW_DEADLINE).model_copy(update={"date": due})


def _invitation_key(campaign_year: int, sheet: IssuedSheet) -> str:
    return idempotency_key(
        campaign_year,
        INVITATION,
        f"reviewer:{sheet.reviewer.id}:sheet",
        sheet.sheet_id,
        mailbox(sheet.reviewer.email).address,
    )


@task(name="send-score-sheets", cache_policy=NO_CACHE)
def send_score_sheets(settings: Settings, campaign_year: int, as_of: date) -> SheetsSummary:
    """Write and mail every assigned reviewer's score sheet not yet sent.

    Side effects: writes sheets into workspace/review/<year>/sheets/ and copies the assigned
    reports into workspace/review/<year>/reports/; enqueues one
    `review_invitation` per reviewer and sheet (in one transaction). A sheet whose file is
    written and whose mail is in the outbox is left as issued (the reviewer holds that copy);
    `as_of` dates the run.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    folder = sheets_folder(settings, campaign_year)
    criteria = tuple(
        f"{c.name}（{round(c.weight * 100)}%，{c.min:g}-{c.max:g}分）"
        for c in campaign.review.criteria
    )
    mails: list[OutgoingMail] = []
    with campaign_session(settings) as session:
        sheets = issued_sheets(session, campaign)
        pending = unsent_sheets(session, campaign_year, sheets, folder)
        for reviewer, spec, files in sheet_specs(session, campaign, pending):
            units = [r.unit_name for r in spec.reports]
            name = sheet_file_name(units, spec.round, spec.sheet_id)
            path = write_score_sheet(spec, folder / name)
            copies = copy_reports(settings.workspace, campaign_year, spec.round, files)
            attached = (
                attach_reports(
                    [f.size for f in files], path.stat().st_size, settings.mail_max_message_bytes
                )
                or not campaign.review.reports_url
            )
            context = ReviewInvitationContext(
                campaign=campaign_context(campaign),
                reviewer_name=reviewer.name,
                reports=len(spec.reports),
                criteria=criteria,
                deadline=_due_on(campaign, spec.deadline),
                round=spec.round,
                assigned=assigned_contexts(copies, attached, campaign.review.reports_url),
                reports_attached=attached,
                sheet_file=name,
            )
            reports = tuple(p for _, p in copies if p) if attached else ()
            mails.append(
                OutgoingMail(
                    campaign_year=campaign_year,
                    to=mailbox(reviewer.email, reviewer.name),
                    mail=render(INVITATION, context),
                    subject_ref=f"reviewer:{reviewer.id}:sheet",
                    version=spec.sheet_id,
                    attachments=(str(path), *reports),
                )
            )
        queued = enqueue(session, settings, mails, business_day=as_of)
    return SheetsSummary(sheets=len(sheets), written=len(mails), mails_queued=queued)
