"""outbox: the mail's bodies in a table of their own, apart from its delivery state

Issue 23 (mail speed): a mail's delivery state is rewritten three times as it is delivered
(claimed, handed over, sent), and SQLite rewrites the whole row on every UPDATE, the 5-10 KB of
text and HTML bodies included. The bodies move to `outbox_body` (one row per outbox row, written
when the mail is queued, never changed); the state's row is a few hundred bytes. A new mail's
bodies are also kept as sent (`alternative`: the encoded text + HTML part, written at queue
time so delivery does not encode them again); rows queued before have none and are encoded at
delivery as before.

On SQLite the foreign key is added in a second step: dropping the body columns rebuilds
`outbox_message` (a batch move: copy, drop, rename), and with foreign keys on, dropping a table
that `outbox_body` already referenced would fail.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_outbox_body_outbox_id_outbox_message"


def upgrade() -> None:
    """Apply this revision: create outbox_body, copy every row's bodies, drop the columns."""
    op.create_table(
        "outbox_body",
        sa.Column("outbox_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("alternative", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("outbox_id"),
    )
    op.execute(
        "INSERT INTO outbox_body (outbox_id, body_text, body_html) "
        "SELECT id, body_text, body_html FROM outbox_message"
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("body_html")
        batch_op.drop_column("body_text")
    with op.batch_alter_table("outbox_body", schema=None) as batch_op:
        batch_op.create_foreign_key(_FK, "outbox_message", ["outbox_id"], ["id"])


def downgrade() -> None:
    """Revert this revision: the bodies go back into outbox_message."""
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))
    op.execute(
        "UPDATE outbox_message SET "
        "body_text = (SELECT b.body_text FROM outbox_body b WHERE b.outbox_id = outbox_message.id),"
        " body_html = (SELECT b.body_html FROM outbox_body b WHERE b.outbox_id = outbox_message.id)"
    )
    op.drop_table("outbox_body")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("body_text", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=False)
