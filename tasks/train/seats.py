"""Training (宣贯培训): seats in sessions and waiting lists, and the counts of seats and attendance.

`allocate_seats` is the plain rule: each new candidate gets the next place in a session, the first
`capacity` places are invited and the rest wait; `candidate_order` says who comes first.
`attendance_tables` counts seats and attendance per session and per association (reads only).
The task that applies the rule and saves the enrolments: tasks/train/enrol.py. Attendance:
tasks/train/attendance.py. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlmodel import Session, col, select

from schemas.campaign_parts import TrainingSession
from schemas.enums import EnrolmentStatus, ParticipationStatus
from schemas.tables import Association, Participation, Recommendation
from schemas.training_tables import TrainingEnrolment


@dataclass(frozen=True)
class Seat:
    """One enrolment as the allocation sees it."""

    participation_id: int
    position: int
    status: EnrolmentStatus


def allocate_seats(
    existing: Sequence[Seat], candidates: Iterable[int], capacity: int
) -> tuple[list[Seat], dict[int, EnrolmentStatus]]:
    """Place new candidates after everyone already enrolled; return (new seats, status changes).

    Places never move once given. Among invited and waitlisted enrolments the first `capacity`
    places are invited and the rest wait, so a waitlisted unit moves up when capacity grows.
    Walk-ins keep their status and take no place. Candidates already enrolled are ignored.
    """
    enrolled = {s.participation_id for s in existing}
    next_position = max((s.position for s in existing), default=0) + 1
    new: list[Seat] = []
    for pid in candidates:
        if pid in enrolled:
            continue
        enrolled.add(pid)
        new.append(Seat(pid, next_position, EnrolmentStatus.WAITLISTED))
        next_position += 1
    queue = sorted(
        (s for s in [*existing, *new] if s.status != EnrolmentStatus.WALK_IN),
        key=lambda s: s.position,
    )
    wanted = {
        s.participation_id: EnrolmentStatus.INVITED if i < capacity else EnrolmentStatus.WAITLISTED
        for i, s in enumerate(queue)
    }
    new = [Seat(s.participation_id, s.position, wanted[s.participation_id]) for s in new]
    changes = {
        s.participation_id: wanted[s.participation_id]
        for s in existing
        if s.participation_id in wanted and wanted[s.participation_id] != s.status
    }
    return new, changes


ELIGIBLE = (
    ParticipationStatus.REGISTERED,
    ParticipationStatus.SUBMITTED,
    ParticipationStatus.RECOMMENDED,
)


class Candidate(NamedTuple):
    """A participation that may take a seat, and where it stands."""

    participation_id: int
    status: ParticipationStatus


def candidate_order(candidates: Sequence[Candidate]) -> list[int]:
    """Order candidates for seats: registered (and later) units first, then by participation id."""
    rank = {s: i for i, s in enumerate(ELIGIBLE)}
    ordered = sorted(candidates, key=lambda c: (rank[c.status] > 1, c.participation_id))
    return [c.participation_id for c in ordered]


@dataclass(frozen=True)
class _Mark:
    """A seat as the attendance tables count it (plain columns, not the ORM row)."""

    participation_id: int
    session_key: str
    status: EnrolmentStatus
    attended: bool | None


class AttendanceTables(NamedTuple):
    """Attendance counts per session, and per (association, session)."""

    per_session: list[dict[str, str | int]]
    per_association: list[dict[str, str | int]]


def attendance_tables(
    session: Session, campaign_year: int, sessions: Sequence[TrainingSession]
) -> AttendanceTables:
    """Return attendance counts per session and per (association, session). Reads only."""
    enrolments = [
        _Mark(pid, key, EnrolmentStatus(status), attended)
        for pid, key, status, attended in session.exec(
            select(
                TrainingEnrolment.participation_id,
                TrainingEnrolment.session_key,
                TrainingEnrolment.status,
                TrainingEnrolment.attended,
            ).where(TrainingEnrolment.campaign_year == campaign_year)
        ).all()
    ]
    return AttendanceTables(
        per_session=_per_session(enrolments, sessions),
        per_association=_per_association(enrolments, _association_codes(session, campaign_year)),
    )


def _per_session(
    enrolments: Sequence[_Mark], sessions: Sequence[TrainingSession]
) -> list[dict[str, str | int]]:
    """Return seats, walk-ins and attendance counted per session of the campaign file."""
    per_session: list[dict[str, str | int]] = []
    for s in sessions:
        rows = [e for e in enrolments if e.session_key == s.key]
        per_session.append(
            {
                "session": s.key,
                "title": s.title,
                "capacity": s.capacity,
                "invited": sum(e.status == EnrolmentStatus.INVITED for e in rows),
                "waitlisted": sum(e.status == EnrolmentStatus.WAITLISTED for e in rows),
                "walk_ins": sum(e.status == EnrolmentStatus.WALK_IN for e in rows),
                "attended": sum(e.attended is True for e in rows),
                "absent": sum(e.attended is False for e in rows),
            }
        )
    return per_session


def _association_codes(session: Session, campaign_year: int) -> dict[int, list[str]]:
    """Return the recommending associations' codes of each participation."""
    links = session.exec(
        select(Participation.id, Association.code)
        .join(Recommendation, col(Recommendation.unit_id) == col(Participation.unit_id))
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(Participation.campaign_year == campaign_year)
        .where(Recommendation.campaign_year == campaign_year)
    ).all()
    codes: dict[int, list[str]] = {}
    for pid, code in links:
        if pid is not None:
            codes.setdefault(pid, []).append(code)
    return codes


@dataclass
class _SeatsAndAttendance:
    """One (association, session) cell: seats held (not waiting) and units that attended."""

    seats: int = 0
    attended: int = 0


def _per_association(
    enrolments: Sequence[_Mark], codes: dict[int, list[str]]
) -> list[dict[str, str | int]]:
    """Return seats and attendance per (association, session), sorted; `(none)` for no code."""
    cells: dict[tuple[str, str], _SeatsAndAttendance] = {}
    for e in enrolments:
        for code in codes.get(e.participation_id, ["(none)"]):
            cell = cells.setdefault((code, e.session_key), _SeatsAndAttendance())
            cell.seats += e.status != EnrolmentStatus.WAITLISTED
            cell.attended += e.attended is True
    return [
        {"association": code, "session": key, "seats": cell.seats, "attended": cell.attended}
        for (code, key), cell in sorted(cells.items())
    ]
