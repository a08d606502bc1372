"""Take in basic-information forms (基本信息统计表) and financial statements (近三年财务报表).

Plain rules: `decide_basic_info` and `decide_financials` check each valid row against the
campaign (who may file, report year, fiscal years, repeats). The task reads and archives the
files first (one sheet for many units or one file per unit); only then does one transaction
(`record_forms`) record the filings as versioned Submissions and move units whose documents are
complete to `submitted` (tasks/common/progress.py). The task writes the rejection report and
publishes the `form-rejections` artifact itself, and returns counts and the report's path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.columns import BASIC_INFO, FINANCIALS
from schemas.enums import Severity, SubmissionKind
from schemas.form_rows import BasicInfoRow, FinancialRow
from schemas.rejection import Rejection, count_by_code
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.business_day import current_actor
from tasks.common.enrolment import (
    Enrolled,
    Problem,
    filing_problem,
    load_enrolled,
    participation_of,
    repeated,
)
from tasks.common.file_batches import file_outcomes, save_by_file
from tasks.common.progress import advance_to_submitted
from tasks.common.rejection_reports import in_a_run, publish_rejections, write_rejection_report
from tasks.common.submissions import FilingCounts, RowFiling, archive_file, record_row_filings
from tasks.common.validation import FileRows, read_rows, rejection_at


@dataclass
class FormDecision:
    """Per unit, the data that counts and where it came from; and the problems found."""

    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # USCC -> data
    source: dict[str, str] = field(default_factory=dict)  # USCC -> file label
    rejections: list[Rejection] = field(default_factory=list)


def decide_basic_info(
    rows: list[tuple[BasicInfoRow, str, int]], enrolled: dict[str, Enrolled], report_year: int
) -> FormDecision:
    """Keep one form per unit that may file and reports on the campaign's report year."""
    out = FormDecision()
    first: dict[str, tuple[str, int]] = {}
    for row, file, number in rows:
        problem = (
            repeated("基本信息表", "basic-information form", *first[row.uscc])
            if row.uscc in first
            else filing_problem(enrolled.get(row.uscc))
        )
        if problem is None and row.report_year != report_year:
            out.rejections.append(
                rejection_at(
                    BASIC_INFO,
                    file,
                    number,
                    "report_year",
                    str(row.report_year),
                    "wrong-report-year",
                    f"报告年度应为{report_year}年",
                    f"the report year must be {report_year}",
                )
            )
            continue
        if problem is not None:
            out.rejections.append(
                rejection_at(BASIC_INFO, file, number, "uscc", row.uscc, *problem)
            )
            continue
        first[row.uscc] = (file, number)
        out.data[row.uscc] = row.model_dump(mode="json", exclude={"uscc"})
        out.source[row.uscc] = file
    return out


def decide_financials(
    rows: list[tuple[FinancialRow, str, int]], enrolled: dict[str, Enrolled], report_year: int
) -> FormDecision:
    """Group fiscal years per unit; years outside the last three and repeats are rejected."""
    out = FormDecision()
    years = range(report_year - 2, report_year + 1)
    first: dict[tuple[str, int], tuple[str, int]] = {}
    per_unit: dict[str, dict[str, Any]] = defaultdict(dict)
    for row, file, number in rows:
        key = (row.uscc, row.fiscal_year)
        problem = (
            repeated("财务年度", "fiscal year", *first[key])
            if key in first
            else filing_problem(enrolled.get(row.uscc))
        )
        if problem is None and row.fiscal_year not in years:
            problem = Problem(
                "fiscal-year-out-of-range",
                f"会计年度应为{years[0]}至{years[-1]}年",
                f"fiscal year must be {years[0]}-{years[-1]}",
            )
        if problem is not None:
            column = "fiscal_year" if problem.code == "fiscal-year-out-of-range" else "uscc"
            value = str(row.fiscal_year) if column == "fiscal_year" else row.uscc
            out.rejections.append(rejection_at(FINANCIALS, file, number, column, value, *problem))
            continue
        first[key] = (file, number)
        per_unit[row.uscc][str(row.fiscal_year)] = row.model_dump(
            mode="json", exclude={"uscc", "fiscal_year"}
        )
        out.source[row.uscc] = file
    for uscc, by_year in per_unit.items():
        out.data[uscc] = dict(sorted(by_year.items()))
        missing = [str(y) for y in years if str(y) not in by_year]
        if missing:
            out.rejections.append(
                rejection_at(
                    FINANCIALS,
                    out.source[uscc],
                    None,
                    "uscc",
                    uscc,
                    "financials-incomplete",
                    f"鼓励提交近三年财务报表，缺少{'、'.join(missing)}年",
                    f"three years are encouraged; missing {', '.join(missing)}",
                    Severity.WARNING,
                )
            )
    return out


def form_filings(
    decision: FormDecision, enrolled: dict[str, Enrolled], stored: dict[str, str]
) -> list[RowFiling]:
    """Return the filings a decision keeps, one per unit in USCC order, with the archived file.

    `stored` maps each file label to the workspace-relative path of its archived copy. Pure.
    """
    return [
        RowFiling(
            participation_id=participation_of(enrolled, uscc),
            data=data,
            original_name=decision.source[uscc],
            stored_path=stored[decision.source[uscc]],
        )
        for uscc, data in sorted(decision.data.items())
    ]


