"""The campaign's tables: who takes part, in which campaign, in what state, with which documents.

SQLModel `table=True` classes do not validate on construction: rows are built from validated
pydantic row models (schemas/rows.py). State changes go through named functions
(schemas/participation.py `transition()`), never by assigning `.status` at a call site.
Review, commendation, meeting and certificate tables live in their own modules as the stages that
own them are built; they reference `participation.id` and `campaign.year` and need no change here.
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schemas.enums import (
    ParticipationStatus,
    Stage,
    SubmissionKind,
    UnitKind,
)
from schemas.sqltypes import enum_column, now_utc, utc_column


class Campaign(SQLModel, table=True):
    """One year's campaign as the database knows it (its plan is the campaign file)."""

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    edition: int
    theme: str
    report_year: int
    stage: Stage = Field(sa_column=enum_column(Stage))
    stage_changed_at: datetime = Field(sa_column=utc_column(nullable=False))


class CampaignStageChange(SQLModel, table=True):
    """An audit row: the campaign moved from one stage to the next (who, when, why)."""

    __tablename__ = "campaign_stage_change"

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    from_stage: Stage = Field(sa_column=enum_column(Stage))
    to_stage: Stage = Field(sa_column=enum_column(Stage))
    as_of: date
    actor: str = Field(max_length=200)
    at: datetime = Field(sa_column=utc_column(nullable=False))
    reason: str = ""


class Association(SQLModel, table=True):
    """An industry association, chamber or guild that recommends units (spans years)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)


class Unit(SQLModel, table=True):
    """A participating organisation, one row per USCC across all years."""

    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: UnitKind = Field(sa_column=enum_column(UnitKind))
    district: str = Field(default="", max_length=50)
    industry: str = Field(default="", max_length=100)
    ownership: str = Field(default="", max_length=50)
    listed: bool = False
    contact_name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    updated_at: datetime = Field(default_factory=now_utc, sa_column=utc_column(nullable=False))


class Recommendation(SQLModel, table=True):
    """One association's recommendation of one unit in one campaign, as the file stated it."""

    __table_args__ = (sa.UniqueConstraint("campaign_year", "association_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    association_id: int = Field(foreign_key="association.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    stated_name: str = Field(max_length=200)
    stated_contact: str = Field(default="", max_length=100)
    stated_email: str = Field(default="", max_length=254)
    source_file: str = Field(max_length=500)
    source_row: int
    position: int  # 1-based order of the unit in the association's list (quota cuts follow it)
    held: bool = False  # over the quota and held for the operator; no participation yet
    recommended_on: date
    # sha256 of the row's validated values: a re-read of the same row changes nothing, so the
    # unit's own later details (its receipt's contact) are not overwritten by an old list.
    content_sha256: str = Field(default="", max_length=64)


class Participation(SQLModel, table=True):
    """One unit taking part in one campaign; `status` moves only through transition()."""

    __table_args__ = (sa.UniqueConstraint("campaign_year", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    status: ParticipationStatus = Field(sa_column=enum_column(ParticipationStatus, index=True))
    status_changed_at: datetime = Field(sa_column=utc_column(nullable=False))
    revision_round: int = 0
    created_on: date


class StageTransition(SQLModel, table=True):
    """An audit row: a participation moved from one status to another (who, when, why)."""

    __tablename__ = "stage_transition"

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int | None = Field(default=None, foreign_key="participation.id", index=True)
    from_status: ParticipationStatus = Field(sa_column=enum_column(ParticipationStatus))
    to_status: ParticipationStatus = Field(sa_column=enum_column(ParticipationStatus))
    actor: str = Field(max_length=200)
    at: datetime = Field(sa_column=utc_column(nullable=False))
    reason: str = ""


class Submission(SQLModel, table=True):
    """One version of one document a unit filed (receipt, form, financials, report PDF)."""

    __table_args__ = (sa.UniqueConstraint("participation_id", "kind", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    kind: SubmissionKind = Field(sa_column=enum_column(SubmissionKind))
    version: int = 1
    stored_path: str = Field(max_length=500)  # relative to the workspace
    original_name: str = Field(default="", max_length=500)
    sha256: str = Field(max_length=64, index=True)
    size: int
    received_on: date  # business date (as_of): the late flag follows it
    received_at: datetime = Field(sa_column=utc_column(nullable=False))
    late: bool = False
    data: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON))
    screening: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON))


class InputFile(SQLModel, table=True):
    """A file the campaign took in from its inbox: which kind, which bytes, when.

    The clock compares the inbox with these rows, so a file is ingested again only when its
    bytes change (or, for a recommendation list, the association list it was read against), and
    an operator can see what was read on which day and what it came to.
    """

    __tablename__ = "input_file"
    __table_args__ = (sa.UniqueConstraint("campaign_year", "kind", "name", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    kind: str = Field(max_length=32)
    name: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    size: int
    ingested_on: date
    ingested_at: datetime = Field(sa_column=utc_column(nullable=False))
    actor: str = Field(max_length=200)
    # what the file came to: taken-in, refused (whole), failed (an error while saving it)
    outcome: str = Field(
        default="taken-in", max_length=16, sa_column_kwargs={"server_default": "taken-in"}
    )
    # sha256 of the association list a recommendation list was read against ("" = none)
    depends_on: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
