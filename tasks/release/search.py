"""Search the released reports' pages: the query behind `campaign search`.

Each whitespace-separated word of the query must occur in the page (all words, any order,
case-insensitive for Latin letters). On SQLite a word of three characters or more is looked up
in the FTS5 trigram table; the trigram tokenizer cannot look up one or two characters (碳, 减排),
so such a word falls back to LIKE over the same searchable pages. On PostgreSQL every word is an
ILIKE, which the trigram index over the searchable pages serves from three characters on.
Results rank by how often the first word occurs on the page, then newest year, unit, page.
The excerpt is cut around the first hit and split into plain and hit segments (`Excerpt`), so a
caller renders the highlight in its own markup and escapes the rest. Reads only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from schemas.search_tables import FTS_TABLE, ReportPage
from schemas.tables import Participation, Submission, Unit

__all__ = ["Excerpt", "SearchHit", "SearchQuery", "excerpt", "search_pages", "words_of"]

TRIGRAM = 3  # the shortest word the FTS5 trigram tokenizer can look up
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchQuery:
    """What an operator asked: the words and the optional filters."""

    words: tuple[str, ...]
    year: int | None = None
    topic: str | None = None  # a campaign topic's key or name (covered per the screening)
    industry: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class Excerpt:
    """A stretch of page text as segments: (text, is_hit), with … where it was cut."""

    segments: tuple[tuple[str, bool], ...] = field(default_factory=tuple)

    @property
    def plain(self) -> str:
        """Return the excerpt's text without marks."""
        return "".join(text for text, _ in self.segments)


@dataclass(frozen=True)
class SearchHit:
    """One page that matched: whose report, which year and page, and the excerpt."""

    unit_name: str
    uscc: str
    year: int
    page: int
    hits: int
    excerpt: Excerpt


def words_of(text: str) -> tuple[str, ...]:
    """Return the query's words: split on whitespace, duplicates dropped, in order. Pure."""
    return tuple(dict.fromkeys(w for w in SPACES.split(text.strip()) if w))


def excerpt(text: str, words: Sequence[str], width: int = 40) -> Excerpt:
    """Return up to `width` characters either side of the first hit, every word's hits marked
    and white space collapsed; the page's start when no word occurs. Pure."""
    flat = SPACES.sub(" ", text).strip()
    pattern = re.compile("|".join(re.escape(w) for w in words if w), re.IGNORECASE)
    first = pattern.search(flat) if words else None
    start = max(0, first.start() - width) if first else 0
    end = min(len(flat), (first.end() if first else 0) + width)
    window = flat[start:end]
    segments: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    at = 0
    for m in pattern.finditer(window) if words else ():
        if m.start() > at:
            segments.append((window[at : m.start()], False))
        segments.append((m.group(0), True))
        at = m.end()
    if at < len(window):
        segments.append((window[at:], False))
    if end < len(flat):
        segments.append(("…", False))
    return Excerpt(tuple(segments))


def _like(word: str) -> str:
    """Return a LIKE pattern that finds `word` anywhere, its wildcards escaped. Pure."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _word_condition(word: str, sqlite: bool) -> Any:
    """Return the condition that a page holds `word`: FTS5 where it can look it up, else LIKE."""
    if sqlite and len(word) >= TRIGRAM:
        phrase = '"' + word.replace('"', '""') + '"'
        fts = sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase")
        return col(ReportPage.id).in_(fts.bindparams(phrase=phrase))
    if sqlite:  # SQLite's LIKE ignores ASCII case already; ilike would lower() every page
        return col(ReportPage.text).like(_like(word), escape="\\")
    return col(ReportPage.text).ilike(_like(word), escape="\\")


def _covering(session: Session, query: SearchQuery) -> list[int]:
    """Return the searchable reports whose screening found the query's topic covered."""
    searchable = select(ReportPage.submission_id).where(col(ReportPage.searchable))
    statement = select(Submission.id, Submission.screening).where(
        col(Submission.id).in_(searchable)
    )
    if query.year is not None:
        statement = statement.where(col(Submission.campaign_year) == query.year)
    out = []
    for sid, screening in session.exec(statement).all():
        topics = (screening or {}).get("topics") or []
        if sid is not None and any(
            t.get("covered") and query.topic in (t.get("key"), t.get("name")) for t in topics
        ):
            out.append(sid)
    return out


def search_pages(session: Session, query: SearchQuery) -> list[SearchHit]:
    """Return the best `query.limit` searchable pages holding every word of the query."""
    if not query.words:
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    first = query.words[0].lower()
    hits = (
        sa.func.length(ReportPage.text)
        - sa.func.length(sa.func.replace(sa.func.lower(ReportPage.text), first, ""))
    ) / len(first)
    statement = (
        sa.select(
            col(ReportPage.text),
            col(ReportPage.page),
            col(Submission.campaign_year),
            col(Unit.name),
            col(Unit.uscc),
            hits,
        )
        .join(Submission, col(Submission.id) == col(ReportPage.submission_id))
        .join(Participation, col(Participation.id) == col(Submission.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(col(ReportPage.searchable))
        .where(*(_word_condition(w, sqlite) for w in query.words))
    )
    if query.year is not None:
        statement = statement.where(col(Submission.campaign_year) == query.year)
    if query.industry:
        statement = statement.where(col(Unit.industry) == query.industry)
    if query.topic:
        statement = statement.where(col(Submission.id).in_(_covering(session, query) or [-1]))
    statement = statement.order_by(
        hits.desc(), col(Submission.campaign_year).desc(), col(Unit.uscc), col(ReportPage.page)
    ).limit(query.limit)
    return [
        SearchHit(name, uscc, year, page, int(n), excerpt(text, query.words))
        for text, page, year, name, uscc, n in session.execute(statement).all()
    ]
