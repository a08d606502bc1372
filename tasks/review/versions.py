"""Decided versions: a round's outcome copied when it is decided, and the letters it tells.

Deciding a round (tasks/review/decisions.py) writes ReviewDecision version 1 (a copy of the live
ReviewOutcome plus the decision, whether the chair took it, the reason and who decided) in the
same transaction as the status move and the letters, and the letters render from that version
(tasks/review/letters.py). The live outcome keeps moving as late sheets renormalise the experts;
a version never does. A new version comes only through tasks/review/redecide.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from notifications.outbox import OutgoingMail
from schemas.campaign_file import CampaignFile
from schemas.participation import transition
from schemas.review_tables import ReviewDecision, ReviewOutcome
from schemas.tables import Participation, Unit
from tasks.review.chair import ChairRuling, word_detail
from tasks.review.letter_pdf import LetterFiles
from tasks.review.letters import fold_remarks, review_letters
from tasks.review.rules import TARGETS, Decision


@dataclass(frozen=True)
class Move:
    """A decided report: where it goes, the reason (audit row and version), the chair's word."""

    participation: Participation
    unit: Unit
    outcome: ReviewOutcome
    decision: Decision
    reason: str
    chair: ChairRuling | None  # the chair's ruling the decision follows, if it does


def version_of(
    outcome: ReviewOutcome,
    decision: Decision,
    *,
    version: int,
    reason: str,
    chair: ChairRuling | None,
    by: str,
    on: date,
    at: datetime,
) -> ReviewDecision:
    """Return a decided version copying the live outcome's values; pure (nothing saved)."""
    detail = dict(outcome.detail)
    if chair is not None:
        detail["chair"] = word_detail(chair)
    return ReviewDecision(
        campaign_year=outcome.campaign_year,
        participation_id=outcome.participation_id,
        round=outcome.round,
        version=version,
        decision=decision,
        normalised_score=outcome.normalised_score,
        raw_score=outcome.raw_score,
        reviews=outcome.reviews,
        grade=outcome.grade,
        rank=outcome.rank,
        detail=detail,
        by_chair=chair is not None,
        reason=reason,
        decided_on=on,
        decided_by=by,
        decided_at=at,
    )


def apply_decisions(
    session: Session,
    campaign: CampaignFile,
    moves: Sequence[Move],
    actor: str,
    on: date,
    at: datetime,
    files: LetterFiles | None = None,
) -> list[OutgoingMail]:
    """Move each decided report (audit rows), write its version 1; return its letters to send
    (with `files`, each feedback letter is also written as a PDF and attached).

    A round that already has a decided version keeps it (no second version 1) and its letters
    render from it; the outbox's keys make a re-sent letter a no-op.
    """
    pids = [m.participation.id for m in moves]
    existing = {
        (d.participation_id, d.round): d
        for d in session.exec(
            select(ReviewDecision)
            .where(ReviewDecision.campaign_year == campaign.year)
            .where(col(ReviewDecision.participation_id).in_(pids))
            .where(ReviewDecision.version == 1)
        ).all()
    }
    decided: list[ReviewDecision] = []
    for move in moves:
        key = (move.outcome.participation_id, move.outcome.round)
        version = existing.get(key) or version_of(
            move.outcome,
            move.decision,
            version=1,
            reason=move.reason,
            chair=move.chair,
            by=actor,
            on=on,
            at=at,
        )
        session.add(version)
        session.add(
            transition(
                move.participation, TARGETS[move.decision], actor=actor, at=at, reason=move.reason
            )
        )
        decided.append(version)
    remarks = fold_remarks(session, [(d.participation_id, d.round) for d in decided])
    mails: list[OutgoingMail] = []
    for move, version in zip(moves, decided, strict=True):
        mails += review_letters(
            campaign,
            move.unit,
            move.participation,
            version,
            remarks[(version.participation_id, version.round)],
            files=files,
        )
    return mails
