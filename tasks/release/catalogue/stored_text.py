"""Read the text the screening stored for each released report, page by page (report_page).

The intake's screening extracts every page of a report version once and stores it
(tasks/submit/page_texts.py); the site over all years takes the text of a listed unit's
report from there, for the version the catalogue links (its latest report PDF version: the
decided version tasks/release/search_index.py marks searchable). Pages are read whether or not
they are marked searchable yet (the catalogue lists approved units before the release marks
them). A page with no text was not stored and reads as "". Read-only, one query per 500 reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from sqlmodel import Session, col, select

from schemas.search_tables import ReportPage
from tasks.release.catalogue.text import page_text

__all__ = ["CHUNK", "page_list", "stored_pages"]

CHUNK = 500  # submission ids per statement: well under every database's parameter limit


def stored_pages(session: Session, submission_ids: Collection[int]) -> dict[int, dict[int, str]]:
    """Return submission id -> {page number -> stored text} for the reports that have pages
    stored (a report screened before migration 0010 is absent); reads the database."""
    found: dict[int, dict[int, str]] = defaultdict(dict)
    ordered = sorted(set(submission_ids))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        for sid, page, text in session.exec(
            select(ReportPage.submission_id, ReportPage.page, ReportPage.text).where(
                col(ReportPage.submission_id).in_(chunk)
            )
        ).all():
            found[sid][page] = text
    return dict(found)


def page_list(pages: Mapping[int, str], count: int | None = None) -> tuple[str, ...]:
    """Return a report's pages in order (page n is item n - 1), each in the site's shape
    (`page_text`); pages not stored (no text) are "", up to `count` pages or the last stored
    one, whichever is more. Pure."""
    total = max([count or 0, *pages])
    return tuple(page_text(pages.get(n, "")) for n in range(1, total + 1))