@dataclass(frozen=True)
class FormsTaken:
    """What recording one batch of forms and statements did, and the problems it found."""

    counts: dict[SubmissionKind, FilingCounts]
    submitted: int
    rejections: list[Rejection]


def record_forms(
    session: Session,
    campaign: CampaignFile,
    info: FileRows[BasicInfoRow],
    money: FileRows[FinancialRow],
    stored: dict[str, str],
    *,
    as_of: date,
    now: datetime,
) -> FormsTaken:
    """Decide the read rows against the enrolment, save the new versions, advance units.

    Side effects, in the caller's session: adds Submissions and StageTransitions. Reads no file.
    """
    enrolled = load_enrolled(session, campaign.year)
    report_year = campaign.campaign.report_year
    forms = decide_basic_info(info.rows, enrolled, report_year)
    books = decide_financials(money.rows, enrolled, report_year)
    counts = {
        kind: record_row_filings(
            session,
            campaign.year,
            kind,
            form_filings(decision, enrolled, stored),
            as_of=as_of,
            deadline=campaign.deadline_date_for(kind),
            now=now,
        )
        for kind, decision in (
            (SubmissionKind.BASIC_INFO, forms),
            (SubmissionKind.FINANCIALS, books),
        )
    }
    submitted = advance_to_submitted(session, campaign.year, actor=current_actor(), now=now)
    return FormsTaken(counts, submitted, forms.rejections + books.rejections)


def merge_taken(parts: Sequence[FormsTaken]) -> FormsTaken:
    """Return the sum of what several transactions of forms did. Pure."""
    counts = {
        kind: FilingCounts(
            new=sum(p.counts[kind].new for p in parts),
            unchanged=sum(p.counts[kind].unchanged for p in parts),
            late=sum(p.counts[kind].late for p in parts),
            new_participations=tuple(i for p in parts for i in p.counts[kind].new_participations),
        )
        for kind in (SubmissionKind.BASIC_INFO, SubmissionKind.FINANCIALS)
    }
    return FormsTaken(
        counts, sum(p.submitted for p in parts), [r for p in parts for r in p.rejections]
    )


class FormSummary(BaseModel):
    """What one forms ingest did: counts, problems by code, and the rejection report's path.

    The rejections themselves are in the report (xlsx) and the `form-rejections` artifact.
    """

    model_config = ConfigDict(frozen=True)

    files_read: int
    files_rejected: int
    basic_info_new: int
    financials_new: int
    unchanged: int
    late: int
    submitted: int
    problems_by_code: dict[str, int]
    report: str  # workspace-relative path of forms-rejections.xlsx
    outcomes: dict[str, str] = {}  # file path -> taken-in / refused / failed (the input ledger)


@task(name="ingest-forms", cache_policy=NO_CACHE)
def ingest_forms(
    settings: Settings,
    campaign_year: int,
    as_of: date,
    basic_info_files: list[str],
    financial_files: list[str],
    report_dir: str,
) -> FormSummary:
    """Read basic-information forms and financial statements, record them, advance units.

    Side effects: archives the files under workspace/archive/<year>/forms/; then, with every
    file read, writes Submissions and StageTransitions in one transaction (or, if that fails,
    one per file, a file that still fails becoming a `file-failed` rejection); writes
    `forms-rejections.xlsx` into `report_dir`; inside a flow or task run, creates the
    `form-rejections` table artifact.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    info = read_rows(basic_info_files, BASIC_INFO, BasicInfoRow)
    money = read_rows(financial_files, FINANCIALS, FinancialRow)
    archive = settings.inside_workspace("archive", str(campaign_year), "forms")
    stored = {
        label: str(archive_file(path, archive).path.relative_to(settings.workspace))
        for label, path in {**info.read, **money.read}.items()
    }
    now = now_utc()

    def save(session: Session, files: AbstractSet[str]) -> FormsTaken:
        return record_forms(
            session, campaign, info.only(files), money.only(files), stored, as_of=as_of, now=now
        )

    saved = save_by_file(settings, sorted(stored), save, ("保存信息表和财务报表", "saving forms"))
    taken = merge_taken(saved.results)
    rejections = info.rejections + money.rejections + taken.rejections + saved.failures
    report = settings.inside_workspace(report_dir, "forms-rejections.xlsx")
    write_rejection_report(report, rejections)
    shown = report.relative_to(settings.workspace)
    if in_a_run():
        publish_rejections("form-rejections", "Form problems", rejections, shown)
    return FormSummary(
        files_read=len(info.read) + len(money.read),
        files_rejected=sum(1 for r in rejections if r.row is None and r.severity == Severity.ERROR),
        basic_info_new=taken.counts[SubmissionKind.BASIC_INFO].new,
        financials_new=taken.counts[SubmissionKind.FINANCIALS].new,
        unchanged=sum(c.unchanged for c in taken.counts.values()),
        late=sum(c.late for c in taken.counts.values()),
        submitted=taken.submitted,
        problems_by_code=count_by_code(rejections),
        report=str(shown),
        outcomes=file_outcomes([*basic_info_files, *financial_files], rejections),
    )
