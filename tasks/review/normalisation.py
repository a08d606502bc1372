"""Reviewer-harshness normalisation (评委宽严尺度校正): every reviewer's scores on one scale.

For each criterion, a reviewer's raw scores are z-scored against that reviewer's own mean and
standard deviation, then mapped onto the criterion's scale with the pooled mean and pooled
standard deviation of the reviewers being rescaled, and clipped to the criterion's [min, max].
A reviewer with fewer than `min_reports` scores for a criterion, or with no variance in them, is
left raw for that criterion and takes no part in the pooling. The method, its rationale and its
limits, with a worked example, are in docs/review-scoring.md.

Plain pandas functions: no database, no Prefect, no files. Weighted totals and per-report
outcomes are in tasks/review/aggregation.py.
"""

from __future__ import annotations

from typing import Final

import numpy as np

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd

from schemas.campaign_parts import Review
from tasks.review.aggregation import (
    SCORE_COLUMNS,
    ScoreInputError,
    check_scores,
    criteria_frame,
    in_order,
)

MIN_REPORTS: Final = 3
# A standard deviation at or below this share of the criterion's width counts as none (floats).
FLAT_TOLERANCE: Final = 1e-9

PAIR: Final = ["reviewer", "criterion"]


def reviewer_scales(
    scores: pd.DataFrame, review: Review, *, min_reports: int = MIN_REPORTS
) -> pd.DataFrame:
    """Return each reviewer's scale per criterion: reports, mean, sd and basis, sorted.

    sd is the sample standard deviation (n - 1). basis is `too_few_reports` when the reviewer
    scored fewer than `min_reports` reports, else `no_variance` when sd is (numerically) zero,
    else `rescaled`. Columns: reviewer, criterion, reports, mean, sd, basis.
    """
    if min_reports < 2:
        raise ScoreInputError(min_reports, "min_reports must be at least 2 (an sd needs two)")
    check_scores(scores, review)
    scales = (
        in_order(scores, [*PAIR, "participation_id"])
        .groupby(PAIR, sort=True)["score"]
        .agg(["size", "mean", "std"])
        .reset_index()
        .rename(columns={"size": "reports", "std": "sd"})
    )
    scales["reports"] = scales["reports"].astype("int64")
    bounds = criteria_frame(review).set_index("criterion")
    width = scales["criterion"].map(bounds["high"] - bounds["low"])
    few = scales["reports"] < min_reports
    flat = scales["sd"].fillna(0.0) <= FLAT_TOLERANCE * width
    basis = np.select([few, flat], ["too_few_reports", "no_variance"], default="rescaled")
    scales["basis"] = pd.Series(basis, index=scales.index, dtype="str")
    return scales.reset_index(drop=True)


def pooled_scales(scales: pd.DataFrame) -> pd.DataFrame:
    """Return per criterion the pooled mean and sd of the rescaled reviewers, sorted.

    pooled_mean is the mean of all their scores (sum of reports x mean over sum of reports);
    pooled_sd is the pooled within-reviewer standard deviation, the square root of the sum of
    (reports - 1) x sd squared over the sum of (reports - 1). A criterion without a rescaled
    reviewer has no row. Columns: criterion, reviewers, pooled_mean, pooled_sd.
    """
    used = scales[scales["basis"] == "rescaled"]
    sums = pd.DataFrame(
        {
            "criterion": used["criterion"],
            "reviewers": 1,
            "reports": used["reports"],
            "score_sum": used["reports"] * used["mean"],
            "squares": (used["reports"] - 1) * used["sd"] ** 2,
            "freedom": used["reports"] - 1,
        }
    )
    pooled = sums.groupby("criterion", as_index=False, sort=True).sum()
    pooled["reviewers"] = pooled["reviewers"].astype("int64")
    pooled["pooled_mean"] = pooled["score_sum"] / pooled["reports"]
    pooled["pooled_sd"] = (pooled["squares"] / pooled["freedom"]) ** 0.5
    return pooled[["criterion", "reviewers", "pooled_mean", "pooled_sd"]].reset_index(drop=True)


def normalise_scores(
    scores: pd.DataFrame, review: Review, *, min_reports: int = MIN_REPORTS
) -> pd.DataFrame:
    """Return the scores with each row's `normalised` score and its `basis`, sorted.

    normalised = clip(pooled_mean + (score - mean) / sd x pooled_sd, min, max) for a rescaled
    (reviewer, criterion); the raw score otherwise (basis says why). Rows are sorted by
    participation_id, reviewer and the criterion's place in the campaign file. Columns:
    participation_id, reviewer, criterion, score, normalised, basis.
    """
    scales = reviewer_scales(scores, review, min_reports=min_reports)
    pooled = pooled_scales(scales)
    rows = (
        in_order(scores[list(SCORE_COLUMNS)], ["participation_id", *PAIR])
        .merge(scales, on=PAIR, how="left")
        .merge(pooled, on="criterion", how="left")
        .merge(criteria_frame(review), on="criterion", how="left")
    )
    rescaled = rows["basis"] == "rescaled"
    target = rows["pooled_mean"] + (rows["score"] - rows["mean"]) / rows["sd"] * rows["pooled_sd"]
    clipped = target.clip(lower=rows["low"], upper=rows["high"])
    rows["normalised"] = clipped.where(rescaled, rows["score"])
    rows = rows.sort_values(["participation_id", "reviewer", "position"], ignore_index=True)
    return rows[[*SCORE_COLUMNS, "normalised", "basis"]]
