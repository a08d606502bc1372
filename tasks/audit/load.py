"""Read the season into a `Snapshot`: one query per table, plain columns, no per-unit queries.

Built for a 5,000-unit season (benchmarks/audit.py): every read is a plain-column select through
`tasks.store.fetch_columns`; timestamps become business dates in the campaign's time zone; the
files the release and the meeting wrote are read by tasks/audit/files.py. Reads only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation, MeetingDecision
from schemas.review_tables import Review, ReviewAssignment, ReviewDecision, Reviewer
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, StageTransition, Submission, Unit
from tasks.audit.files import certificate_rows, release_files
from tasks.audit.load_mail import mails, outbox_counts
from tasks.audit.snapshot import (
    AssignmentRow,
    CommendationRow,
    DecisionRow,
    MeetingRow,
    Snapshot,
    UnitRow,
)
from tasks.common.report_flags import latest_screenings
from tasks.store import fetch_columns


def _local(at: datetime, zone: ZoneInfo) -> date:
    """Return the business date of a stored UTC timestamp. Pure."""
    return at.astimezone(zone).date()


def _units(session: Session, year: int, zone: ZoneInfo) -> tuple[UnitRow, ...]:
    """Return every participation of the campaign with its unit's name and USCC; reads."""
    p, u = Participation, Unit
    rows = fetch_columns(
        session,
        sa.select(
            col(p.id), col(u.name), col(u.uscc), col(p.status), col(p.status_changed_at),
            col(p.revision_round), col(p.created_on),
        )
        .join(u, col(u.id) == col(p.unit_id))
        .where(col(p.campaign_year) == year)
        .order_by(col(p.id)),
    )  # fmt: skip
    return tuple(
        UnitRow(pid or 0, name, uscc, ParticipationStatus(st), _local(at, zone), rnd, created)
        for pid, name, uscc, st, at, rnd, created in rows
    )


# A participation in one of these has filed everything (it moved through `submitted`).
FILED = frozenset(
    {
        ParticipationStatus.SUBMITTED, ParticipationStatus.IN_REVIEW,
        ParticipationStatus.REVISION_REQUESTED, ParticipationStatus.REVISED,
        ParticipationStatus.REVIEW_PASSED, ParticipationStatus.REJECTED,
        ParticipationStatus.APPROVED, ParticipationStatus.RELEASED, ParticipationStatus.REMOVED,
    }
)  # fmt: skip


def _ever_submitted(session: Session, year: int, units: tuple[UnitRow, ...]) -> set[int]:
    """Return the participations that filed everything: status past it, or moved through it."""
    t = StageTransition
    moved = fetch_columns(
        session,
        sa.select(col(t.participation_id))
        .where(col(t.campaign_year) == year)
        .where(col(t.to_status) == ParticipationStatus.SUBMITTED)
        .distinct(),
    )
    return {pid for (pid,) in moved if pid is not None} | {
        u.participation_id for u in units if u.status in FILED
    }


def _filings(session: Session, year: int) -> tuple[dict[int, date], dict[int, date]]:
    """Return each participation's filing day and its latest report's day; reads.

    The filing day is the business day its last step was first filed (the day it could move to
    `submitted`); the latest report's day dates a revision.
    """
    s = Submission
    rows = fetch_columns(
        session,
        sa.select(
            col(s.participation_id), col(s.kind), sa.func.min(col(s.received_on)),
            sa.func.max(col(s.received_on)),
        )
        .where(col(s.campaign_year) == year)
        .group_by(col(s.participation_id), col(s.kind)),
    )  # fmt: skip
    filed: dict[int, date] = {}
    report: dict[int, date] = {}
    for pid, kind, first, last in rows:
        filed[pid] = max(first, filed.get(pid, first))
        if SubmissionKind(kind) == SubmissionKind.REPORT_PDF:
            report[pid] = last
    return filed, report


def _assignments(session: Session, year: int) -> tuple[AssignmentRow, ...]:
    """Return every assignment with its expert's name and whether a sheet came back; reads."""
    a, r = ReviewAssignment, Reviewer
    returned = set(
        fetch_columns(
            session,
            sa.select(col(Review.assignment_id))
            .where(col(Review.campaign_year) == year)
            .distinct(),
        )
    )
    rows = fetch_columns(
        session,
        sa.select(
            col(a.id), col(a.participation_id), col(r.name), col(a.round), col(a.assigned_on),
            col(a.absent_on),
        )
        .join(r, col(r.id) == col(a.reviewer_id))
        .where(col(a.campaign_year) == year),
    )  # fmt: skip
    done = {row[0] for row in returned}
    return tuple(
        AssignmentRow(pid, name, rnd, on, absent, aid in done)
        for aid, pid, name, rnd, on, absent in rows
    )


