"""The text of each report PDF, page by page, and which pages the operators' search may show.

The screening (tasks/submit) extracts every page's text once and stores it here with the report
version it came from; the release (tasks/release/search) marks the pages of each released
unit's decided report `searchable` and puts them into the database's full-text index: an FTS5
table with the trigram tokenizer on SQLite (`report_page_fts`, made by migration 0010, outside
the models), a pg_trgm GIN index over the searchable pages on PostgreSQL. No rule lives here.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Made by migration 0010 and kept out of the models (alembic would otherwise drop them):
FTS_TABLE = "report_page_fts"  # SQLite: FTS5 over report_page.text (external content)
TRIGRAM_INDEX = "ix_report_page_text_trgm"  # PostgreSQL: GIN (text gin_trgm_ops) WHERE searchable


class ReportPage(SQLModel, table=True):
    """One page's extracted text of one report version (a Submission of kind report_pdf)."""

    __tablename__ = "report_page"
    __table_args__ = (sa.UniqueConstraint("submission_id", "page"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    page: int = Field(ge=1)  # 1-based, as a reader counts
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    searchable: bool = Field(default=False, index=True)  # set at release, decided version only


def is_search_index(name: str | None) -> bool:
    """Return whether a database object is part of the full-text index made outside the models
    (the FTS5 table and its shadow tables, the trigram index): alembic leaves them alone. Pure."""
    return bool(name) and (str(name).startswith(FTS_TABLE) or name == TRIGRAM_INDEX)


# A line break between two Chinese characters (or full-width marks) is only where the PDF's
# line ended: 碳达\n峰 is one word to a reader and must be one to the search. One rule for the
# screening that stores a page and the catalogue that reads a PDF the screening never stored.
CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
WRAPPED = re.compile(f"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])")


def searchable_text(text: str) -> str:
    """Return a page's text as stored: NUL characters dropped (PostgreSQL refuses them; some
    fonts extract one before every character), lines wrapped inside Chinese text joined. Pure."""
    return WRAPPED.sub("", text.replace("\x00", "")).strip()
