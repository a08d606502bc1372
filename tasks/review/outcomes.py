"""Recompute the review's outcomes from the latest reviews and save them, one per report.

Called by the score intake (tasks/review/scores.py) in its transaction, after the new reviews
are added. Reads the latest review of every assignment (plain columns), keeps each report's
newest round with any review, normalises and aggregates them all together
(tasks/review/normalisation.py, tasks/review/aggregation.py) and inserts or updates one
ReviewOutcome per participation and round. Reads no file and publishes nothing: the intake
turns the result into the league table and progress artifacts (tasks/review/league.py). An
outcome is the live computation, which moves as late sheets renormalise every expert; what a
unit was told is the decided version (ReviewDecision, tasks/review/versions.py), which this
module never touches.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple, cast

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.review_tables import Review, ReviewAssignment, Reviewer, ReviewOutcome
from schemas.tables import Participation, Unit
from tasks.review.aggregation import report_outcomes, review_totals
from tasks.review.normalisation import normalise_scores
from tasks.store import fetch_columns


class LatestReview(NamedTuple):
    """The newest review of one assignment: its version and what the expert wrote."""

    version: int
    scores: dict[str, float]
    comment: str
    suggestions: str


class AssignedPair(NamedTuple):
    """One assignment as the outcomes read it: which report, which round, which reviewer."""

    participation_id: int
    round: int
    reviewer_key: str


class ScoresThatCount(NamedTuple):
    """The scores of each report's newest round with a review, and what was expected."""

    scores: pd.DataFrame  # long form: participation_id, reviewer, criterion, score
    expected: list[tuple[int, str]]  # (participation_id, reviewer key) of the rounds that count
    rounds: dict[int, int]  # participation id -> the round that counts


class Aggregation(NamedTuple):
    """What one recomputation gave: the outcomes (empty when no score counts yet), unit names,
    the pairs expected and the scores read (for the progress table)."""

    outcomes: pd.DataFrame
    names: dict[int, str]
    expected: list[tuple[int, str]]
    scores: pd.DataFrame
    usccs: dict[int, str]


def latest_reviews(session: Session, campaign_year: int) -> dict[int, LatestReview]:
    """Return the newest review of every assignment that has one, by assignment id; reads only.

    Plain columns (`fetch_columns`), not Review objects: the review reads every review of the
    campaign on each run (15,000 at 5,000 units).
    """
    latest: dict[int, LatestReview] = {}
    for aid, version, scores, comment, suggestions in fetch_columns(
        session,
        sa.select(
            col(Review.assignment_id),
            col(Review.version),
            col(Review.scores),
            col(Review.comment),
            col(Review.suggestions),
        )
        .where(col(Review.campaign_year) == campaign_year)
        .order_by(col(Review.version)),
    ):
        latest[aid] = LatestReview(version, scores, comment, suggestions)
    return latest


def scores_that_count(session: Session, campaign_year: int) -> ScoresThatCount:
    """Return the scores that count in long form, the (participation, reviewer) pairs of the
    rounds that count, and the round that counts per participation; reads only.

    A report's scores come from its newest round with any review: a revised report re-checked
    in round 1 is scored by its round-1 reviews, every other report keeps its first-round
    scores, and all are normalised together (a reviewer's harshness is measured over all the
    scores they gave).
    """
    by_assignment = {
        aid: AssignedPair(pid, rnd, key)
        for aid, pid, rnd, key in session.exec(
            select(
                ReviewAssignment.id,
                ReviewAssignment.participation_id,
                ReviewAssignment.round,
                Reviewer.key,
            )
            .join(Reviewer, col(Reviewer.id) == col(ReviewAssignment.reviewer_id))
            .where(ReviewAssignment.campaign_year == campaign_year)
        ).all()
    }
    latest = {
        aid: review.scores
        for aid, review in latest_reviews(session, campaign_year).items()
        if aid in by_assignment
    }
    counted: dict[int, int] = {}
    for aid in latest:
        pair = by_assignment[aid]
        counted[pair.participation_id] = max(counted.get(pair.participation_id, 0), pair.round)
    rows = [
        {
            "participation_id": pair.participation_id,
            "reviewer": pair.reviewer_key,
            "criterion": criterion,
            "score": float(score),
        }
        for aid, scores in latest.items()
        if (pair := by_assignment[aid]).round == counted[pair.participation_id]
        for criterion, score in scores.items()
    ]
    frame = pd.DataFrame(rows, columns=["participation_id", "reviewer", "criterion", "score"])
    expected = [
        (p.participation_id, p.reviewer_key)
        for p in by_assignment.values()
        if p.round == counted.get(p.participation_id, 0)
    ]
    return ScoresThatCount(frame, expected, counted)


def outcome_values(row: Mapping[str, Any], as_of: date) -> dict[str, object]:
    """Return the ReviewOutcome fields of one row of `report_outcomes`' frame; pure.

    Not `decided_on`: that is the day the round's outcome was first computed, set once.
    """
    return {
        "normalised_score": float(row["mean_normalised"]),
        "raw_score": float(row["mean_raw"]),
        "reviews": int(row["reviews"]),
        "spread": float(row["spread"]),
        "grade": str(row["grade"]),
        "recommendation": str(row["recommendation"]),
        "rank": int(row["rank"]),
        "detail": {
            "disagreement": bool(row["disagreement"]),
            "short_of_reviews": bool(row["short_of_reviews"]),
            "label": str(row["label"]),
        },
    }


def save_outcomes(
    session: Session,
    campaign_year: int,
    outcomes: pd.DataFrame,
    rounds: dict[int, int],
    as_of: date,
) -> int:
    """Insert or update one ReviewOutcome per participation for the round that counts; flush.

    The live computation only: a decided version (ReviewDecision) is never read or touched
    here, and an updated outcome keeps the day it was first computed (`decided_on`).
    """
    known = {
        (o.participation_id, o.round): o
        for o in session.exec(
            select(ReviewOutcome).where(ReviewOutcome.campaign_year == campaign_year)
        ).all()
    }
    for row in outcomes.to_dict("records"):
        pid = int(row["participation_id"])
        review_round = rounds.get(pid, 0)
        values = outcome_values(cast(dict[str, Any], row), as_of)  # the frame's columns are str
        outcome = known.get((pid, review_round))
        if outcome is None:
            session.add(
                ReviewOutcome(
                    campaign_year=campaign_year,
                    participation_id=pid,
                    round=review_round,
                    decided_on=as_of,
                    **values,  # type: ignore[arg-type]
                )
            )
        else:
            for key, value in values.items():
                setattr(outcome, key, value)
    session.flush()
    return len(outcomes)


def aggregate_outcomes(session: Session, campaign: CampaignFile, as_of: date) -> Aggregation:
    """Recompute and save the outcomes in the caller's transaction; return them with unit
    names, the pairs expected and the scores read."""
    campaign_year = campaign.year
    counted = scores_that_count(session, campaign_year)
    units = [
        (pid, name, uscc)
        for pid, name, uscc in session.exec(
            select(Participation.id, Unit.name, Unit.uscc)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(Participation.campaign_year == campaign_year)
        ).all()
        if pid is not None
    ]
    names = {pid: name for pid, name, _ in units}
    outcomes = pd.DataFrame()
    if not counted.scores.empty:
        totals = review_totals(normalise_scores(counted.scores, campaign.review), campaign.review)
        outcomes = report_outcomes(totals, campaign.review)
        save_outcomes(session, campaign_year, outcomes, counted.rounds, as_of)
    usccs = {pid: uscc for pid, _, uscc in units}
    return Aggregation(outcomes, names, counted.expected, counted.scores, usccs)
