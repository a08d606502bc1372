"""Review score aggregation (tasks/review/aggregation.py): weighted totals and the score contract.

Worked examples use tiny inline frames with values computed by hand. The per-report outcomes are
in test_aggregation_outcomes.py, the worked example of docs/review-scoring.md in
test_aggregation_worked_example.py, the properties against oracles in
test_aggregation_properties.py.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from aggregationkit import criterion, review_of, scores_frame

from schemas.campaign_file import CampaignFile
from tasks.review.aggregation import ScoreInputError, check_scores, review_totals, weighted_totals

# ---- weighted totals ----------------------------------------------------------------------------


def test_weighted_totals_rescale_each_criterion_by_its_range_and_weight() -> None:
    review = review_of(criterion("depth", 0.5, 0, 10), criterion("clarity", 0.5, 1, 5))
    scores = scores_frame(
        [
            (2, "wang", "depth", 10.0),
            (1, "wang", "depth", 5.0),
            (1, "wang", "clarity", 4.0),
            (2, "wang", "clarity", 1.0),
        ]
    )

    totals = weighted_totals(scores, review)

    # report 1: 100 x (0.5 x 5/10 + 0.5 x 3/4) = 62.5; report 2: 100 x (0.5 x 1 + 0.5 x 0) = 50
    assert totals.to_dict(orient="records") == [
        {"participation_id": 1, "reviewer": "wang", "total": 62.5},
        {"participation_id": 2, "reviewer": "wang", "total": 50.0},
    ]


def test_weighted_totals_of_the_2024_criteria(campaign_2024: CampaignFile) -> None:
    review = campaign_2024.review
    keys = [c.key for c in review.criteria]
    scores = scores_frame(
        [(1, "li", k, 80.0) for k in keys]
        + [(2, "li", k, 100.0 if k == "materiality" else 0.0) for k in keys]
    )

    totals = weighted_totals(scores, review)

    assert totals["total"].tolist() == [pytest.approx(80.0), pytest.approx(30.0)]


def test_review_totals_give_raw_and_normalised_total_per_sheet() -> None:
    review = review_of(criterion("depth", 0.75), criterion("clarity", 0.25))
    normalised = pd.DataFrame(
        {
            "participation_id": [1, 1],
            "reviewer": ["wang", "wang"],
            "criterion": ["depth", "clarity"],
            "score": [40.0, 80.0],
            "normalised": [60.0, 80.0],
        }
    )

    totals = review_totals(normalised, review)

    assert totals.to_dict(orient="records") == [
        {"participation_id": 1, "reviewer": "wang", "raw_total": 50.0, "normalised_total": 65.0}
    ]


# ---- the score contract -------------------------------------------------------------------------

TWO = review_of(criterion("depth", 0.5), criterion("clarity", 0.5))


@pytest.mark.parametrize(
    ("rows", "problem", "value"),
    [
        (
            [(1, "wang", "depth", 50.0), (1, "wang", "colour", 50.0)],
            "criteria not in the campaign file",
            ["colour"],
        ),
        (
            [(1, "wang", "depth", 50.0), (1, "wang", "clarity", 60.0), (1, "wang", "depth", 55.0)],
            "scored twice",
            (1, "wang", "depth"),
        ),
        (
            [(1, "wang", "depth", 50.0), (1, "wang", "clarity", 100.5)],
            "score missing or out of range",
            (1, "wang", "clarity", 100.5),
        ),
        (
            [(1, "wang", "depth", -1.0), (1, "wang", "clarity", 50.0)],
            "score missing or out of range",
            (1, "wang", "depth", -1.0),
        ),
        (
            [(1, "wang", "depth", 50.0), (1, "wang", "clarity", 50.0), (2, "li", "depth", 70.0)],
            "sheet scores fewer than the 2 criteria",
            (2, "li", 1),
        ),
    ],
)
def test_check_scores_names_the_first_breach(
    rows: list[tuple[int, str, str, float]], problem: str, value: object
) -> None:
    with pytest.raises(ScoreInputError, match=problem) as caught:
        check_scores(scores_frame(rows), TWO)

    assert caught.value.value == value


def test_check_scores_refuses_a_missing_score() -> None:
    scores = scores_frame([(1, "wang", "depth", 50.0), (1, "wang", "clarity", math.nan)])

    with pytest.raises(ScoreInputError, match="score missing or out of range") as caught:
        check_scores(scores, TWO)

    assert caught.value.value[:3] == (1, "wang", "clarity")


def test_check_scores_refuses_a_frame_without_the_score_column() -> None:
    frame = pd.DataFrame({"participation_id": [1], "reviewer": ["wang"], "criterion": ["depth"]})

    with pytest.raises(ScoreInputError, match="lacks columns") as caught:
        check_scores(frame, TWO)

    assert caught.value.value == ["score"]


def test_check_scores_accepts_complete_in_range_sheets() -> None:
    scores = scores_frame([(1, "wang", "depth", 0.0), (1, "wang", "clarity", 100.0)])

    assert check_scores(scores, TWO) is None
