"""Save training attendance: marks on the seats they name, walk-ins for units without one.

Runs in the caller's transaction. The campaign's seats are read as plain columns
(`fetch_columns`) and the marked ones written back in one executemany UPDATE by id; a unit that
attended without a seat gets a walk-in enrolment after the session's last place. Deciding which
rows of a sign-in sheet count is tasks/train/attendance.py's job; nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from schemas.enums import EnrolmentStatus
from schemas.training_tables import TrainingEnrolment
from tasks.store import fetch_columns


@dataclass(frozen=True)
class AttendanceMark:
    """One attendance fact to save."""

    session_key: str
    participation_id: int
    attended: bool
    attendee: str
    source: str
    walk_in: bool


class StoredSeat(NamedTuple):
    """A stored enrolment as the attendance writes it: its row id and attendee's name."""

    row_id: int
    attendee: str


@dataclass
class SeatsOnFile:
    """The campaign's stored enrolments by (session key, participation id), and each session's
    last place."""

    seats: dict[tuple[str, int], StoredSeat] = field(default_factory=dict)
    last_position: dict[str, int] = field(default_factory=dict)


def _seats_on_file(session: Session, campaign_year: int) -> SeatsOnFile:
    """Read the campaign's enrolments as plain columns (`fetch_columns`), not ORM objects."""
    out = SeatsOnFile()
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
        out.seats[(key, pid)] = StoredSeat(row_id, attendee)
        out.last_position[key] = max(out.last_position.get(key, 0), position)
    return out


def save_marks(
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
    stored = _seats_on_file(session, campaign_year)
    updates: dict[int, dict[str, object]] = {}
    walk_ins: dict[tuple[str, int], TrainingEnrolment] = {}
    for mark in marks:
        seat = (mark.session_key, mark.participation_id)
        if seat in stored.seats:
            known = stored.seats[seat]
            known = stored.seats[seat] = StoredSeat(known.row_id, mark.attendee or known.attendee)
            updates[known.row_id] = {
                "id": known.row_id,
                "attended": mark.attended,
                "attendee": known.attendee,
                "attendance_source": mark.source,
            }
            continue
        row = walk_ins.get(seat)
        if row is None:
            place = stored.last_position[mark.session_key] = (
                stored.last_position.get(mark.session_key, 0) + 1
            )
            row = walk_ins[seat] = _walk_in_seat(campaign_year, mark, place, as_of, now)
            session.add(row)
        row.attended = mark.attended
        row.attendee = mark.attendee or row.attendee
        row.attendance_source = mark.source
    if updates:
        session.execute(sa.update(TrainingEnrolment), list(updates.values()))
    session.flush()


def _walk_in_seat(
    campaign_year: int, mark: AttendanceMark, position: int, as_of: date, now: datetime
) -> TrainingEnrolment:
    """Return a new walk-in enrolment for a unit that attended without a seat."""
    return TrainingEnrolment(
        campaign_year=campaign_year,
        session_key=mark.session_key,
        participation_id=mark.participation_id,
        status=EnrolmentStatus.WALK_IN,
        position=position,
        enrolled_on=as_of,
        status_changed_at=now,
    )
