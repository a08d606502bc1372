"""Registration: take in release receipts (发布回执表) and move units to `registered`.

`decide_receipts` is the plain rule: each valid row of a recommended unit becomes a filing;
a unit no association recommended this year, a unit whose recommendation is held over quota, a
closed participation and a repeated row are rejected. `ingest_receipts` is the task that reads
the files, records the filings as versioned Submissions, moves `recommended` units to
`registered` (with the audit row) and refreshes the unit's contact from its own receipt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import load_campaign_file
from schemas.columns import RECEIPTS
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.rows import ReceiptRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.summary_rows import SummaryRows
from schemas.tables import Participation, Unit
from tasks.common.business_day import current_actor
from tasks.common.enrolment import (
    Enrolled,
    filing_problem,
    load_enrolled,
    participation_of,
    repeated,
)
from tasks.common.progress import advance_to_submitted
from tasks.common.rejection_reports import publish_rejections, write_rejection_report
from tasks.common.submissions import RowFiling, archive_file, record_row_filings
from tasks.common.validation import read_rows, rejection_at
from tasks.store import campaign_session


@dataclass
class ReceiptBatch:
    """The receipts that count and the problems found."""

    accepted: list[tuple[ReceiptRow, str, int]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def decide_receipts(
    rows: list[tuple[ReceiptRow, str, int]], enrolled: dict[str, Enrolled]
) -> ReceiptBatch:
    """Decide which receipt rows count; `rows` are (row, file, row number) in arrival order."""
    batch = ReceiptBatch()
    first: dict[str, tuple[str, int]] = {}
    for row, file, number in rows:
        problem = (
            repeated("回执", "receipt", *first[row.uscc])
            if row.uscc in first
            else filing_problem(enrolled.get(row.uscc))
        )
        if problem is None:
            first[row.uscc] = (file, number)
            batch.accepted.append((row, file, number))
        else:
            batch.rejections.append(
                rejection_at(RECEIPTS, file, number, "uscc", row.uscc, *problem)
            )
    return batch


class ReceiptSummary(BaseModel):
    """What one receipts ingest did."""

    model_config = ConfigDict(frozen=True)

    files_read: int
    files_rejected: int
    receipts_new: int
    receipts_unchanged: int
    late: int
    registered: int
    submitted: int  # registered units whose form and report were already in
    problems_by_code: dict[str, int]
    report: str
    rejections: SummaryRows[Rejection]


@task(name="ingest-receipts", cache_policy=NO_CACHE)
def ingest_receipts(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> ReceiptSummary:
    """Read receipt files, record receipts, register recommended units; write the report.

    Side effects: archives the files under workspace/archive/<year>/receipts/; writes
    Submissions, StageTransitions and unit contacts in one transaction; writes
    `receipts-rejections.xlsx` into `report_dir`.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    deadline = campaign.deadline_for(SubmissionKind.RECEIPT).date
    archive = settings.inside_workspace("archive", str(campaign_year), "receipts")
    found = read_rows(files, RECEIPTS, ReceiptRow)
    rejections, rows = found.rejections, found.rows
    stored = {
        label: str(archive_file(path, archive)[0].relative_to(settings.workspace))
        for label, path in found.read.items()
    }
    now = now_utc()
    actor = current_actor()
    with campaign_session(settings) as session:
        enrolled = load_enrolled(session, campaign_year)
        batch = decide_receipts(rows, enrolled)
        filings = [
            RowFiling(
                participation_id=participation_of(enrolled, row.uscc),
                data=row.model_dump(mode="json"),
                original_name=file,
                stored_path=stored[file],
            )
            for row, file, _ in batch.accepted
        ]
        counts = record_row_filings(
            session,
            campaign_year,
            SubmissionKind.RECEIPT,
            filings,
            as_of=as_of,
            deadline=deadline,
            now=now,
        )
        registered = _register(session, batch, enrolled, actor, now)
        submitted = advance_to_submitted(session, campaign_year, actor=actor, now=now)
    rejections.extend(batch.rejections)
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "receipts-rejections.xlsx"), rejections
    )
    return ReceiptSummary(
        files_read=len(found.read),
        files_rejected=sum(1 for r in rejections if r.row is None),
        receipts_new=counts.new,
        receipts_unchanged=counts.unchanged,
        late=counts.late,
        registered=registered,
        submitted=submitted,
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
        rejections=rejections,
    )


def _register(
    session: Session,
    batch: ReceiptBatch,
    enrolled: dict[str, Enrolled],
    actor: str,
    now: datetime,
) -> int:
    """Move each accepted unit still `recommended` to `registered`; refresh its contact."""
    by_pid = {
        participation_of(enrolled, row.uscc): (row, file, n) for row, file, n in batch.accepted
    }
    if not by_pid:
        return 0
    participations = session.exec(
        select(Participation).where(col(Participation.id).in_(list(by_pid)))
    ).all()
    units = {
        u.id: u
        for u in session.exec(
            select(Unit).where(col(Unit.id).in_([p.unit_id for p in participations]))
        ).all()
    }
    registered = 0
    for p in participations:
        assert p.id is not None
        row, file, number = by_pid[p.id]
        unit = units[p.unit_id]
        contact = (row.contact_name or unit.contact_name, row.email, row.phone or unit.phone)
        if contact != (unit.contact_name, unit.email, unit.phone):
            unit.contact_name, unit.email, unit.phone = contact
            unit.updated_at = now
        if p.status == ParticipationStatus.RECOMMENDED:
            session.add(
                transition(
                    p,
                    ParticipationStatus.REGISTERED,
                    actor=actor,
                    at=now,
                    reason=f"发布回执表 {file} row {number}",
                )
            )
            registered += 1
    session.flush()
    return registered


@task(name="publish-receipt-report", cache_policy=NO_CACHE)
def publish_receipt_report(summary: ReceiptSummary) -> None:
    """Publish the receipt problems as a table artifact pointing to the full report."""
    publish_rejections(
        "receipt-rejections", "Receipt problems", summary.rejections, Path(summary.report)
    )
