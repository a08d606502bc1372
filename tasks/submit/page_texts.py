"""Keep the text the screening extracted from each page of a new report version.

The screen (tasks/submit/pdf/read.py) reads every page once; the text comes back with its
result (`ScreenResult.page_texts`, never part of the stored JSON) and is saved here as one
`report_page` row per page, in the transaction that saves the version. The release makes the
decided version's pages searchable (tasks/release/search_index.py); nothing here reads a PDF.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from schemas.screening import ScreenResult
from schemas.search_tables import ReportPage, searchable_text
from schemas.tables import Submission
from tasks.store import bulk_insert

__all__ = ["page_rows", "save_page_texts", "searchable_text"]


def page_rows(submission_id: int, texts: Sequence[str]) -> list[ReportPage]:
    """Return one row per page that has text, numbered from 1 (`searchable_text`). Pure."""
    rows = []
    for number, text in enumerate(texts, start=1):
        clean = searchable_text(text)
        if clean:
            rows.append(ReportPage(submission_id=submission_id, page=number, text=clean))
    return rows


def save_page_texts(
    session: Session, versions: Sequence[Submission], results: dict[str, ScreenResult]
) -> int:
    """Add the page texts of saved report versions (ids assigned) to the caller's session.

    `results` maps a file name (Submission.original_name) to its screen result. Returns the
    number of pages added.
    """
    rows: list[ReportPage] = []
    for sub in versions:
        result = results.get(sub.original_name)
        if sub.id is not None and result is not None:
            rows.extend(page_rows(sub.id, result.page_texts))
    bulk_insert(session, rows)
    return len(rows)
