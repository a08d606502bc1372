"""Training (宣贯培训): seats in sessions and waiting lists.

`allocate_seats` is the plain rule: each new candidate gets the next place in a session, the first
`capacity` places are invited and the rest wait. `enrol_units` is the task that applies it to every
session of the campaign file and saves the enrolments. Attendance: tasks/train/attendance.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.campaign_parts import TrainingSession
from schemas.enums import EnrolmentStatus, ParticipationStatus
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Association, Participation, Recommendation
from schemas.training_tables import TrainingEnrolment
from tasks.common.outgoing import enqueue
from tasks.store import bulk_insert, campaign_session
from tasks.train.mail import training_mails


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


class SessionSeats(BaseModel):
    """Seats of one session after an enrolment run, and what changed in it."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    capacity: int
    invited: int
    waitlisted: int
    newly_invited: list[int]  # participation ids invited in this run (new or moved up)
    newly_waitlisted: list[int]
    mails_queued: int


def candidate_order(rows: Sequence[tuple[int, ParticipationStatus]]) -> list[int]:
    """Order candidates for seats: registered (and later) units first, then by participation id."""
    rank = {s: i for i, s in enumerate(ELIGIBLE)}
    return [pid for pid, status in sorted(rows, key=lambda r: (rank[r[1]] > 1, r[0]))]


def _enrol_session(
    session: Session,
    settings: Settings,
    campaign: CampaignFile,
    training: TrainingSession,
    candidates: list[int],
    as_of: date,
    now: datetime,
) -> SessionSeats:
    campaign_year = campaign.year
    # Plain columns, not TrainingEnrolment objects: every unit's seat is read each day of the
    # train stage, and only the few seats that move are written.
    rows = session.exec(
        select(
            TrainingEnrolment.id,
            TrainingEnrolment.participation_id,
            TrainingEnrolment.position,
            TrainingEnrolment.status,
        )
        .where(TrainingEnrolment.campaign_year == campaign_year)
        .where(TrainingEnrolment.session_key == training.key)
    ).all()
    ids = {pid: row_id for row_id, pid, _, _ in rows}
    existing = [Seat(pid, position, EnrolmentStatus(st)) for _, pid, position, st in rows]
    new, changes = allocate_seats(existing, candidates, training.capacity)
    for status in sorted(set(changes.values())):
        moved_ids = [ids[pid] for pid, to in changes.items() if to == status]
        session.execute(
            sa.update(TrainingEnrolment)
            .where(col(TrainingEnrolment.id).in_(moved_ids))
            .values(status=status, status_changed_at=now)
        )
    bulk_insert(
        session,
        [
            TrainingEnrolment(
                campaign_year=campaign_year,
                session_key=training.key,
                participation_id=s.participation_id,
                status=s.status,
                position=s.position,
                enrolled_on=as_of,
                status_changed_at=now,
            )
            for s in new
        ],
    )
    statuses = [changes.get(seat.participation_id, seat.status) for seat in existing]
    statuses += [s.status for s in new]
    moved = [*((s.participation_id, s.status) for s in new), *changes.items()]
    invited = sorted(p for p, s in moved if s == EnrolmentStatus.INVITED)
    waitlisted = sorted(p for p, s in moved if s == EnrolmentStatus.WAITLISTED)
    queued = enqueue(
        session,
        settings,
        training_mails(session, settings, campaign, training, invited, waitlisted),
    )
    return SessionSeats(
        key=training.key,
        title=training.title,
        capacity=training.capacity,
        invited=statuses.count(EnrolmentStatus.INVITED),
        waitlisted=statuses.count(EnrolmentStatus.WAITLISTED),
        newly_invited=invited,
        newly_waitlisted=waitlisted,
        mails_queued=queued,
    )


@task(name="enrol-units", cache_policy=NO_CACHE)
def enrol_units(settings: Settings, campaign_year: int, as_of: date) -> list[SessionSeats]:
    """Give every taking-part unit a seat or a waiting-list place in each training session.

    Side effects: inserts TrainingEnrolment rows, moves waitlisted units up when seats free up
    or capacity grows, and enqueues the invitations (with the session's .ics) and waiting-list
    notices, in one transaction; writes each session's .ics into the workspace once.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    now = now_utc()
    with campaign_session(settings) as session:
        rows = session.exec(
            select(Participation.id, Participation.status)
            .where(Participation.campaign_year == campaign_year)
            .where(col(Participation.status).in_(ELIGIBLE))
        ).all()
        candidates = candidate_order(
            [(pid, ParticipationStatus(st)) for pid, st in rows if pid is not None]
        )
        return [
            _enrol_session(session, settings, campaign, t, candidates, as_of, now)
            for t in campaign.training.sessions
        ]


@dataclass(frozen=True)
class _Mark:
    """A seat as the attendance tables count it (plain columns, not the ORM row)."""

    participation_id: int
    session_key: str
    status: EnrolmentStatus
    attended: bool | None


def attendance_tables(
    session: Session, campaign_year: int, sessions: Sequence[TrainingSession]
) -> tuple[list[dict[str, str | int]], list[dict[str, str | int]]]:
    """Return attendance counts per session and per (association, session)."""
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
    counts: dict[tuple[str, str], list[int]] = {}
    for e in enrolments:
        for code in codes.get(e.participation_id, ["(none)"]):
            cell = counts.setdefault((code, e.session_key), [0, 0])
            cell[0] += e.status != EnrolmentStatus.WAITLISTED
            cell[1] += e.attended is True
    per_association: list[dict[str, str | int]] = [
        {"association": code, "session": key, "seats": seats, "attended": attended}
        for (code, key), (seats, attended) in sorted(counts.items())
    ]
    return per_session, per_association
