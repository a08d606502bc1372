"""Review score aggregation: weighted totals, the score contract, per-report outcomes.

Worked examples use tiny inline frames with values computed by hand; the worked example of
docs/review-scoring.md is read from the page and checked number by number. Properties compare with
oracles written in plain Python from the rules in that page, not from tasks/review/aggregation.py.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import takewhile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Criterion, Grade, Review
from tasks.review.aggregation import (
    OUTCOME_COLUMNS,
    SCORE_COLUMNS,
    ScoreInputError,
    check_scores,
    grade_for,
    recommendation_for,
    report_outcomes,
    review_totals,
    weighted_totals,
)
from tasks.review.normalisation import normalise_scores, pooled_scales, reviewer_scales

DOC = Path(__file__).resolve().parents[3] / "docs" / "review-scoring.md"
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

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


# ---- outcomes -----------------------------------------------------------------------------------


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


# ---- the worked example of docs/review-scoring.md -----------------------------------------------


def doc_table(name: str) -> list[list[str]]:
    """Return the body rows of the markdown table after `<!-- worked-example: name -->`."""
    after = DOC.read_text(encoding="utf-8").split(f"<!-- worked-example: {name} -->", 1)[1]
    table = list(takewhile(lambda line: line.startswith("|"), after.strip().splitlines()))
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table[2:]]


def shown(value: object) -> str:
    """Return a value as the page writes it: 57.8, 65, yes/no, blank for a missing sd."""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{round(value, 2):g}"
    return str(value)


def toy_review() -> Review:
    return review_of(criterion("materiality", 0.6), criterion("readability", 0.4))


def doc_scores() -> pd.DataFrame:
    rows = doc_table("scores")
    return scores_frame(
        [(int(p), who, "materiality", float(m)) for p, who, m, _ in rows]
        + [(int(p), who, "readability", float(r)) for p, who, _, r in rows]
    )


def test_worked_example_scales_and_pooled_scale_match_the_page() -> None:
    scales = reviewer_scales(doc_scores(), toy_review())
    pooled = pooled_scales(scales)

    assert [[shown(v) for v in row] for row in scales.values.tolist()] == doc_table("scales")
    assert [[shown(v) for v in row] for row in pooled.values.tolist()] == doc_table("pooled")


def test_worked_example_totals_and_outcomes_match_the_page() -> None:
    review = toy_review()
    normalised = normalise_scores(doc_scores(), review)
    totals = review_totals(normalised, review)
    outcomes = report_outcomes(totals, review)

    wide = normalised.pivot(
        index=["participation_id", "reviewer"], columns="criterion", values="normalised"
    ).reset_index()
    table = wide.merge(totals, on=["participation_id", "reviewer"])[
        [
            "participation_id",
            "reviewer",
            "materiality",
            "readability",
            "raw_total",
            "normalised_total",
        ]
    ]
    assert [[shown(v) for v in row] for row in table.values.tolist()] == doc_table("totals")
    columns = [c for c in OUTCOME_COLUMNS if c != "stars"]
    got = [[shown(v) for v in row] for row in outcomes[columns].values.tolist()]
    assert got == doc_table("outcomes")


def test_worked_example_b_two_panels_match_the_page() -> None:
    rows = doc_table("panels")
    scores = scores_frame([(int(p), who, "quality", float(x)) for p, who, x, _ in rows])

    normalised = normalise_scores(scores, review_of())

    got = normalised[["participation_id", "reviewer", "score", "normalised"]].values.tolist()
    assert [[shown(v) for v in row] for row in got] == rows


# ---- properties ---------------------------------------------------------------------------------


@st.composite
def reviews(draw: st.DrawFn) -> Review:
    """A review of 1-3 criteria with their own ranges and weights."""
    weights = draw(st.lists(st.integers(1, 9), min_size=1, max_size=3))
    criteria = []
    for i, w in enumerate(weights):
        low = draw(st.integers(-10, 10))
        criteria.append(criterion(f"c{i}", w / sum(weights), low, low + draw(st.integers(1, 50))))
    return review_of(*criteria)


@st.composite
def reviews_with_scores(draw: st.DrawFn) -> tuple[Review, pd.DataFrame]:
    """A review and complete sheets: each of 1-4 reviewers scores some of 1-6 reports."""
    review = draw(reviews())
    rows: list[tuple[int, str, str, float]] = []
    for r in range(draw(st.integers(1, 4))):
        for pid in draw(st.lists(st.integers(1, 6), min_size=1, max_size=6, unique=True)):
            for c in review.criteria:
                rows.append((pid, f"r{r}", c.key, float(draw(st.integers(int(c.min), int(c.max))))))
    return review, scores_frame(rows)


def oracle_totals(
    scores: pd.DataFrame, review: Review, column: str
) -> dict[tuple[int, str], float]:
    """Weighted totals in plain Python, from the formula in docs/review-scoring.md."""
    bounds = {c.key: c for c in review.criteria}
    totals: dict[tuple[int, str], float] = defaultdict(float)
    for pid, who, key, value in scores[
        ["participation_id", "reviewer", "criterion", column]
    ].values:
        c = bounds[key]
        totals[(int(pid), str(who))] += 100 * c.weight * (value - c.min) / (c.max - c.min)
    return dict(totals)


@PROPERTY
@given(reviews_with_scores())
def test_weighted_totals_agree_with_the_oracle(case: tuple[Review, pd.DataFrame]) -> None:
    review, scores = case

    totals = weighted_totals(scores, review)

    got = {(p, w): t for p, w, t in totals.values.tolist()}
    expected = oracle_totals(scores, review, "score")
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(expected[k], abs=1e-9) for k in expected)


@PROPERTY
@given(reviews(), st.sampled_from(["min", "max"]))
def test_weighted_total_of_all_max_is_100_and_of_all_min_is_0(review: Review, end: str) -> None:
    scores = scores_frame([(1, "wang", c.key, getattr(c, end)) for c in review.criteria])

    totals = weighted_totals(scores, review)

    assert totals["total"].tolist() == [pytest.approx(100.0 if end == "max" else 0.0, abs=1e-9)]


@st.composite
def totals_cases(draw: st.DrawFn) -> tuple[Review, pd.DataFrame]:
    """Whole-point totals (so means are exact at two decimals) and a review's thresholds."""
    review = review_of(
        reviewers_per_report=draw(st.integers(1, 4)),
        disagreement_spread=float(draw(st.integers(1, 40))),
        pass_score=float(draw(st.integers(0, 100))),
    )
    rows = [
        (pid, f"r{r}", float(draw(st.integers(0, 100))), float(draw(st.integers(0, 100))))
        for pid in draw(st.lists(st.integers(1, 30), min_size=1, max_size=8, unique=True))
        for r in range(draw(st.integers(1, 4)))
    ]
    return review, totals_frame(rows)


