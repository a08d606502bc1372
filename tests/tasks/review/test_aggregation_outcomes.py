"""Review score aggregation (tasks/review/aggregation.py): per-report outcomes (means, spread,
grade, recommendation, ties), on tiny inline frames with values computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from aggregationkit import GRADES, review_of, scores_frame, totals_frame

from schemas.campaign_file import CampaignFile
from tasks.review.aggregation import (
    OUTCOME_COLUMNS,
    ScoreInputError,
    grade_for,
    recommendation_for,
    report_outcomes,
    review_totals,
)
from tasks.review.normalisation import normalise_scores


def test_report_outcomes_give_means_spread_grade_and_recommendation() -> None:
    totals = totals_frame([(1, "wang", 60.0, 70.0), (1, "li", 90.0, 80.0), (1, "zhao", 72.0, 75.0)])

    outcomes = report_outcomes(totals, review_of())

    assert list(outcomes.columns) == OUTCOME_COLUMNS
    assert outcomes.to_dict(orient="records") == [
        {
            "rank": 1,
            "participation_id": 1,
            "reviews": 3,
            "mean_normalised": 75.0,
            "mean_raw": 74.0,
            "spread": 10.0,
            "disagreement": False,
            "short_of_reviews": False,
            "stars": 3,
            "grade": "四星级",
            "label": "优秀",
            "recommendation": "pass",
        }
    ]


def test_report_outcomes_flag_disagreement_only_above_the_spread() -> None:
    totals = totals_frame(
        [
            (1, "wang", 70.0, 70.0),
            (1, "li", 90.0, 90.0),
            (1, "zhao", 80.0, 80.0),
            (2, "wang", 69.99, 69.99),
            (2, "li", 90.0, 90.0),
            (2, "zhao", 80.0, 80.0),
        ]
    )

    outcomes = report_outcomes(totals, review_of(disagreement_spread=20.0))

    by_report = outcomes.set_index("participation_id")
    assert by_report.loc[[1, 2], "spread"].tolist() == [20.0, 20.01]
    assert by_report.loc[[1, 2], "disagreement"].tolist() == [False, True]
    assert by_report.loc[[1, 2], "recommendation"].tolist() == ["pass", "needs_chair"]


def test_report_outcomes_send_a_report_short_of_reviews_to_the_chair() -> None:
    totals = totals_frame([(1, "wang", 95.0, 92.0), (1, "li", 93.0, 90.0)])

    outcomes = report_outcomes(totals, review_of(reviewers_per_report=3))

    row = outcomes.iloc[0]
    assert (row["reviews"], row["short_of_reviews"], row["disagreement"]) == (2, True, False)
    assert (row["grade"], row["recommendation"]) == ("五星级", "needs_chair")


@pytest.mark.parametrize(
    ("mean", "stars", "grade", "recommendation"),
    [
        (100.0, 5, "五星级", "pass"),
        (90.0, 5, "五星级", "pass"),
        (89.99, 4, "四星半级", "pass"),
        (80.0, 4, "四星半级", "pass"),
        (79.99, 3, "四星级", "pass"),
        (70.0, 3, "四星级", "pass"),
        (69.99, 2, "三星级", "pass"),
        (60.0, 2, "三星级", "pass"),
        (59.99, 1, "二星级", "revise"),
        (50.0, 1, "二星级", "revise"),
        (49.99, 1, "二星级", "reject"),
        (0.0, 1, "二星级", "reject"),
    ],
)
def test_report_outcomes_grade_and_recommend_at_exact_boundaries(
    mean: float, stars: int, grade: str, recommendation: str
) -> None:
    totals = totals_frame([(1, "wang", mean, mean)])

    outcomes = report_outcomes(totals, review_of(reviewers_per_report=1, pass_score=60.0))

    row = outcomes.iloc[0]
    assert (row["stars"], row["grade"], row["recommendation"]) == (stars, grade, recommendation)


def test_report_outcomes_grade_all_90_sheets_of_2024_five_stars(
    campaign_2024: CampaignFile,
) -> None:
    review = campaign_2024.review
    scores = scores_frame(
        [(1, who, c.key, 90.0) for who in ("wang", "li", "zhao") for c in review.criteria]
    )

    outcomes = report_outcomes(review_totals(normalise_scores(scores, review), review), review)

    assert outcomes[["mean_normalised", "grade", "label"]].to_dict(orient="records") == [
        {"mean_normalised": 90.0, "grade": "五星级", "label": "卓越"}
    ]


def test_report_outcomes_break_ties_by_normalised_then_raw_mean_then_id() -> None:
    totals = totals_frame(
        [
            (7, "wang", 70.0, 80.0),
            (3, "wang", 70.0, 80.0),
            (5, "wang", 75.0, 80.0),
            (9, "wang", 50.0, 80.01),
        ]
    )

    outcomes = report_outcomes(totals, review_of(reviewers_per_report=1))

    assert outcomes[["rank", "participation_id"]].values.tolist() == [
        [1, 9],
        [2, 5],
        [3, 3],
        [4, 7],
    ]


def test_report_outcomes_compare_means_at_two_decimals() -> None:
    totals = totals_frame([(1, "wang", 70.0, 80.004), (2, "wang", 75.0, 80.001)])

    outcomes = report_outcomes(totals, review_of(reviewers_per_report=1))

    assert outcomes[["participation_id", "mean_normalised"]].values.tolist() == [
        [2, 80.0],
        [1, 80.0],
    ]


def test_report_outcomes_refuse_two_totals_for_one_review() -> None:
    totals = totals_frame([(1, "wang", 70.0, 70.0), (1, "wang", 75.0, 75.0)])

    with pytest.raises(ScoreInputError, match="two totals for one review") as caught:
        report_outcomes(totals, review_of())

    assert caught.value.value == (1, "wang")


def test_recommendation_for_puts_the_chair_before_the_score() -> None:
    common = {"pass_score": 60.0, "revise_margin": 10.0}

    assert recommendation_for(95.0, disagreement=True, short_of_reviews=False, **common) == (
        "needs_chair"
    )
    assert recommendation_for(20.0, disagreement=False, short_of_reviews=True, **common) == (
        "needs_chair"
    )
    assert recommendation_for(55.0, disagreement=False, short_of_reviews=False, **common) == (
        "revise"
    )


def test_grade_for_takes_the_best_band_reached_whatever_the_listed_order() -> None:
    assert grade_for(85.0, list(reversed(GRADES))).name == "四星半级"


def test_the_pipeline_on_no_scores_gives_an_empty_ranking() -> None:
    review = review_of()
    empty = pd.DataFrame(
        {
            "participation_id": pd.Series([], dtype="int64"),
            "reviewer": pd.Series([], dtype="str"),
            "criterion": pd.Series([], dtype="str"),
            "score": pd.Series([], dtype="float64"),
        }
    )

    outcomes = report_outcomes(review_totals(normalise_scores(empty, review), review), review)

    assert list(outcomes.columns) == OUTCOME_COLUMNS
    assert len(outcomes) == 0
