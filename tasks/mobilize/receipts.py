"""Registration: take in release receipts (发布回执表) and move units to `registered`.

`decide_receipts` is the plain rule: each valid row of a recommended unit becomes a filing;
a unit no association recommended this year, a unit whose recommendation is held over quota, a
closed participation and a repeated row are rejected. `ingest_receipts` is the task that reads
and archives the files before its transaction opens, then records the filings as versioned
Submissions, moves `recommended` units to `registered` (with the audit row) and refreshes the
unit's contact from its own receipt; it writes the rejection report, publishes the problems as
an artifact and returns counts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

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
from schemas.tables import Participation, Unit
from tasks.common.business_day import current_actor
from tasks.common.enrolment import (
    Enrolled,
    filing_problem,
    load_enrolled,
    participation_of,
    repeated,
)
from tasks.common.file_batches import file_outcomes, save_by_file
from tasks.common.progress import advance_to_submitted
from tasks.common.rejection_reports import in_a_run, publish_rejections, write_rejection_report
from tasks.common.submissions import FilingCounts, RowFiling, archive_file, record_row_filings
from tasks.common.validation import read_rows, rejection_at


class ReceiptLine(NamedTuple):
    """A valid receipt row and where it stands: its file's name and spreadsheet row."""

    row: ReceiptRow
    file: str
    row_number: int


@dataclass
class ReceiptBatch:
    """The receipts that count and the problems found."""

    accepted: list[ReceiptLine] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def decide_receipts(
    rows: list[tuple[ReceiptRow, str, int]], enrolled: dict[str, Enrolled]
) -> ReceiptBatch:
    """Decide which receipt rows count; `rows` are (row, file, row number) in arrival order."""
    batch = ReceiptBatch()
    first: dict[str, ReceiptLine] = {}
    for line in (ReceiptLine(*r) for r in rows):
        uscc = line.row.uscc
        kept = first.get(uscc)
        problem = (
            repeated("回执", "receipt", kept.file, kept.row_number)
            if kept is not None
            else filing_problem(enrolled.get(uscc))
        )
        if problem is None:
            first[uscc] = line
            batch.accepted.append(line)
        else:
            batch.rejections.append(
                rejection_at(RECEIPTS, line.file, line.row_number, "uscc", uscc, *problem)
            )
    return batch


class ReceiptsTaken(NamedTuple):
    """What one transaction of receipts did."""

    rejections: list[Rejection]
    counts: FilingCounts
    registered: int
    submitted: int


class ReceiptSummary(BaseModel):
    """What one receipts ingest did: counts, problems by code, the report's path."""

    model_config = ConfigDict(frozen=True)

    files_read: int
    files_rejected: int
    receipts_new: int
    receipts_unchanged: int
    late: int
    registered: int
    submitted: int  # registered units whose form and report were already in
    problems_by_code: dict[str, int]
    report: str  # the rejection report, relative to the workspace
    outcomes: dict[str, str] = {}  # file path -> taken-in / refused / failed (the input ledger)


@task(name="ingest-receipts", cache_policy=NO_CACHE)
def ingest_receipts(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> ReceiptSummary:
    """Read receipt files, record receipts, register recommended units; report the problems.

    Side effects: reads the files and archives them under workspace/archive/<year>/receipts/
    before the transaction opens; writes Submissions, StageTransitions and unit contacts in one
    transaction (or, if that fails, one per file, a file that still fails becoming a
    `file-failed` rejection); writes `receipts-rejections.xlsx` into `report_dir`; in a task
    run, publishes the `receipt-rejections` artifact (`.fn()` outside a run publishes nothing).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    deadline = campaign.deadline_for(SubmissionKind.RECEIPT).date
    found = read_rows(files, RECEIPTS, ReceiptRow)
    stored = archive_receipts(settings, campaign_year, found.read)
    now = now_utc()
    actor = current_actor()

    def save(session: Session, files: AbstractSet[str]) -> ReceiptsTaken:
        enrolled = load_enrolled(session, campaign_year)
        batch = decide_receipts([r for r in found.rows if r[1] in files], enrolled)
        counts = record_row_filings(
            session,
            campaign_year,
            SubmissionKind.RECEIPT,
            receipt_filings(batch, enrolled, stored),
            as_of=as_of,
            deadline=deadline,
            now=now,
        )
        registered = _register(session, batch, enrolled, actor, now)
        submitted = advance_to_submitted(session, campaign_year, actor=actor, now=now)
        return ReceiptsTaken(batch.rejections, counts, registered, submitted)

    saved = save_by_file(settings, sorted(found.read), save, ("保存发布回执", "saving receipts"))
    parts = saved.results
    rejections = [*found.rejections, *(r for p in parts for r in p.rejections), *saved.failures]
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "receipts-rejections.xlsx"), rejections
    )
    summary = ReceiptSummary(
        files_read=len(found.read),
        files_rejected=sum(1 for r in rejections if r.row is None),
        receipts_new=sum(p.counts.new for p in parts),
        receipts_unchanged=sum(p.counts.unchanged for p in parts),
        late=sum(p.counts.late for p in parts),
        registered=sum(p.registered for p in parts),
        submitted=sum(p.submitted for p in parts),
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
        outcomes=file_outcomes(files, rejections),
    )
    if in_a_run():
        publish_rejections(
            "receipt-rejections", "Receipt problems", rejections, Path(summary.report)
        )
    return summary


def archive_receipts(
    settings: Settings, campaign_year: int, read: Mapping[str, Path]
) -> dict[str, str]:
    """Copy each receipt file read into the archive; return its stored path by file name.

    Side effect: writes workspace/archive/<year>/receipts/<sha256><suffix> for a new content.
    Paths returned are relative to the workspace.
    """
    archive = settings.inside_workspace("archive", str(campaign_year), "receipts")
    stored: dict[str, str] = {}
    for label, path in read.items():
        target, _sha256 = archive_file(path, archive)
        stored[label] = str(target.relative_to(settings.workspace))
    return stored


def receipt_filings(
    batch: ReceiptBatch, enrolled: dict[str, Enrolled], stored: Mapping[str, str]
) -> list[RowFiling]:
    """Return the filing of each accepted receipt row, pointing to its archived file. Pure."""
    return [
        RowFiling(
            participation_id=participation_of(enrolled, line.row.uscc),
            data=line.row.model_dump(mode="json"),
            original_name=line.file,
            stored_path=stored[line.file],
        )
        for line in batch.accepted
    ]


def _register(
    session: Session,
    batch: ReceiptBatch,
    enrolled: dict[str, Enrolled],
    actor: str,
    now: datetime,
) -> int:
    """Move each accepted unit still `recommended` to `registered`; refresh its contact."""
    by_pid = {participation_of(enrolled, line.row.uscc): line for line in batch.accepted}
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
        line = by_pid[p.id]
        row, unit = line.row, units[p.unit_id]
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
                    reason=f"发布回执表 {line.file} row {line.row_number}",
                )
            )
            registered += 1
    session.flush()
    return registered
