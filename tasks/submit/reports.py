"""Take in report PDFs from the drop folder: match, archive, pre-screen, version, acknowledge.

Each PDF is matched to its unit (tasks/submit/matching.py: manifest, or the USCC in the name),
archived under its sha256 inside the workspace, and, when its bytes are new for that unit,
pre-screened in worker processes (tasks/submit/pdf/screen.py). Only then, with every file read,
one transaction records each as the next version of the unit's `report_pdf` Submission with the
screen result, the late flag and an acknowledgement mail listing any problems, and moves units
on (tasks/submit/report_versions.py). The task writes the rejection report and publishes it
(`report-rejections`: unmatched files, units not recommended, every file's problems) with the
screening artifacts (tasks/submit/artifacts.py) itself, and returns counts and the report's path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import load_campaign_file
from schemas.columns import REPORT_MANIFEST
from schemas.enums import SubmissionKind
from schemas.rejection import Rejection, count_by_code
from schemas.rows import ManifestRow
from schemas.screening import ScreenLimits, ScreenResult, ScreenRules, rules_from_campaign
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Submission
from tasks.common.enrolment import Enrolled, filing_problem, load_enrolled, participation_of
from tasks.common.progress import usable_report
from tasks.common.rejection_reports import (
    in_a_run,
    publish_rejections,
    publish_table,
    write_rejection_report,
)
from tasks.common.submissions import archive_file
from tasks.common.validation import read_rows, rejection_at
from tasks.store import campaign_session
from tasks.submit.artifacts import publish_screening
from tasks.submit.matching import match_reports
from tasks.submit.pdf.screen import screen_many, topic_evidence_rows
from tasks.submit.report_versions import IncomingReport, record_reports

MEGABYTE = 1024 * 1024
WALL_BACKSTOP_FACTOR = 5
WALL_BACKSTOP_MIN = 300.0


class ReportSummary(BaseModel):
    """What one report intake did: counts, problems by code, and the rejection report's path.

    The problems themselves are in the report (xlsx) and the screening artifacts.
    """

    model_config = ConfigDict(frozen=True)

    files_seen: int
    reports_new: int
    reports_unchanged: int
    late: int
    unusable: int
    submitted: int
    revised: int
    mails_queued: int
    problems_by_code: dict[str, int]
    report: str  # workspace-relative path of reports-rejections.xlsx


def screen_limits(settings: Settings) -> ScreenLimits:
    """Return the pre-screen's limits from the settings.

    `pdf_seconds_per_file` is the CPU time a file may use (load cannot trip it); the wall-clock
    backstop is five times that, at least five minutes, for a worker stuck outside the CPU.
    """
    cpu = max(1, math.ceil(settings.pdf_seconds_per_file))
    return ScreenLimits(
        max_bytes=settings.pdf_max_megabytes * MEGABYTE,
        max_pages=settings.pdf_max_pages,
        cpu_seconds_per_file=cpu,
        seconds_per_file=max(WALL_BACKSTOP_MIN, WALL_BACKSTOP_FACTOR * cpu),
    )


def _known_hashes(session: Session, participation_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return, per participation, the sha256 of each report version already filed."""
    out: dict[int, dict[str, int]] = {}
    if not participation_ids:
        return out
    rows = session.exec(
        select(Submission.participation_id, Submission.sha256, Submission.version)
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .where(col(Submission.participation_id).in_(participation_ids))
    ).all()
    for pid, digest, version in rows:
        out.setdefault(pid, {})[digest] = version
    return out