def _decisions(session: Session, year: int) -> tuple[DecisionRow, ...]:
    """Return every decided version of every round; reads."""
    d = ReviewDecision
    rows = fetch_columns(
        session,
        sa.select(
            col(d.participation_id), col(d.round), col(d.version), col(d.decision),
            col(d.normalised_score), col(d.grade), col(d.decided_on),
        ).where(col(d.campaign_year) == year),
    )  # fmt: skip
    return tuple(DecisionRow(*row) for row in rows)


def _commendations(session: Session, year: int) -> tuple[CommendationRow, ...]:
    """Return every commendation proposal and its status; reads."""
    c = Commendation
    rows = fetch_columns(
        session,
        sa.select(col(c.participation_id), col(c.kind), col(c.title), col(c.status)).where(
            col(c.campaign_year) == year
        ),
    )
    return tuple(CommendationRow(*row) for row in rows)


def _flag_codes(overrides: Any, recorded: bool) -> dict[str, tuple[str, ...]] | None:
    """Return USCC -> the flag codes a recorded `overrides` value names, None if not recorded.

    The meeting records {USCC: {"flags": [codes], "reason": text}}. Pure.
    """
    if not recorded:
        return None
    if not isinstance(overrides, dict):
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for uscc, given in overrides.items():
        codes = given.get("flags") if isinstance(given, dict) else given
        found[str(uscc)] = tuple(str(c) for c in codes) if isinstance(codes, list) else ()
    return found


def _meeting(session: Session, year: int) -> tuple[MeetingRow | None, str]:
    """Return the newest meeting decision and the run id it was given in; reads.

    Reads the decision's `overrides` column when the schema has it (the meeting's explicit
    overrides of flagged units).
    """
    table = SQLModel.metadata.tables[str(MeetingDecision.__tablename__)]
    overrides = table.c.get("overrides")
    names = ("version", "meeting_date", "release_list", "added", "notes", "flow_run_id")
    columns: list[sa.ColumnElement[Any]] = [table.c[n] for n in names]
    columns.append(overrides if overrides is not None else sa.null())
    rows = fetch_columns(
        session,
        sa.select(*columns)
        .where(table.c.campaign_year == year)
        .order_by(table.c.version.desc())
        .limit(1),
    )
    if not rows:
        return None, ""
    version, day, listed, added, notes, run_id, overridden = rows[0]
    row = MeetingRow(
        version,
        day,
        tuple(listed or ()),
        dict(added or {}),
        notes or "",
        _flag_codes(overridden, overrides is not None),
    )
    return row, run_id or ""


def load_snapshot(
    session: Session, campaign: CampaignFile, settings: Settings, now: datetime | None = None
) -> Snapshot:
    """Read the season of `campaign` into a Snapshot (database and workspace files); reads."""
    year, zone = campaign.year, ZoneInfo(settings.timezone)
    total, counts = outbox_counts(session, year)
    meeting, run_id = _meeting(session, year)
    filed, report = _filings(session, year)
    units = _units(session, year, zone)
    submitted = _ever_submitted(session, year, units)
    certificates = fetch_columns(
        session,
        sa.select(
            col(Certificate.participation_id), col(Certificate.number), col(Certificate.version),
            col(Certificate.sha256), col(Certificate.stored_path),
        ).where(col(Certificate.campaign_year) == year),
    )  # fmt: skip
    return Snapshot(
        campaign=campaign,
        now=now or now_utc(),
        units=units,
        submitted_on={pid: day for pid, day in filed.items() if pid in submitted},
        report_on=report,
        assignments=_assignments(session, year),
        decisions=_decisions(session, year),
        screenings=latest_screenings(session, year),
        mails=mails(session, year),
        outbox_total=total,
        outbox_counts=counts,
        commendations=_commendations(session, year),
        certificates=certificate_rows(settings, [tuple(c) for c in certificates]),
        meeting=meeting,
        files=release_files(settings, year, run_id),
    )
