"""report pages: each report's text per page, and the full-text index over released ones

Issue 28 (operators' search): the screening stores the text it extracted from every page of a
report version (`report_page`); the release marks the decided version's pages `searchable` and
indexes them. SQLite: an FTS5 table with the trigram tokenizer over `report_page.text`
(external content: the index only, the text stays in `report_page`). PostgreSQL: the pg_trgm
extension (installed into `public` when missing, so a scratch schema's drop never takes it along)
and a GIN trigram index over the searchable pages, which serves ILIKE '%词%' for Chinese (the
`simple` text-search configuration keeps a whole run of Chinese as one token: useless here). A
PostgreSQL without pg_trgm still searches, by a scan.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TABLE = "report_page_fts"
TRIGRAM_INDEX = "ix_report_page_text_trgm"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "report_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("searchable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "page"),
    )
    with op.batch_alter_table("report_page", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_page_searchable"), ["searchable"])
        batch_op.create_index(batch_op.f("ix_report_page_submission_id"), ["submission_id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, content='report_page', "
            "content_rowid='id', tokenize='trigram')"
        )
    elif bind.dialect.name == "postgresql":
        _trigram_index(bind)


def _trigram_index(bind: sa.Connection) -> None:
    """Create pg_trgm (in public) when missing and the GIN index; skip both if unavailable."""
    schema = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar()
    if schema is None:
        savepoint = bind.begin_nested()
        try:
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        except sa.exc.DBAPIError:  # not installed on this server, or not allowed: scan instead
            savepoint.rollback()
            return
        savepoint.commit()
        schema = "public"
    op.execute(
        f'CREATE INDEX {TRIGRAM_INDEX} ON report_page USING gin (text "{schema}".gin_trgm_ops) '
        "WHERE searchable"
    )


def downgrade() -> None:
    """Revert this revision (pg_trgm stays: other databases' objects may use it)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    with op.batch_alter_table("report_page", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_page_submission_id"))
        batch_op.drop_index(batch_op.f("ix_report_page_searchable"))
    op.drop_table("report_page")
