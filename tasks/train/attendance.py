"""Training attendance: match sign-in sheets to sessions and enrolments, and save it.

`match_attendance` is the plain rule; `ingest_attendance` the task that reads the sheets,
applies it and records attendance (walk-ins get an enrolment of their own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import load_campaign_file
from schemas.campaign_parts import TrainingSession
from schemas.columns import ATTENDANCE
from schemas.enums import EnrolmentStatus, Severity
from schemas.rejection import Rejection, count_by_code
from schemas.rows import AttendanceRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.summary_rows import SummaryRows
from schemas.tables import Participation, Unit
from schemas.training_tables import TrainingEnrolment
from tasks.common.rejection_reports import publish_rejections, publish_table, write_rejection_report
from tasks.common.validation import read_rows, rejection_at
from tasks.store import campaign_session, fetch_columns
from tasks.train.seats import attendance_tables


@dataclass(frozen=True)
class AttendanceMark:
    """One attendance fact to save."""

    session_key: str
    participation_id: int
    attended: bool
    attendee: str
    source: str
    walk_in: bool


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
            batch.rejections.append(
                rejection_at(
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
            )
            continue
        if pid is None:
            batch.rejections.append(
                rejection_at(
                    ATTENDANCE,
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "not-recommended",
                    "该单位未参加本年度活动",
                    "this unit does not take part in this campaign",
                )
            )
            continue
        walk_in = (row.session_key, pid) not in enrolled
        if walk_in and row.attended:
            batch.rejections.append(
                rejection_at(
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
            )
        elif walk_in:
            continue  # not enrolled and absent: nothing to record
        batch.marks.append(
            AttendanceMark(
                row.session_key, pid, bool(row.attended), row.attendee, f"{file}#{number}", walk_in
            )
        )
    return batch


class AttendanceSummary(BaseModel):
    """What one attendance import did, and attendance per session and per association."""

    model_config = ConfigDict(frozen=True)

    files_read: int
    marked: int
    walk_ins: int
    problems_by_code: dict[str, int]
    report: str
    rejections: SummaryRows[Rejection]
    per_session: SummaryRows[dict[str, str | int]]
    per_association: SummaryRows[dict[str, str | int]]


def _save_marks(
    session: Session,
    campaign_year: int,
    marks: Sequence[AttendanceMark],
    as_of: date,
    now: datetime,
) -> None:
    """Record attendance on the marked seats, adding walk-ins for units without one. Writes.

    The seats are read as plain columns (`fetch_columns`) and written back in one executemany
    UPDATE by id.
    """
    existing: dict[tuple[str, int], tuple[int, str]] = {}  # (session, unit) -> (id, attendee)
    next_position: dict[str, int] = {}
    for row_id, key, pid, position, attendee in fetch_columns(
        session,
        sa.select(
            col(TrainingEnrolment.id),
            col(TrainingEnrolment.session_key),
            col(TrainingEnrolment.participation_id),
            col(TrainingEnrolment.position),
            col(TrainingEnrolment.attendee),
        ).where(col(TrainingEnrolment.campaign_year) == campaign_year),
    ):
        assert row_id is not None  # a stored row always has its key
        existing[(key, pid)] = (row_id, attendee)
        next_position[key] = max(next_position.get(key, 0), position)
    updates: dict[int, dict[str, object]] = {}
    walk_ins: dict[tuple[str, int], TrainingEnrolment] = {}
    for mark in marks:
        seat = (mark.session_key, mark.participation_id)
        if seat in existing:
            row_id, attendee = existing[seat]
            attendee = mark.attendee or attendee
            existing[seat] = (row_id, attendee)
            updates[row_id] = {
                "id": row_id,
                "attended": mark.attended,
                "attendee": attendee,
                "attendance_source": mark.source,
            }
            continue
        row = walk_ins.get(seat)
        if row is None:
            next_position[mark.session_key] = next_position.get(mark.session_key, 0) + 1
            row = walk_ins[seat] = TrainingEnrolment(
                campaign_year=campaign_year,
                session_key=mark.session_key,
                participation_id=mark.participation_id,
                status=EnrolmentStatus.WALK_IN,
                position=next_position[mark.session_key],
                enrolled_on=as_of,
                status_changed_at=now,
            )
            session.add(row)
        row.attended = mark.attended
        row.attendee = mark.attendee or row.attendee
        row.attendance_source = mark.source
    if updates:
        session.execute(sa.update(TrainingEnrolment), list(updates.values()))
    session.flush()


@task(name="ingest-attendance", cache_policy=NO_CACHE)
def ingest_attendance(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> AttendanceSummary:
    """Read attendance sheets and record who attended which session; write the report.

    Side effects: updates TrainingEnrolment rows (walk-ins get a new one) in one transaction;
    writes `attendance-rejections.xlsx` into `report_dir`.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    found = read_rows(files, ATTENDANCE, AttendanceRow)
    rejections, rows = found.rejections, found.rows
    with campaign_session(settings) as session:
        participations = {
            uscc: pid
            for uscc, pid in session.exec(
                select(Unit.uscc, Participation.id)
                .join(Participation, col(Participation.unit_id) == col(Unit.id))
                .where(Participation.campaign_year == campaign_year)
            ).all()
            if pid is not None
        }
        enrolled = {
            (key, pid)
            for key, pid in session.exec(
                select(TrainingEnrolment.session_key, TrainingEnrolment.participation_id).where(
                    TrainingEnrolment.campaign_year == campaign_year
                )
            ).all()
        }
        batch = match_attendance(rows, campaign.training.sessions, participations, enrolled)
        _save_marks(session, campaign_year, batch.marks, as_of, now_utc())
        per_session, per_association = attendance_tables(
            session, campaign_year, campaign.training.sessions
        )
    rejections.extend(batch.rejections)
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "attendance-rejections.xlsx"), rejections
    )
    return AttendanceSummary(
        files_read=len(found.read),
        marked=len(batch.marks),
        walk_ins=sum(m.walk_in for m in batch.marks),
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
        rejections=rejections,
        per_session=per_session,
        per_association=per_association,
    )


@task(name="publish-attendance", cache_policy=NO_CACHE)
def publish_attendance(summary: AttendanceSummary) -> None:
    """Publish attendance per session and per association, and the sheet problems."""
    publish_table("training-attendance", summary.per_session, "Attendance per training session")
    if summary.per_association:
        publish_table(
            "training-attendance-per-association",
            summary.per_association,
            "Seats and attendance per association and session",
        )
    publish_rejections(
        "attendance-rejections",
        "Attendance sheet problems",
        summary.rejections,
        Path(summary.report),
    )
