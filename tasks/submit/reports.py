"""Take in report PDFs from the drop folder: match, archive, pre-screen, version, acknowledge.

Each PDF is matched to its unit (tasks/submit/matching.py: manifest, or the USCC in the name),
archived under its sha256 inside the workspace, and, when its bytes are new for that unit,
pre-screened in worker processes (tasks/submit/pdf/screen.py) and recorded as the next version of
the unit's `report_pdf` Submission with the screen result, the late flag and an acknowledgement mail
listing any problems. A revised report from a unit asked to revise moves it to `revised`; a complete
unit moves to `submitted` (tasks/common/progress.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.contexts import ProblemContext, SubmissionAckContext, campaign_context
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.columns import REPORT_MANIFEST
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.rows import ManifestRow
from schemas.screening import ScreenLimits, ScreenResult, rules_from_campaign
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.summary_rows import SummaryRows
from schemas.tables import Participation, Submission, Unit
from tasks.common.business_day import current_actor
from tasks.common.enrolment import filing_problem, load_enrolled, participation_of
from tasks.common.outgoing import deadline_of_step, enqueue
from tasks.common.progress import advance_to_submitted, usable_report
from tasks.common.rejection_reports import write_rejection_report
from tasks.common.submissions import archive_file
from tasks.common.validation import read_rows, rejection_at
from tasks.store import campaign_session
from tasks.submit.matching import match_reports
from tasks.submit.pdf.screen import screen_batch_summary, screen_many, topic_heat_rows

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class IncomingReport:
    """A matched PDF that passed the enrolment check, archived."""

    name: str
    participation_id: int
    archived: Path
    sha256: str
    size: int


class ReportSummary(BaseModel):
    """What one report intake did; the rows feed the screening artifacts."""

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
    report: str
    rejections: SummaryRows[Rejection]
    screening_rows: SummaryRows[dict[str, str | int | None]]
    topic_rows: SummaryRows[dict[str, str | int | None]]


def screen_limits(settings: Settings) -> ScreenLimits:
    """Return the pre-screen's limits from the settings."""
    return ScreenLimits(
        max_bytes=settings.pdf_max_megabytes * MEGABYTE,
        max_pages=settings.pdf_max_pages,
        seconds_per_file=settings.pdf_seconds_per_file,
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


def _ack(
    campaign: CampaignFile, unit: Unit, sub: Submission, result: ScreenResult, pid: int
) -> OutgoingMail:
    """Return the acknowledgement of one report version, listing the screen's problems."""
    context = SubmissionAckContext(
        campaign=campaign_context(campaign),
        unit_name=unit.name,
        contact_name=unit.contact_name or unit.name,
        document=f"{campaign.campaign.report_year}年度社会责任报告（PDF版本）",
        file_name=sub.original_name,
        version=sub.version,
        received_on=sub.received_on,
        late=sub.late,
        deadline=deadline_of_step(campaign, SubmissionKind.REPORT_PDF),
        problems=tuple(ProblemContext(code=p.code, message=p.reason_zh) for p in result.problems),
    )
    return OutgoingMail(
        campaign_year=campaign.year,
        to=mailbox(unit.email, unit.contact_name),
        mail=render("submission_ack", context),
        subject_ref=f"participation:{pid}:report",
        version=sub.version,
    )


def _record(
    session: Session,
    campaign: CampaignFile,
    incoming: list[IncomingReport],
    results: dict[str, ScreenResult],
    as_of: date,
    now: datetime,
) -> tuple[list[Submission], list[OutgoingMail], int]:
    """Save new report versions, build their acknowledgements, move revising units on."""
    ids = sorted({r.participation_id for r in incoming})
    latest: dict[int, int] = {}
    for pid, version in session.exec(
        select(Submission.participation_id, Submission.version)
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .where(col(Submission.participation_id).in_(ids))
    ).all():
        latest[pid] = max(latest.get(pid, 0), version)
    people = {
        p.id: (p, u)
        for p, u in session.exec(
            select(Participation, Unit)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(col(Participation.id).in_(ids))
        ).all()
    }
    deadline = campaign.deadline_date_for(SubmissionKind.REPORT_PDF)
    subs: list[Submission] = []
    mails: list[OutgoingMail] = []
    revised = 0
    for item in incoming:
        result = results[item.name]
        latest[item.participation_id] = latest.get(item.participation_id, 0) + 1
        sub = Submission(
            campaign_year=campaign.year,
            participation_id=item.participation_id,
            kind=SubmissionKind.REPORT_PDF,
            version=latest[item.participation_id],
            stored_path=str(item.archived),
            original_name=item.name,
            sha256=item.sha256,
            size=item.size,
            received_on=as_of,
            received_at=now,
            late=deadline is not None and as_of > deadline,
            screening=result.to_stored(),
        )
        subs.append(sub)
        participation, unit = people[item.participation_id]
        mails.append(_ack(campaign, unit, sub, result, item.participation_id))
        if participation.status == ParticipationStatus.REVISION_REQUESTED and result.usable:
            session.add(
                transition(
                    participation,
                    ParticipationStatus.REVISED,
                    actor=current_actor(),
                    at=now,
                    reason=f"修改后的报告第{sub.version}版",
                )
            )
            revised += 1
    session.add_all(subs)
    session.flush()
    return subs, mails, revised


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
    worker processes; writes Submissions, StageTransitions and outbox rows in one transaction;
    writes `reports-rejections.xlsx` into `report_dir`.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    manifest = read_rows(manifest_files, REPORT_MANIFEST, ManifestRow)
    paths = {Path(f).name: Path(f) for f in files}
    matches = match_reports(sorted(paths), manifest.rows)
    rejections = manifest.rejections + matches.rejections
    archive = settings.inside_workspace("archive", str(campaign_year), "reports")
    with campaign_session(settings) as session:
        enrolled = load_enrolled(session, campaign_year)
    incoming: list[IncomingReport] = []
    for name, uscc in sorted(matches.by_file.items()):
        problem = filing_problem(enrolled.get(uscc))
        if problem is not None:
            rejections.append(rejection_at(REPORT_MANIFEST, name, None, "uscc", uscc, *problem))
            continue
        copy, digest = archive_file(paths[name], archive)
        incoming.append(
            IncomingReport(
                name,
                participation_of(enrolled, uscc),
                copy.relative_to(settings.workspace),
                digest,
                copy.stat().st_size,
            )
        )
    now = now_utc()
    with campaign_session(settings) as session:
        known = _known_hashes(session, sorted({r.participation_id for r in incoming}))
    fresh = [r for r in incoming if r.sha256 not in known.get(r.participation_id, {})]
    fresh = list({(r.participation_id, r.sha256): r for r in fresh}.values())  # same bytes twice
    rules = rules_from_campaign(campaign)
    screened = screen_many(
        [settings.workspace / r.archived for r in fresh],
        rules,
        screen_limits(settings),
        workers=settings.pdf_workers,
    )
    results = {
        r.name: res.model_copy(update={"file": r.name})
        for r, res in zip(fresh, screened, strict=True)
    }
    with campaign_session(settings) as session:
        subs, mails, revised = _record(session, campaign, fresh, results, as_of, now)
        queued = enqueue(session, settings, mails)
        submitted = advance_to_submitted(session, campaign_year, actor=current_actor(), now=now)
    for r in fresh:
        rejections.extend(results[r.name].as_rejections())
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "reports-rejections.xlsx"), rejections
    )
    return ReportSummary(
        files_seen=len(files),
        reports_new=len(subs),
        reports_unchanged=len(incoming) - len(fresh),
        late=sum(s.late for s in subs),
        unusable=sum(not usable_report(s.screening) for s in subs),
        submitted=submitted,
        revised=revised,
        mails_queued=queued,
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
        rejections=rejections,
        screening_rows=screen_batch_summary(list(results.values())),
        topic_rows=topic_heat_rows(list(results.values()), rules) if results else [],
    )
