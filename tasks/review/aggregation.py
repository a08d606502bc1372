"""Review score aggregation (评审汇总): weighted totals and per-report outcomes, ranked.

Plain pandas functions: a long frame of scores (`participation_id`, `reviewer`, `criterion`,
`score`) and the campaign file's `Review` section in, frames out. No database, no Prefect, no files,
no clock: the review flow's tasks load the score sheets, then save and publish what these return.
Reviewer-harshness normalisation is in tasks/review/normalisation.py, the artifact tables (league
table, sheets returned) in tasks/review/league.py; the method, the outcome rules and their limits
are in docs/review-scoring.md. The order of calls:

    normalised = normalise_scores(scores, review)     # tasks/review/normalisation.py
    totals = review_totals(normalised, review)         # one row per (report, reviewer)
    outcomes = report_outcomes(totals, review)         # one row per report, ranked
    league_table_rows(outcomes, names)                 # tasks/review/league.py
    progress_rows(review_progress(pairs, scores))      # tasks/review/league.py

Report figures are rounded to two decimals (`DECIMALS`) before they are graded, compared with
the thresholds and ranked, so a report is judged on the number that is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd

from schemas.campaign_parts import Grade, Review

SCORE_COLUMNS: Final = ("participation_id", "reviewer", "criterion", "score")
SHEET: Final = ["participation_id", "reviewer"]
DECIMALS: Final = 2
REVISE_MARGIN: Final = 10.0

Recommendation = Literal["pass", "revise", "reject", "needs_chair"]
OUTCOME_COLUMNS: Final = [
    "rank",
    "participation_id",
    "reviews",
    "mean_normalised",
    "mean_raw",
    "spread",
    "disagreement",
    "short_of_reviews",
    "stars",
    "grade",
    "label",
    "recommendation",
]


class ScoreInputError(Exception):
    """The score frame breaks the aggregation's contract; carries the offending value."""

    def __init__(self, value: object, problem: str) -> None:
        self.value = value
        self.problem = problem
        super().__init__(f"{problem}: {value!r}")


def criteria_frame(review: Review) -> pd.DataFrame:
    """Return one row per criterion (criterion, position, weight, low, high), file order."""
    return pd.DataFrame(
        [(c.key, i, c.weight, c.min, c.max) for i, c in enumerate(review.criteria)],
        columns=["criterion", "position", "weight", "low", "high"],
    )


def check_scores(scores: pd.DataFrame, review: Review) -> None:
    """Return None when `scores` holds complete, in-range sheets; else raise ScoreInputError.

    Checked in this order, the first breach raised: the four columns are there; every criterion
    is one of the review's; no (report, reviewer, criterion) is scored twice; every score is a
    number within its criterion's [min, max]; every (report, reviewer) sheet scores every
    criterion.
    """
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ScoreInputError(missing, "the score frame lacks columns")
    known = {c.key for c in review.criteria}
    unknown = sorted({str(k) for k in scores["criterion"].unique()} - known)
    if unknown:
        raise ScoreInputError(unknown, "criteria not in the campaign file")
    keys = [*SHEET, "criterion"]
    twice = scores[scores.duplicated(keys)]
    if len(twice):
        raise ScoreInputError(_first(twice, keys), "scored twice")
    bounded = scores.merge(criteria_frame(review), on="criterion", how="left")
    outside = bounded[
        bounded["score"].isna()
        | (bounded["score"] < bounded["low"])
        | (bounded["score"] > bounded["high"])
    ]
    if len(outside):
        raise ScoreInputError(_first(outside, [*keys, "score"]), "score missing or out of range")
    counts = scores.groupby(SHEET, as_index=False).size()
    partial = counts[counts["size"] < len(known)]
    if len(partial):
        where = _first(partial, [*SHEET, "size"])
        raise ScoreInputError(where, f"sheet scores fewer than the {len(known)} criteria")


def weighted_totals(scores: pd.DataFrame, review: Review, column: str = "score") -> pd.DataFrame:
    """Return the weighted 0-100 total of `column` per (participation_id, reviewer), sorted.

    Each criterion's score is rescaled to 0-1 by its [min, max], multiplied by its weight
    (the weights add up to 1) and summed; times 100. Columns: participation_id, reviewer, total.
    """
    return _totals(scores, review, {column: "total"})


def review_totals(normalised: pd.DataFrame, review: Review) -> pd.DataFrame:
    """Return raw_total and normalised_total per (participation_id, reviewer), sorted.

    `normalised` is normalise_scores' frame (the raw `score` and the `normalised` score per row).
    """
    return _totals(normalised, review, {"score": "raw_total", "normalised": "normalised_total"})


