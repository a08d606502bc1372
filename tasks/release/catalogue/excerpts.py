"""Read the excerpts chosen for the listed units' commended cases (the newest version of each).

The commend stage stores each choice as a version (schemas/case_excerpt_tables.py); the
catalogue shows the newest one of each case commendation, keyed by participation and category,
with the report version it was chosen on, so a choice made on an older version of the report
is not shown against the newer one (tasks/release/catalogue/entries.py). Read-only, one query.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from schemas.case_excerpt_tables import CaseExcerpt
from schemas.catalogue import ChosenExcerpt
from schemas.release_tables import Commendation
from schemas.tables import Participation

__all__ = ["StoredExcerpt", "chosen_excerpts"]


class StoredExcerpt(NamedTuple):
    """A case's current excerpt and the report version (submission id) it was chosen on."""

    submission_id: int
    excerpt: ChosenExcerpt


def chosen_excerpts(session: Session, listed: Any) -> dict[tuple[int, str], StoredExcerpt]:
    """Return (participation id, category key) -> the newest excerpt of each listed unit's case
    commendations; reads. `listed` is the condition on Participation of the listed units."""
    found: dict[tuple[int, str], StoredExcerpt] = {}
    for pid, key, row in session.exec(
        select(Commendation.participation_id, Commendation.category_key, CaseExcerpt)
        .join(Commendation, col(Commendation.id) == col(CaseExcerpt.commendation_id))
        .join(Participation, col(Participation.id) == col(Commendation.participation_id))
        .where(listed)
        .order_by(col(CaseExcerpt.commendation_id), col(CaseExcerpt.version))
    ).all():  # ordered: a case's newest version overwrites the earlier ones
        excerpt = ChosenExcerpt(page=row.page, text=row.text, role=row.role.value)
        found[(pid, key)] = StoredExcerpt(row.submission_id, excerpt)
    return found
