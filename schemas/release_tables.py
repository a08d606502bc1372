"""The closing stages' tables: commendations proposed, the meeting's decision, certificates.

A Commendation is one proposal of the commend flow (an excellent unit, a case in a category, or
a speaker) with the reasons it was chosen; the meeting approves or removes it. A MeetingDecision
is the guiding units' decision as given (in the Prefect UI or by `campaign approve`): the exact
lists, who gave it and when; later versions record a corrected decision. A Certificate is the
release certificate issued to one approved participation, with the sha256 of its PDF so
`campaign verify` can tell a genuine, unchanged file.
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import AutoString, Field, SQLModel

from schemas.commendation import CommendationStatus
from schemas.sqltypes import utc_column


class Commendation(SQLModel, table=True):
    """One proposal of the commend flow: a unit, a case or a speaker, and why."""

    __table_args__ = (
        sa.UniqueConstraint("campaign_year", "participation_id", "kind", "category_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    kind: str = Field(max_length=32)  # excellent_unit | case | speaker
    category_key: str = Field(default="", max_length=64)
    title: str = Field(max_length=200)  # the commendation title printed on the certificate
    case_title: str = Field(default="", max_length=200)
    speaker_name: str = Field(default="", max_length=100)
    rank: int
    reasons: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    proposed_on: date
    # Moves only through schemas/commendation.py move_commendation (proposed/approved/removed).
    status: CommendationStatus = Field(
        default=CommendationStatus.PROPOSED,
        sa_column=sa.Column(AutoString(length=16), nullable=False),
    )


class MeetingDecision(SQLModel, table=True):
    """The guiding units' meeting decision: the release and commendation lists as approved."""

    __tablename__ = "meeting_decision"
    __table_args__ = (sa.UniqueConstraint("campaign_year", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    version: int = 1
    meeting_date: date
    decided_by: str = Field(max_length=200)
    decided_at: datetime = Field(sa_column=utc_column(nullable=False))
    source: str = Field(max_length=16)  # ui | cli
    flow_run_id: str = Field(default="", max_length=64)
    release_list: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    commendation_list: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON)
    )
    removed: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    added: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    pack_fingerprint: str = Field(default="", max_length=64)  # the pack the operator saw
    # The flags the meeting overrode explicitly: USCC -> {"flags": [codes], "reason": text}.
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))


class Certificate(SQLModel, table=True):
    """One issue of a release certificate to an approved participation (append-only history).

    A participation's first certificate is version 1; a re-issue (a corrected name, say) adds
    version 2 with a new number and never changes the row before it, so a PDF the unit holds
    from an earlier issue still verifies, as superseded by the newer number and date.
    """

    __tablename__ = "certificate_issue"
    __table_args__ = (
        sa.UniqueConstraint("campaign_year", "number"),
        sa.UniqueConstraint("campaign_year", "participation_id", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    participation_id: int = Field(foreign_key="participation.id", index=True)
    number: str = Field(max_length=32, index=True)
    stored_path: str = Field(max_length=500)  # relative to the workspace
    sha256: str = Field(max_length=64, index=True)
    data_sha256: str = Field(max_length=64)  # of the printed values: unchanged data, same file
    version: int = 1
    reason: str = Field(default="", max_length=500)  # why this issue (a re-issue says why)
    issued_on: date
    issued_at: datetime = Field(sa_column=utc_column(nullable=False))
