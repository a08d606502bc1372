"""The decided review outcome of each participation: the version the unit was told.

A review round's outcome is decided once (tasks/review/decisions.py writes a ReviewDecision
version 1) and changes only through an explicit new version (the chair or an operator). Every
reader of "how the review ended" (the meeting pack, the commendation ranking, certificates,
the catalogue, the statistics, the audit) reads it here, never the live ReviewOutcome, which
moves as late sheets renormalise the experts.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from schemas.review_tables import ReviewDecision


def decided_outcomes(
    session: Session, campaign_year: int, participation_ids: Collection[int] | None = None
) -> dict[int, ReviewDecision]:
    """Return the newest decided version of each participation's newest decided round; reads.

    Participations whose review was never decided are absent. `participation_ids` limits the
    read to those participations (None: the whole campaign).
    """
    query = (
        select(ReviewDecision)
        .where(ReviewDecision.campaign_year == campaign_year)
        .order_by(col(ReviewDecision.round), col(ReviewDecision.version))
    )
    if participation_ids is not None:
        query = query.where(col(ReviewDecision.participation_id).in_(list(participation_ids)))
    latest: dict[int, ReviewDecision] = {}
    for decision in session.exec(query).all():
        latest[decision.participation_id] = decision  # ordered: the last one is the newest
    return latest
