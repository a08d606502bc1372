"""The excerpt chosen for a commended case: which words of the unit's report the public sees.

A commended case (a Commendation of kind `case`) is published with a passage of the unit's own
report that a reviewer (评审专家) or an operator (组委会) chose: the page of the report version it
was chosen on (the decided version, the one the catalogue links) and the text as it stands on that
page. A choice told to the public is a fact, so the table is append-only: a new choice for the
same case is a new version with who, when and why, and never rewrites the one before it. The
rule that accepts an excerpt is schemas/case_excerpts.py's; the commend stage stores the rows
(tasks/commend/excerpts.py) and the catalogue shows the newest version (tasks/release/catalogue).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schemas.case_excerpts import ExcerptRole
from schemas.sqltypes import enum_column, utc_column


class CaseExcerpt(SQLModel, table=True):
    """One version of the excerpt chosen for one case commendation (append-only)."""

    __tablename__ = "case_excerpt"
    __table_args__ = (sa.UniqueConstraint("commendation_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    commendation_id: int = Field(foreign_key="commendation.id", index=True)
    version: int = 1  # 1, 2, ... per commendation; the highest is the current choice
    submission_id: int = Field(foreign_key="submission.id")  # the report version it is on
    page: int = Field(ge=1)  # 1-based, as a reader counts
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # as on the page
    chosen_by: str = Field(max_length=100)  # the person's name
    role: ExcerptRole = Field(sa_column=enum_column(ExcerptRole))
    chosen_at: datetime = Field(sa_column=utc_column(nullable=False))
    source: str = Field(default="", max_length=300)  # cli, or the sheet's file name and row
    recorded_by: str = Field(default="", max_length=100)  # cli:<user>, demo, test
    reason: str = Field(default="", max_length=500)  # why this version replaces the one before
