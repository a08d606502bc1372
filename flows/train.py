"""宣贯培训 train: seats in the campaign's training sessions, waiting lists, attendance.

Leaves behind: a seat or a waiting-list place for every taking-part unit in each session of
the campaign file (registered units first), each told by mail (invitations carry an .ics);
attendance from the sign-in sheets in the inbox (workspace/inbox/<year>/attendance/); a
problems report; artifacts of attendance per session and per association and of the sheets'
problems (published by the attendance task). Returns each session's seats and the attendance
counts with the report's path; the tables themselves are in the artifacts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.settings import Settings
from tasks.common.business_day import current_run_label, resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign
from tasks.common.delivery import deliver_outbox
from tasks.common.inbox import ATTENDANCE_KIND, inbox_news, record_inputs
from tasks.train.attendance import AttendanceSummary, ingest_attendance
from tasks.train.enrol import SessionSeats, enrol_units


class TrainSummary(BaseModel):
    """What one train run did."""

    model_config = ConfigDict(frozen=True)

    sessions: list[SessionSeats]
    attendance: AttendanceSummary
    mail_sent: int = 0


@flow(name="train", flow_run_name=stage_run_name("train"))
def train(
    campaign_year: int,
    as_of: date | None = None,
    attendance_files: list[str] | None = None,
) -> TrainSummary:
    """Enrol units in the training sessions and record attendance from the sign-in sheets.

    Sign-in sheets new in the inbox's attendance/ folder are read, or `attendance_files` when
    given.
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    prepare_campaign(settings, campaign_year)
    seats = enrol_units(settings, campaign_year, day)
    sheets = attendance_files or inbox_news(settings, campaign_year).attendance_files
    attendance = ingest_attendance(
        settings, campaign_year, day, sheets, str(Path("reports") / current_run_label())
    )
    record_inputs(settings, campaign_year, ATTENDANCE_KIND, sheets, day)
    queued = sum(s.mails_queued for s in seats)
    delivery = deliver_outbox(settings, campaign_year) if queued else None
    return TrainSummary(
        sessions=seats, attendance=attendance, mail_sent=delivery.sent if delivery else 0
    )
