"""Training (宣贯培训): which unit holds a seat in which session, and whether it attended.

Sessions themselves are defined in the campaign file (`[[training.sessions]]`, by key); a row
here is one unit's enrolment in one session. Seats go in enrolment order: the first `capacity`
enrolments are invited, the rest wait; attendance comes from the sheets operators import.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schemas.enums import EnrolmentStatus
from schemas.sqltypes import enum_column, utc_column


class TrainingEnrolment(SQLModel, table=True):
    """One unit's seat (or waiting-list place) in one training session, and its attendance."""

    __tablename__ = "training_enrolment"
    __table_args__ = (sa.UniqueConstraint("campaign_year", "session_key", "participation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    session_key: str = Field(max_length=64, index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    status: EnrolmentStatus = Field(sa_column=enum_column(EnrolmentStatus))
    position: int  # enrolment order within the session; seats follow it
    enrolled_on: date
    status_changed_at: datetime = Field(sa_column=utc_column(nullable=False))
    attended: bool | None = None
    attendee: str = Field(default="", max_length=100)
    attendance_source: str = Field(default="", max_length=500)  # file and row it came from
