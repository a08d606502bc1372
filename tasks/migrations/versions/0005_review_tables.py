"""review tables

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import schemas.sqltypes

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sqlmodel.sql.sqltypes, schemas.sqltypes)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "reviewer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("employer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("max_load", sa.Integer(), nullable=False),
        sa.Column("conflict_associations", sa.JSON(), nullable=True),
        sa.Column("conflict_units", sa.JSON(), nullable=True),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_year"],
            ["campaign.year"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_year", "key"),
    )
    with op.batch_alter_table("reviewer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviewer_campaign_year"), ["campaign_year"], unique=False
        )

    op.create_table(
        "review_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("participation_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("assigned_at", schemas.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_year"],
            ["campaign.year"],
        ),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["participation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_year", "participation_id", "reviewer_id", "round"),
    )
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_assignment_campaign_year"), ["campaign_year"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_assignment_participation_id"), ["participation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_assignment_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "review_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("participation_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("normalised_score", sa.Float(), nullable=False),
        sa.Column("raw_score", sa.Float(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("spread", sa.Float(), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("recommendation", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_year"],
            ["campaign.year"],
        ),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["participation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_year", "participation_id", "round"),
    )
    with op.batch_alter_table("review_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_outcome_campaign_year"), ["campaign_year"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_outcome_participation_id"), ["participation_id"], unique=False
        )

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("suggestions", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_at", schemas.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sheet_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["review_assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["campaign_year"],
            ["campaign.year"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "version"),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_campaign_year"), ["campaign_year"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_campaign_year"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_id"))

    op.drop_table("review")
    with op.batch_alter_table("review_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_outcome_participation_id"))
        batch_op.drop_index(batch_op.f("ix_review_outcome_campaign_year"))

    op.drop_table("review_outcome")
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignment_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_participation_id"))
        batch_op.drop_index(batch_op.f("ix_review_assignment_campaign_year"))

    op.drop_table("review_assignment")
    with op.batch_alter_table("reviewer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewer_campaign_year"))

    op.drop_table("reviewer")
