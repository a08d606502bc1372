"""Inputs for the review score aggregation tests (tests/tasks/review/test_aggregation*.py): the
grades, a criterion, a review section, and tiny score and total frames."""

from __future__ import annotations

import pandas as pd

from schemas.campaign_parts import Criterion, Grade, Review
from tasks.review.aggregation import SCORE_COLUMNS

GRADES = [
    Grade(stars=5, name="五星级", label="卓越", min_score=90.0),
    Grade(stars=4, name="四星半级", label="领先", min_score=80.0),
    Grade(stars=3, name="四星级", label="优秀", min_score=70.0),
    Grade(stars=2, name="三星级", label="良好", min_score=60.0),
    Grade(stars=1, name="二星级", label="发展", min_score=0.0),
]


def criterion(key: str, weight: float, low: float = 0.0, high: float = 100.0) -> Criterion:
    return Criterion(key=key, name=key, name_en=key, weight=weight, min=low, max=high)


def review_of(
    *criteria: Criterion,
    reviewers_per_report: int = 3,
    disagreement_spread: float = 20.0,
    pass_score: float = 60.0,
) -> Review:
    return Review(
        reviewers_per_report=reviewers_per_report,
        max_revision_rounds=1,
        disagreement_spread=disagreement_spread,
        pass_score=pass_score,
        criteria=list(criteria) or [criterion("quality", 1.0)],
        grades=GRADES,
    )


def scores_frame(rows: list[tuple[int, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def totals_frame(rows: list[tuple[int, str, float, float]]) -> pd.DataFrame:
    """(participation_id, reviewer, raw_total, normalised_total) rows."""
    return pd.DataFrame(
        rows, columns=["participation_id", "reviewer", "raw_total", "normalised_total"]
    )
