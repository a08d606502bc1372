"""The review stage's tables: the reviewer roster, assignments, reviews and their outcome.

Reviewers belong to one campaign (the roster changes every year). An assignment ties one
reviewer to one participation for one review round and says why it was chosen; a review holds
the scores a reviewer returned for an assignment; the outcome is the aggregated result of a
round. Rows are built from validated values; nothing here validates on construction.
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schemas.sqltypes import utc_column


class Reviewer(SQLModel, table=True):
    """One expert on a campaign's roster: expertise, capacity and declared conflicts."""

    __table_args__ = (sa.UniqueConstraint("campaign_year", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    key: str = Field(max_length=254)  # the normalised email address
    name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    employer: str = Field(default="", max_length=200)
    industries: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    topics: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    max_load: int
    conflict_associations: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    conflict_units: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    source_file: str = Field(default="", max_length=500)
    source_row: int = 0


class ReviewAssignment(SQLModel, table=True):
    """One reviewer assigned to one participation in one review round, and why."""

    __tablename__ = "review_assignment"
    __table_args__ = (
        sa.UniqueConstraint("campaign_year", "participation_id", "reviewer_id", "round"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    reviewer_id: int = Field(foreign_key="reviewer.id", index=True)
    round: int = 0  # 0 = first review; 1.. = re-check after a revision
    reasons: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    assigned_on: date
    assigned_at: datetime = Field(sa_column=utc_column(nullable=False))
    # The expert is recorded absent for this report and round (no sheet will come): the round
    # is decided without them. Who recorded it, when and why; None while the expert is expected.
    absent_on: date | None = None
    absent_by: str = Field(default="", max_length=200)
    absent_reason: str = Field(default="", max_length=500)


class Review(SQLModel, table=True):
    """The scores a reviewer returned for one assignment (the latest sheet wins; versions kept)."""

    __table_args__ = (sa.UniqueConstraint("assignment_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    assignment_id: int = Field(foreign_key="review_assignment.id", index=True)
    version: int = 1
    scores: dict[str, float] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    comment: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    suggestions: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    received_on: date
    received_at: datetime = Field(sa_column=utc_column(nullable=False))
    sheet_sha256: str = Field(default="", max_length=64)


class ReviewOutcome(SQLModel, table=True):
    """The aggregated result of one review round for one participation: the live computation,
    recomputed as sheets come in; what a unit was told is a ReviewDecision."""

    __tablename__ = "review_outcome"
    __table_args__ = (sa.UniqueConstraint("campaign_year", "participation_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    round: int = 0
    normalised_score: float
    raw_score: float
    reviews: int
    spread: float
    grade: str = Field(default="", max_length=50)
    recommendation: str = Field(max_length=32)  # pass, revise, reject, needs_chair
    rank: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    # The day this round's outcome was first computed (a computed-on date, kept when the outcome
    # is recomputed): not a decision. The decision and its day are the ReviewDecision's.
    decided_on: date


class ReviewDecision(SQLModel, table=True):
    """One decided version of a review round's outcome: what the unit was told, never rewritten.

    The ReviewOutcome row is the live computation (it moves as sheets come in and every
    expert is renormalised); a ReviewDecision copies the outcome on the day the round is
    decided and is what the letters, the meeting pack, the commendation ranking, the
    certificates, the catalogue and the statistics read. Later evidence makes a new version
    (version + 1) only through an explicit step (the chair or an operator, `decided_by` and
    `reason` say who and why), which re-notifies whoever was told the earlier version.
    """

    __tablename__ = "review_decision"
    __table_args__ = (sa.UniqueConstraint("campaign_year", "participation_id", "round", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    round: int = 0
    version: int = 1
    decision: str = Field(max_length=16)  # pass | revise | reject
    normalised_score: float
    raw_score: float
    reviews: int
    grade: str = Field(default="", max_length=50)
    rank: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    by_chair: bool = False
    reason: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    decided_on: date
    decided_by: str = Field(max_length=200)
    decided_at: datetime = Field(sa_column=utc_column(nullable=False))


class PerformanceEvaluation(SQLModel, table=True):
    """The 绩效评价 of one participation: indicators computed from its forms and financials.

    `indicators` maps an indicator key to {"value": number | None, "flag": bool | None,
    "basis": what it was computed from, or why it could not be}; `flags` lists the keys whose
    flag is raised (e.g. revenue fell). `inputs_sha256` fingerprints the filings it was computed
    from, so an unchanged unit is not evaluated twice.
    """

    __tablename__ = "performance_evaluation"
    __table_args__ = (sa.UniqueConstraint("campaign_year", "participation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    indicators: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    flags: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    computed: int = 0  # how many indicators had the data they need
    evaluated_on: date
    inputs_sha256: str = Field(default="", max_length=64)
