"""Saving the commend stage's proposal: the campaign's `proposed` Commendation rows.

`save_proposal` makes the stored proposal equal a new selection in the caller's session: new
selections are inserted, changed ones updated, those no longer selected deleted; rows the meeting
already approved or removed are never touched. It does not commit, read files or publish
anything; the task that calls it is tasks/commend/proposal.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from schemas.commendation import CommendationStatus
from schemas.release_tables import Commendation
from tasks.commend.select import Selection

PROPOSED = CommendationStatus.PROPOSED

CommendationKey = tuple[int, str, str]  # participation, kind, category: one stored row


class SaveCounts(BaseModel):
    """How the stored proposal changed."""

    model_config = ConfigDict(frozen=True)

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept: int = 0


def _proposed_row(campaign_year: int, s: Selection, as_of: date) -> Commendation:
    """Return a new `proposed` Commendation row for a selection. Pure."""
    return Commendation(
        campaign_year=campaign_year,
        participation_id=s.participation_id,
        kind=s.kind.value,
        category_key=s.category_key,
        proposed_on=as_of,
        status=PROPOSED,
        **_shown_values(s),
    )


def _shown_values(s: Selection) -> dict[str, Any]:
    """Return the stored fields a selection sets (title, case title, rank, reasons). Pure."""
    return {
        "title": s.title,
        "case_title": s.case_title,
        "rank": s.rank,
        "reasons": list(s.reasons),
    }


def save_proposal(
    session: Session, campaign_year: int, selections: Sequence[Selection], as_of: date
) -> SaveCounts:
    """Make the campaign's `proposed` rows equal the selections; decided rows stay as they are.

    A proposed row whose title, case title, rank and reasons are unchanged keeps its id and its
    `proposed_on`; a proposed row no longer selected is deleted. Writes in the caller's session.
    """
    rows = session.exec(
        select(Commendation).where(Commendation.campaign_year == campaign_year)
    ).all()
    stored = {(r.participation_id, r.kind, r.category_key): r for r in rows}
    wanted: set[CommendationKey] = set()
    counts: Counter[str] = Counter()
    for s in selections:
        key = (s.participation_id, s.kind.value, s.category_key)
        wanted.add(key)
        row = stored.get(key)
        values = _shown_values(s)
        if row is None:
            session.add(_proposed_row(campaign_year, s, as_of))
            counts["inserted"] += 1
        elif row.status != PROPOSED:
            counts["kept"] += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            counts["unchanged"] += 1
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.proposed_on = as_of
            counts["updated"] += 1
    for key, row in stored.items():
        if row.status == PROPOSED and key not in wanted:
            session.delete(row)
            counts["deleted"] += 1
    session.flush()
    return SaveCounts(**counts)
