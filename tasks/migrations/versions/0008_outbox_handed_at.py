"""outbox: when a claimed message was handed to the server

Delivery contract (issue 23): a deliverer marks a small group of claimed rows `handed_at` just
before it hands them to the SMTP server. Recovering an expired lease makes only those rows
ambiguous; rows never handed over go back to the queue without counting an attempt.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import schemas.sqltypes

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sqlmodel.sql.sqltypes, schemas.sqltypes)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handed_at", schemas.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("handed_at")
