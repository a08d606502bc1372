"""Make the released reports searchable: mark the decided version's pages and index them.

The pages themselves were stored by the screening (report_page, tasks/submit/page_texts.py):
nothing here reads a PDF. A released unit's decided report is its latest report PDF version,
the one the catalogue links. `index_released_now` compares the versions that should be
searchable for a campaign with those that are, marks the difference (`searchable`) and, on
SQLite, adds or deletes the pages in the FTS5 trigram table migration 0010 made; PostgreSQL's
trigram index is partial over `searchable` and follows by itself. Idempotent: a second run
changes nothing. `index_released_reports` is the release flow's task around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, func, select

from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.search_tables import FTS_TABLE, ReportPage
from schemas.settings import Settings
from schemas.tables import Participation, Submission
from tasks.store import campaign_session

__all__ = ["SearchIndexSummary", "decided_reports", "index_released_now", "index_released_reports"]

CHUNK = 500  # submission ids per statement: well under every database's parameter limit


class SearchIndexSummary(BaseModel):
    """What one indexing run changed, and what is searchable for the campaign after it."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    reports_added: int
    reports_removed: int
    reports_searchable: int
    pages_searchable: int


def decided_reports(session: Session, campaign_year: int) -> set[int]:
    """Return the submission ids of the released units' decided reports (latest version)."""
    latest: dict[int, tuple[int, int]] = {}
    for pid, version, sid in session.exec(
        select(Submission.participation_id, Submission.version, Submission.id)
        .join(Participation, col(Participation.id) == col(Submission.participation_id))
        .where(Submission.campaign_year == campaign_year)
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .where(Participation.status == ParticipationStatus.RELEASED)
    ).all():
        if sid is not None and version > latest.get(pid, (0, 0))[0]:
            latest[pid] = (version, sid)
    return {sid for _, sid in latest.values()}


def _searchable_reports(session: Session, campaign_year: int) -> set[int]:
    """Return the submission ids of the campaign whose pages are searchable now."""
    return set(
        session.exec(
            select(ReportPage.submission_id)
            .join(Submission, col(Submission.id) == col(ReportPage.submission_id))
            .where(Submission.campaign_year == campaign_year)
            .where(col(ReportPage.searchable))
            .distinct()
        ).all()
    )


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    """Return the ids sorted and cut into lists of at most CHUNK. Pure."""
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def _mark(session: Session, ids: Sequence[int], searchable: bool) -> None:
    """Set the pages of these submissions searchable (added to FTS5 on SQLite) or not (taken
    out of FTS5 first, with the text it was indexed with, as external content requires)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    for chunk in _chunks(ids):
        pages = select(ReportPage.id, ReportPage.text).where(
            col(ReportPage.submission_id).in_(chunk)
        )
        if sqlite and not searchable:
            session.execute(
                sa.text(
                    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) "
                    "SELECT 'delete', id, text FROM report_page "
                    "WHERE searchable AND submission_id IN :ids"
                ).bindparams(sa.bindparam("ids", expanding=True)),
                {"ids": chunk},
            )
        session.execute(
            sa.update(ReportPage)
            .where(col(ReportPage.submission_id).in_(chunk))
            .values(searchable=searchable)
        )
        if sqlite and searchable:
            session.execute(
                sa.insert(sa.table(FTS_TABLE, sa.column("rowid"), sa.column("text"))).from_select(
                    ["rowid", "text"], pages
                )
            )


def index_released_now(session: Session, campaign_year: int) -> SearchIndexSummary:
    """Make exactly the decided reports of the campaign's released units searchable.

    Side effects, in the caller's session: updates report_page.searchable and, on SQLite, the
    FTS5 table. Reports whose pages were never stored (screened before migration 0010) stay
    unsearchable.
    """
    wanted = decided_reports(session, campaign_year)
    current = _searchable_reports(session, campaign_year)
    _mark(session, sorted(current - wanted), searchable=False)
    _mark(session, sorted(wanted - current), searchable=True)
    session.flush()
    pages = session.exec(
        select(func.count())
        .select_from(ReportPage)
        .join(Submission, col(Submission.id) == col(ReportPage.submission_id))
        .where(Submission.campaign_year == campaign_year, col(ReportPage.searchable))
    ).one()
    return SearchIndexSummary(
        campaign_year=campaign_year,
        reports_added=len(wanted - current),
        reports_removed=len(current - wanted),
        reports_searchable=len(_searchable_reports(session, campaign_year)),
        pages_searchable=int(pages),
    )


@task(name="index-released-reports", cache_policy=NO_CACHE)
def index_released_reports(settings: Settings, campaign_year: int) -> SearchIndexSummary:
    """Make the released units' decided reports searchable (`campaign search`).

    Side effects: one transaction updating report_page and, on SQLite, its FTS5 table.
    """
    with campaign_session(settings) as session:
        return index_released_now(session, campaign_year)
