"""input ledger: each file's outcome and what it was read against

Issue 24: the ledger records what a file came to (`taken-in`, `refused` whole, `failed`) and the
sha256 of the association list it was read against (`depends_on`), so a list read before its
association list arrived or changed is read again. Rows already there were taken in.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("input_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "outcome",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="taken-in",
            )
        )
        batch_op.add_column(
            sa.Column(
                "depends_on",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("input_file", schema=None) as batch_op:
        batch_op.drop_column("depends_on")
        batch_op.drop_column("outcome")
