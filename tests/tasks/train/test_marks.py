"""Saving attendance marks: seats updated in place, each walk-in added once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from factories import make_uscc
from sqlmodel import select

from schemas.enums import EnrolmentStatus, ParticipationStatus, UnitKind
from schemas.tables import Participation, Unit
from schemas.training_tables import TrainingEnrolment
from tasks.common.campaigns import ensure_campaign
from tasks.store import bulk_insert, session_scope
from tasks.train.marks import AttendanceMark, save_marks


def test_marks_update_seats_and_add_each_walk_in_once(engine, campaign_2024) -> None:
    now = datetime(2024, 10, 20, 2, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now)
        units = [
            Unit(uscc=make_uscc(n), name=f"上海测试{n}有限公司", kind=UnitKind.ENTERPRISE)
            for n in (1, 2)
        ]
        bulk_insert(session, units)
        seated, walking = [
            Participation(
                campaign_year=2024,
                unit_id=u.id,
                status=ParticipationStatus.REGISTERED,
                status_changed_at=now,
                created_on=date(2024, 10, 10),
            )
            for u in units
        ]
        bulk_insert(session, [seated, walking])
        seat = TrainingEnrolment(
            campaign_year=2024,
            session_key="core-topics",
            participation_id=seated.id,
            status=EnrolmentStatus.INVITED,
            position=1,
            enrolled_on=date(2024, 10, 14),
            status_changed_at=now,
            attendee="王芳",
        )
        bulk_insert(session, [seat])
        assert seated.id is not None
        assert walking.id is not None
        ids = (seated.id, walking.id)

    def mark(pid: int, attendee: str, source: str) -> AttendanceMark:
        return AttendanceMark("core-topics", pid, True, attendee, source, walk_in=pid == ids[1])

    with session_scope(engine) as session:
        save_marks(
            session,
            2024,
            [
                mark(ids[0], "", "a.xlsx:2"),
                mark(ids[1], "李明", "a.xlsx:3"),
                mark(ids[1], "", "b:2"),
            ],
            date(2024, 10, 21),
            now,
        )
    with session_scope(engine) as session:
        rows = session.exec(select(TrainingEnrolment).order_by(TrainingEnrolment.position)).all()

    assert [
        (r.participation_id, r.status, r.position, r.attended, r.attendee, r.attendance_source)
        for r in rows
    ] == [
        (ids[0], EnrolmentStatus.INVITED, 1, True, "王芳", "a.xlsx:2"),  # the seat keeps its name
        (ids[1], EnrolmentStatus.WALK_IN, 2, True, "李明", "b:2"),  # one row for two marks
    ]