@dataclass
class Admitted:
    """The matched PDFs whose units may file, archived; and the units that may not."""

    incoming: list[IncomingReport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def archive_admitted(
    settings: Settings,
    campaign_year: int,
    by_file: dict[str, str],
    paths: dict[str, Path],
    enrolled: dict[str, Enrolled],
) -> Admitted:
    """Archive each matched PDF whose unit may file; reject the others, in file-name order.

    Side effect: copies PDFs into workspace/archive/<year>/reports/ (reads them to hash them).
    """
    archive = settings.inside_workspace("archive", str(campaign_year), "reports")
    out = Admitted()
    for name, uscc in sorted(by_file.items()):
        problem = filing_problem(enrolled.get(uscc))
        if problem is not None:
            out.rejections.append(rejection_at(REPORT_MANIFEST, name, None, "uscc", uscc, *problem))
            continue
        copy = archive_file(paths[name], archive)
        out.incoming.append(
            IncomingReport(
                name,
                participation_of(enrolled, uscc),
                copy.path.relative_to(settings.workspace),
                copy.sha256,
                copy.path.stat().st_size,
            )
        )
    return out


def new_reports(
    incoming: Sequence[IncomingReport], known: dict[int, dict[str, int]]
) -> list[IncomingReport]:
    """Return the reports whose bytes are new for their unit, each pair of unit and bytes once.

    `known` maps a participation to the sha256 of each version it filed (see `_known_hashes`).
    Pure. Of the same bytes sent twice in one batch, the last file's name is kept.
    """
    fresh = [r for r in incoming if r.sha256 not in known.get(r.participation_id, {})]
    return list({(r.participation_id, r.sha256): r for r in fresh}.values())


def screen_reports(
    settings: Settings, rules: ScreenRules, reports: Sequence[IncomingReport]
) -> dict[str, ScreenResult]:
    """Pre-screen the archived copies; return each result by file name (as the unit sent it).

    Side effects: reads the archived PDFs in worker processes (tasks/submit/pdf/screen.py).
    """
    screened = screen_many(
        [settings.workspace / r.archived for r in reports],
        rules,
        screen_limits(settings),
        workers=settings.pdf_workers,
    )
    return {
        r.name: res.model_copy(update={"file": r.name})
        for r, res in zip(reports, screened, strict=True)
    }


@task(name="ingest-reports", cache_policy=NO_CACHE)
def ingest_reports(
    settings: Settings,
    campaign_year: int,
    as_of: date,
    files: list[str],
    manifest_files: list[str],
    report_dir: str,
) -> ReportSummary:
    """Match, archive, pre-screen and record report PDFs; acknowledge each new version by mail.

    Side effects: copies PDFs into workspace/archive/<year>/reports/; runs the pre-screen in
    worker processes; then, with every file read, writes Submissions, StageTransitions and
    outbox rows in one transaction; writes `reports-rejections.xlsx` into `report_dir`; inside a
    flow or task run, creates the `screening-problems`, `topic-coverage` and `topic-evidence`
    table artifacts.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    manifest = read_rows(manifest_files, REPORT_MANIFEST, ManifestRow)
    paths = {Path(f).name: Path(f) for f in files}
    matches = match_reports(sorted(paths), manifest.rows)
    with campaign_session(settings) as session:
        enrolled = load_enrolled(session, campaign_year)
    admitted = archive_admitted(settings, campaign_year, matches.by_file, paths, enrolled)
    now = now_utc()
    with campaign_session(settings) as session:
        known = _known_hashes(session, sorted({r.participation_id for r in admitted.incoming}))
    fresh = new_reports(admitted.incoming, known)
    rules = rules_from_campaign(campaign)
    results = screen_reports(settings, rules, fresh)
    with campaign_session(settings) as session:
        saved = record_reports(session, settings, campaign, fresh, results, as_of=as_of, now=now)
    rejections = manifest.rejections + matches.rejections + admitted.rejections
    for r in fresh:
        rejections.extend(results[r.name].as_rejections())
    report = settings.inside_workspace(report_dir, "reports-rejections.xlsx")
    write_rejection_report(report, rejections)
    if in_a_run():
        publish_rejections("report-rejections", "Report PDF problems", rejections, report)
        publish_screening(list(results.values()), rules, len(saved.versions))
        evidence = topic_evidence_rows(list(results.values()))
        if evidence:
            publish_table(
                "topic-evidence",
                evidence,
                "Where each topic was found in each new report: page and sentence (for reviewers)",
            )
    return ReportSummary(
        files_seen=len(files),
        reports_new=len(saved.versions),
        reports_unchanged=len(admitted.incoming) - len(fresh),
        late=sum(s.late for s in saved.versions),
        unusable=sum(not usable_report(s.screening) for s in saved.versions),
        submitted=saved.submitted,
        revised=saved.revised,
        mails_queued=saved.mails_queued,
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
    )
