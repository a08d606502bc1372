"""case excerpts: the passage of a commended case's report chosen for the public

Issue 28 (the case library): a reviewer (评审专家) or an operator (组委会) chooses the excerpt a
commended case is published with: the page of the decided report version and the text as it
stands there. Append-only, one version per choice (`case_excerpt`, unique per commendation and
version), with who chose it, in which role, when and, for a later version, why.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "case_excerpt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("commendation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("chosen_by", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["campaign_year"], ["campaign.year"]),
        sa.ForeignKeyConstraint(["commendation_id"], ["commendation.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commendation_id", "version"),
    )
    with op.batch_alter_table("case_excerpt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_excerpt_campaign_year"), ["campaign_year"])
        batch_op.create_index(batch_op.f("ix_case_excerpt_commendation_id"), ["commendation_id"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("case_excerpt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_excerpt_commendation_id"))
        batch_op.drop_index(batch_op.f("ix_case_excerpt_campaign_year"))
    op.drop_table("case_excerpt")
