"""The train flow on the real engine: seats within capacity, waiting list, attendance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from artifactkit import artifact_table
from factories import (
    receipt_row,
    small_campaigns_dir,
    write_associations,
    write_attendance,
    write_recommendations,
    write_xlsx,
)

from schemas.columns import RECEIPTS

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def _mobilized(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, units: int, receipts: bool
) -> None:
    """Take in one association's list of `units` units (receipts from the last two if asked)
    with every training session at capacity 3."""
    from flows.mobilize import mobilize

    monkeypatch.setenv("CAMPAIGN_CAMPAIGNS_DIR", str(small_campaigns_dir(tmp_path, capacity=3)))
    inbox = workspace / "inbox" / "2024"
    write_associations(inbox / "associations.xlsx", ["A001"])
    write_recommendations(inbox / "recommendations" / "A001.xlsx", "A001", range(1, units + 1))
    if receipts:
        rows = [receipt_row(units - 1), receipt_row(units)]
        write_xlsx(inbox / "receipts" / "r.xlsx", rows, RECEIPTS)
    mobilize(2024, as_of=date(2024, 10, 10))


def test_train_seats_registered_units_first_and_records_attendance(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.train import train

    _mobilized(workspace, tmp_path, monkeypatch, units=12, receipts=True)
    sheet = write_attendance(
        tmp_path / "sign-in.xlsx",
        [
            ("standards-writing", 11, "是"),
            ("standards-writing", 12, "否"),
            ("core-topics", 5, "是"),
        ],
    )

    first_state = train(
        2024, as_of=date(2024, 10, 14), attendance_files=[str(sheet)], return_state=True
    )
    again = train(2024, as_of=date(2024, 10, 15), attendance_files=[str(sheet)])
    first = first_state.result()

    seats = {s.key: (s.invited, s.waitlisted) for s in first.sessions}
    assert seats == {
        "standards-writing": (3, 9),
        "management-systems": (3, 9),
        "core-topics": (3, 9),
    }
    assert [s.newly_invited for s in again.sessions] == [0, 0, 0]
    # 12 units x 3 sessions: 9 invitations with the session's .ics, 27 waiting-list notices.
    assert (first.mail_sent, again.mail_sent) == (36, 0)
    invites = sorted((workspace / "attachments" / "2024" / "training").glob("*.ics"))
    assert [p.name for p in invites] == [
        "core-topics.ics",
        "management-systems.ics",
        "standards-writing.ics",
    ]
    # Attendance per session is read where the operator sees it: the run's artifact.
    per_session, _ = artifact_table(
        "training-attendance", flow_run=first_state.state_details.flow_run_id
    )
    by_session = {row["session"]: row for row in per_session}
    assert (
        by_session["standards-writing"]["attended"],
        by_session["standards-writing"]["absent"],
    ) == (1, 1)
    # Unit 5 held a waiting-list place: it attended, which is recorded, and it is no walk-in.
    assert (by_session["core-topics"]["attended"], first.attendance.walk_ins) == (1, 0)
    assert first.attendance.problems_by_code == {}


def test_waitlisted_units_move_up_when_a_session_grows(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlmodel import select

    from flows.train import train
    from schemas.enums import EnrolmentStatus
    from schemas.settings import Settings
    from schemas.training_tables import TrainingEnrolment
    from tasks.store import campaign_session

    _mobilized(workspace, tmp_path, monkeypatch, units=8, receipts=False)
    train(2024, as_of=date(2024, 10, 14))
    small_campaigns_dir(tmp_path, capacity=5)  # the organisers find a bigger room

    grown = train(2024, as_of=date(2024, 10, 16))

    assert {(s.invited, s.waitlisted) for s in grown.sessions} == {(5, 3)}
    assert {s.newly_invited for s in grown.sessions} == {2}
    with campaign_session(Settings()) as session:
        seats = session.exec(
            select(TrainingEnrolment).where(TrainingEnrolment.session_key == "core-topics")
        ).all()
    latest = max(s.status_changed_at for s in seats)
    by_status = {
        status: sorted(s.position for s in seats if s.status == status)
        for status in (EnrolmentStatus.INVITED, EnrolmentStatus.WAITLISTED)
    }
    assert by_status == {
        EnrolmentStatus.INVITED: [1, 2, 3, 4, 5],
        EnrolmentStatus.WAITLISTED: [6, 7, 8],
    }
    # Only the two seats that moved were written by the second run.
    assert sorted(s.position for s in seats if s.status_changed_at == latest) == [4, 5]
    assert (grown.mail_sent, len(grown.sessions)) == (6, 3)
