"""The train stage's enrolment task: a seat or a waiting-list place for every taking-part unit.

`enrol_units` reads the eligible participations and each session's stored seats, applies the
rule (tasks/train/seats.py `allocate_seats`), saves the new seats and the status changes, and
enqueues the invitations (with the session's .ics) and waiting-list notices, in one transaction.
It returns the seats of each session and what changed in them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

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
from schemas.tables import Participation
from schemas.training_tables import TrainingEnrolment
from tasks.common.outgoing import enqueue
from tasks.store import bulk_insert, campaign_session
from tasks.train.mail import training_mails
from tasks.train.seats import ELIGIBLE, Candidate, Seat, allocate_seats, candidate_order


class SessionSeats(BaseModel):
    """Seats of one session after an enrolment run, and what changed in it."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    capacity: int
    invited: int
    waitlisted: int
    newly_invited: int  # units invited in this run (new or moved up from the waiting list)
    newly_waitlisted: int
    mails_queued: int


class StoredSeats(NamedTuple):
    """A session's stored enrolments as the allocation sees them, and their row ids."""

    seats: list[Seat]
    row_ids: dict[int, int]  # participation id -> TrainingEnrolment id


def _stored_seats(session: Session, campaign_year: int, session_key: str) -> StoredSeats:
    """Read one session's enrolments as plain columns, not TrainingEnrolment objects.

    Every unit's seat is read each day of the train stage, and only the few seats that move
    are written.
    """
    rows = session.exec(
        select(
            TrainingEnrolment.id,
            TrainingEnrolment.participation_id,
            TrainingEnrolment.position,
            TrainingEnrolment.status,
        )
        .where(TrainingEnrolment.campaign_year == campaign_year)
        .where(TrainingEnrolment.session_key == session_key)
    ).all()
    return StoredSeats(
        seats=[Seat(pid, position, EnrolmentStatus(st)) for _, pid, position, st in rows],
        row_ids={pid: row_id for row_id, pid, _, _ in rows if row_id is not None},
    )


def _save_seats(
    session: Session,
    campaign_year: int,
    session_key: str,
    new: Sequence[Seat],
    changes: dict[int, EnrolmentStatus],
    row_ids: dict[int, int],
    as_of: date,
    now: datetime,
) -> None:
    """Insert the new seats and move the seats whose status changed, one UPDATE per status."""
    for status in sorted(set(changes.values())):
        moved_ids = [row_ids[pid] for pid, to in changes.items() if to == status]
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
                session_key=session_key,
                participation_id=s.participation_id,
                status=s.status,
                position=s.position,
                enrolled_on=as_of,
                status_changed_at=now,
            )
            for s in new
        ],
    )


def _enrol_session(
    session: Session,
    settings: Settings,
    campaign: CampaignFile,
    training: TrainingSession,
    candidates: list[int],
    as_of: date,
    now: datetime,
) -> SessionSeats:
    """Seat the candidates in one session, save the seats and enqueue their mail. Writes."""
    stored = _stored_seats(session, campaign.year, training.key)
    new, changes = allocate_seats(stored.seats, candidates, training.capacity)
    _save_seats(session, campaign.year, training.key, new, changes, stored.row_ids, as_of, now)
    statuses = [changes.get(seat.participation_id, seat.status) for seat in stored.seats]
    statuses += [s.status for s in new]
    moved = [*((s.participation_id, s.status) for s in new), *changes.items()]
    invited = sorted(p for p, s in moved if s == EnrolmentStatus.INVITED)
    waitlisted = sorted(p for p, s in moved if s == EnrolmentStatus.WAITLISTED)
    queued = enqueue(
        session,
        settings,
        training_mails(session, settings, campaign, training, invited, waitlisted),
        business_day=as_of,
    )
    return SessionSeats(
        key=training.key,
        title=training.title,
        capacity=training.capacity,
        invited=statuses.count(EnrolmentStatus.INVITED),
        waitlisted=statuses.count(EnrolmentStatus.WAITLISTED),
        newly_invited=len(invited),
        newly_waitlisted=len(waitlisted),
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
            [Candidate(pid, ParticipationStatus(st)) for pid, st in rows if pid is not None]
        )
        return [
            _enrol_session(session, settings, campaign, t, candidates, as_of, now)
            for t in campaign.training.sessions
        ]
