"""Training attendance: match sign-in sheets to sessions and enrolments, and save it.

`match_attendance` is the plain rule; `ingest_attendance` the task that reads the sheets before
its transaction opens, applies the rule and records attendance (tasks/train/marks.py; walk-ins
get an enrolment of their own), writes the problems report, publishes attendance per session
and per association and the problems as artifacts, and returns counts only (no rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import load_campaign_file
from schemas.campaign_parts import TrainingSession
from schemas.columns import ATTENDANCE
from schemas.enums import Severity
from schemas.rejection import Rejection, count_by_code
from schemas.rows import AttendanceRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Unit
from schemas.training_tables import TrainingEnrolment
from tasks.common.rejection_reports import (
    in_a_run,
    publish_rejections,
    publish_table,
    write_rejection_report,
)
from tasks.common.validation import read_rows, rejection_at
from tasks.store import campaign_session
from tasks.train.marks import AttendanceMark, save_marks
from tasks.train.seats import AttendanceTables, attendance_tables


@dataclass
class AttendanceBatch:
    """Attendance facts that count and the problems found."""

    marks: list[AttendanceMark] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def match_attendance(
    rows: Sequence[tuple[AttendanceRow, str, int]],
    sessions: Sequence[TrainingSession],
    participations: dict[str, int],
    enrolled: set[tuple[str, int]],
) -> AttendanceBatch:
    """Check attendance rows against sessions, participations and enrolments.

    `participations` maps USCC to participation id for this campaign; `enrolled` holds
    (session key, participation id) pairs with a seat or a waiting-list place. A unit that came
    without a seat is recorded as a walk-in, with a warning; the last row for a pair wins.
    """
    batch = AttendanceBatch()
    keys = {s.key for s in sessions}
    for row, file, number in rows:
        pid = participations.get(row.uscc)
        if row.session_key not in keys:
            batch.rejections.append(_unknown_session(row, file, number, keys))
            continue
        if pid is None:
            batch.rejections.append(_not_taking_part(row, file, number))
            continue
        walk_in = (row.session_key, pid) not in enrolled
        if walk_in and row.attended:
            batch.rejections.append(_walk_in(row, file, number))
        elif walk_in:
            continue  # not enrolled and absent: nothing to record
        batch.marks.append(
            AttendanceMark(
                row.session_key, pid, bool(row.attended), row.attendee, f"{file}#{number}", walk_in
            )
        )
    return batch


def _unknown_session(row: AttendanceRow, file: str, number: int, keys: set[str]) -> Rejection:
    return rejection_at(
        ATTENDANCE,
        file,
        number,
        "session_key",
        row.session_key,
        "unknown-session",
        "培训场次不在本年度活动文件中",
        f"no training session {row.session_key!r} "
        f"in the campaign file (known: {', '.join(sorted(keys))})",
    )


def _not_taking_part(row: AttendanceRow, file: str, number: int) -> Rejection:
    return rejection_at(
        ATTENDANCE,
        file,
        number,
        "uscc",
        row.uscc,
        "not-recommended",
        "该单位未参加本年度活动",
        "this unit does not take part in this campaign",
    )


def _walk_in(row: AttendanceRow, file: str, number: int) -> Rejection:
    return rejection_at(
        ATTENDANCE,
        file,
        number,
        "uscc",
        row.uscc,
        "walk-in",
        "该单位未获邀请但已出席，按现场签到记录",
        "attended without an invitation; recorded as a walk-in",
        severity=Severity.WARNING,
    )


class AttendanceSummary(BaseModel):
    """What one attendance import did: counts, problems by code, the report's path."""

    model_config = ConfigDict(frozen=True)

    files_read: int
    marked: int
    walk_ins: int
    problems_by_code: dict[str, int]
    report: str  # the rejection report, relative to the workspace


def _participations_by_uscc(session: Session, campaign_year: int) -> dict[str, int]:
    """Return the campaign's participation ids by USCC."""
    return {
        uscc: pid
        for uscc, pid in session.exec(
            select(Unit.uscc, Participation.id)
            .join(Participation, col(Participation.unit_id) == col(Unit.id))
            .where(Participation.campaign_year == campaign_year)
        ).all()
        if pid is not None
    }


def _enrolled(session: Session, campaign_year: int) -> set[tuple[str, int]]:
    """Return the (session key, participation id) pairs with a seat or a waiting-list place."""
    return {
        (key, pid)
        for key, pid in session.exec(
            select(TrainingEnrolment.session_key, TrainingEnrolment.participation_id).where(
                TrainingEnrolment.campaign_year == campaign_year
            )
        ).all()
    }


@task(name="ingest-attendance", cache_policy=NO_CACHE)
def ingest_attendance(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> AttendanceSummary:
    """Read attendance sheets and record who attended which session; report and publish it.

    Side effects: reads the sheets before the transaction opens; updates TrainingEnrolment rows
    (walk-ins get a new one) in one transaction; writes `attendance-rejections.xlsx` into
    `report_dir`; in a task run, publishes the `training-attendance`,
    `training-attendance-per-association` and `attendance-rejections` artifacts (`.fn()`
    outside a run publishes nothing).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    found = read_rows(files, ATTENDANCE, AttendanceRow)
    with campaign_session(settings) as session:
        batch = match_attendance(
            found.rows,
            campaign.training.sessions,
            _participations_by_uscc(session, campaign_year),
            _enrolled(session, campaign_year),
        )
        save_marks(session, campaign_year, batch.marks, as_of, now_utc())
        tables = attendance_tables(session, campaign_year, campaign.training.sessions)
    rejections = [*found.rejections, *batch.rejections]
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "attendance-rejections.xlsx"), rejections
    )
    summary = AttendanceSummary(
        files_read=len(found.read),
        marked=len(batch.marks),
        walk_ins=sum(m.walk_in for m in batch.marks),
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
    )
    if in_a_run():
        publish_attendance(tables, rejections, Path(summary.report))
    return summary


def publish_attendance(
    tables: AttendanceTables, rejections: Sequence[Rejection], report: Path
) -> None:
    """Publish attendance per session and per association, and the sheet problems."""
    publish_table("training-attendance", tables.per_session, "Attendance per training session")
    if tables.per_association:
        publish_table(
            "training-attendance-per-association",
            tables.per_association,
            "Seats and attendance per association and session",
        )
    publish_rejections("attendance-rejections", "Attendance sheet problems", rejections, report)
