"""recommendation content hash

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import schemas.sqltypes

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sqlmodel.sql.sqltypes, schemas.sqltypes)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "content_sha256",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",  # rows from before this revision: treated as changed once
            )
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_column("content_sha256")