def oracle_outcomes(totals: pd.DataFrame, review: Review) -> list[dict[str, object]]:
    """Per-report outcomes in plain Python, from the rules in docs/review-scoring.md."""
    reviews_of: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for pid, _, raw, norm in totals.values.tolist():
        reviews_of[int(pid)].append((raw, norm))
    rows: list[tuple[tuple[float, float, int], dict[str, object]]] = []
    for pid, pairs in reviews_of.items():
        norms = [n for _, n in pairs]
        mean = round(sum(norms) / len(norms), 2)
        raw = round(sum(r for r, _ in pairs) / len(pairs), 2)
        spread = max(norms) - min(norms)
        split, short = spread > review.disagreement_spread, len(pairs) < review.reviewers_per_report
        band = next(g for g in GRADES if mean >= g.min_score)
        if split or short:
            verdict = "needs_chair"
        elif mean >= review.pass_score:
            verdict = "pass"
        else:
            verdict = "revise" if mean >= review.pass_score - 10 else "reject"
        rows.append(
            (
                (-mean, -raw, pid),
                {
                    "participation_id": pid,
                    "reviews": len(pairs),
                    "mean_normalised": mean,
                    "mean_raw": raw,
                    "spread": spread,
                    "disagreement": split,
                    "short_of_reviews": short,
                    "stars": band.stars,
                    "grade": band.name,
                    "label": band.label,
                    "recommendation": verdict,
                },
            )
        )
    rows.sort(key=lambda keyed: keyed[0])
    return [{"rank": i, **row} for i, (_, row) in enumerate(rows, start=1)]


@PROPERTY
@given(totals_cases(), st.data())
def test_report_outcomes_agree_with_the_oracle_in_any_row_order(
    case: tuple[Review, pd.DataFrame], data: st.DataObject
) -> None:
    review, totals = case
    order = data.draw(st.permutations(range(len(totals))))

    outcomes = report_outcomes(totals.iloc[order], review)

    assert outcomes.to_dict(orient="records") == oracle_outcomes(totals, review)