def grade_for(score: float, grades: Sequence[Grade]) -> Grade:
    """Return the best grade whose min_score the score reaches (a floor belongs to its band)."""
    for grade in sorted(grades, key=lambda g: g.min_score, reverse=True):
        if score >= grade.min_score:
            return grade
    raise ScoreInputError(score, "no grade starts at or below this score")


def recommendation_for(
    mean: float,
    *,
    disagreement: bool,
    short_of_reviews: bool,
    pass_score: float,
    revise_margin: float = REVISE_MARGIN,
) -> Recommendation:
    """Return the recommendation for one report: needs_chair, pass, revise or reject.

    needs_chair when the reviewers disagree or the report is short of reviews (whatever the
    score); else pass at pass_score or above; revise from pass_score - revise_margin (inclusive)
    up to pass_score; reject below that.
    """
    if disagreement or short_of_reviews:
        return "needs_chair"
    if mean >= pass_score:
        return "pass"
    if mean >= pass_score - revise_margin:
        return "revise"
    return "reject"


def report_outcomes(
    totals: pd.DataFrame, review: Review, *, revise_margin: float = REVISE_MARGIN
) -> pd.DataFrame:
    """Return one ranked row per report: means, spread, flags, grade and recommendation.

    `totals` is review_totals' frame. Columns (OUTCOME_COLUMNS): rank (1 = best; ties broken by
    mean_normalised, then mean_raw, both descending, then participation_id ascending), reviews,
    mean_normalised and mean_raw (means of the reviews' totals), spread (max - min of the
    normalised totals), disagreement (spread > review.disagreement_spread), short_of_reviews
    (reviews < review.reviewers_per_report), stars, grade and label (the band of
    mean_normalised), recommendation (recommendation_for). Figures are rounded to DECIMALS first.
    """
    twice = totals[totals.duplicated(SHEET)]
    if len(twice):
        raise ScoreInputError(_first(twice, SHEET), "two totals for one review")
    per = (
        in_order(totals, SHEET)
        .groupby("participation_id", as_index=False, sort=True)
        .agg(
            reviews=("normalised_total", "size"),
            mean_normalised=("normalised_total", "mean"),
            mean_raw=("raw_total", "mean"),
            high=("normalised_total", "max"),
            low=("normalised_total", "min"),
        )
    )
    per["spread"] = per["high"] - per["low"]
    for column in ("mean_normalised", "mean_raw", "spread"):
        per[column] = per[column].round(DECIMALS)
    per["reviews"] = per["reviews"].astype("int64")
    per["disagreement"] = per["spread"] > review.disagreement_spread
    per["short_of_reviews"] = per["reviews"] < review.reviewers_per_report
    grades = [grade_for(float(x), review.grades) for x in per["mean_normalised"]]
    per["stars"] = pd.Series([g.stars for g in grades], index=per.index, dtype="float64")
    per["grade"] = [g.name for g in grades]
    per["label"] = [g.label for g in grades]
    per["recommendation"] = [
        recommendation_for(
            float(mean),
            disagreement=bool(split),
            short_of_reviews=bool(short),
            pass_score=review.pass_score,
            revise_margin=revise_margin,
        )
        for mean, split, short in zip(
            per["mean_normalised"], per["disagreement"], per["short_of_reviews"], strict=True
        )
    ]
    ranked = per.sort_values(
        ["mean_normalised", "mean_raw", "participation_id"],
        ascending=[False, False, True],
        ignore_index=True,
    )
    ranked["rank"] = range(1, len(ranked) + 1)
    return ranked[OUTCOME_COLUMNS]


def _totals(scores: pd.DataFrame, review: Review, names: dict[str, str]) -> pd.DataFrame:
    """Return the weighted totals of each score column in `names`, renamed as it says."""
    for column in names:
        check_scores(
            scores[[*SHEET, "criterion", column]].rename(columns={column: "score"}), review
        )
    parts = in_order(scores[[*SHEET, "criterion", *names]], [*SHEET, "criterion"]).merge(
        criteria_frame(review), on="criterion", how="left"
    )
    factor = 100.0 * parts["weight"] / (parts["high"] - parts["low"])
    for column in names:
        parts[column] = factor * (parts[column] - parts["low"])
    totals = parts.groupby(SHEET, as_index=False, sort=True)[list(names)].sum()
    return totals.rename(columns=names)[[*SHEET, *names.values()]]


def in_order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Return the frame sorted by `keys` with a fresh index, so that sums and means do not
    depend on the order the rows arrived in (floating-point addition is not associative)."""
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def _first(frame: pd.DataFrame, columns: list[str]) -> tuple[object, ...]:
    """Return the first row's values in `columns` as plain Python values."""
    row = frame[columns].iloc[0]
    return tuple(v.item() if hasattr(v, "item") else v for v in row)
