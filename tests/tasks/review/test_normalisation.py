"""Reviewer-harshness normalisation: worked examples and properties against an oracle.

Examples are tiny inline frames with values computed by hand. The oracle below re-implements
the method of docs/review-scoring.md in plain Python (statistics module, no pandas).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.campaign_parts import Criterion, Grade, Review
from tasks.review.aggregation import SCORE_COLUMNS, ScoreInputError, report_outcomes, review_totals
from tasks.review.normalisation import normalise_scores, pooled_scales, reviewer_scales

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GRADES = [
    Grade(stars=2, name="三星级", label="良好", min_score=60.0),
    Grade(stars=1, name="二星级", label="发展", min_score=0.0),
]


def criterion(key: str, weight: float, low: float = 0.0, high: float = 100.0) -> Criterion:
    return Criterion(key=key, name=key, name_en=key, weight=weight, min=low, max=high)


def review_of(*criteria: Criterion) -> Review:
    return Review(
        reviewers_per_report=3,
        max_revision_rounds=1,
        disagreement_spread=20.0,
        pass_score=60.0,
        criteria=list(criteria) or [criterion("quality", 1.0)],
        grades=GRADES,
    )


def scores_frame(rows: list[tuple[int, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def one_criterion(by_reviewer: dict[str, dict[int, float]]) -> pd.DataFrame:
    """Scores of the single criterion `quality`: reviewer -> {participation_id: score}."""
    return scores_frame(
        [(pid, who, "quality", x) for who, marks in by_reviewer.items() for pid, x in marks.items()]
    )


def normalised_by(result: pd.DataFrame) -> dict[str, list[float]]:
    """Reviewer -> normalised scores in report order."""
    return {
        str(who): group.sort_values("participation_id")["normalised"].tolist()
        for who, group in result.groupby("reviewer")
    }


HARSH = {1: 40.0, 2: 50.0, 3: 60.0}
LENIENT = {1: 70.0, 2: 80.0, 3: 90.0}


# ---- worked examples ----------------------------------------------------------------------------


def test_normalise_brings_a_harsh_and_a_lenient_reviewer_of_the_same_reports_together() -> None:
    scores = one_criterion({"harsh": HARSH, "lenient": LENIENT})

    result = normalise_scores(scores, review_of())

    # pooled mean (150 + 240) / 6 = 65, pooled sd sqrt((200 + 200) / 4) = 10; z = -1, 0, 1
    assert normalised_by(result) == {"harsh": [55.0, 65.0, 75.0], "lenient": [55.0, 65.0, 75.0]}
    assert set(result["basis"]) == {"rescaled"}


def test_normalise_leaves_a_zero_variance_reviewer_raw_and_out_of_the_pool() -> None:
    scores = one_criterion({"harsh": HARSH, "lenient": LENIENT, "flat": dict.fromkeys(HARSH, 75.0)})

    result = normalise_scores(scores, review_of())

    assert normalised_by(result) == {
        "flat": [75.0, 75.0, 75.0],
        "harsh": [55.0, 65.0, 75.0],
        "lenient": [55.0, 65.0, 75.0],
    }
    assert result.loc[result["reviewer"] == "flat", "basis"].tolist() == ["no_variance"] * 3


def test_normalise_leaves_a_reviewer_with_too_few_reports_raw_and_out_of_the_pool() -> None:
    scores = one_criterion({"harsh": HARSH, "lenient": LENIENT, "third": {1: 95.0, 2: 30.0}})

    result = normalise_scores(scores, review_of())

    assert normalised_by(result) == {
        "harsh": [55.0, 65.0, 75.0],
        "lenient": [55.0, 65.0, 75.0],
        "third": [95.0, 30.0],
    }
    assert result.loc[result["reviewer"] == "third", "basis"].tolist() == ["too_few_reports"] * 2


def test_normalise_decides_per_criterion() -> None:
    review = review_of(criterion("depth", 0.5), criterion("clarity", 0.5))
    rows = [(pid, "harsh", "depth", x) for pid, x in HARSH.items()]
    rows += [(pid, "lenient", "depth", x) for pid, x in LENIENT.items()]
    rows += [(pid, who, "clarity", 80.0) for pid in HARSH for who in ("harsh", "lenient")]

    result = normalise_scores(scores_frame(rows), review)

    depth = result[result["criterion"] == "depth"]
    clarity = result[result["criterion"] == "clarity"]
    assert depth["normalised"].tolist() == [55.0, 55.0, 65.0, 65.0, 75.0, 75.0]
    assert set(depth["basis"]) == {"rescaled"}
    assert clarity["normalised"].tolist() == [80.0] * 6
    assert set(clarity["basis"]) == {"no_variance"}


def test_normalise_clips_to_the_criterion_range() -> None:
    # pooled mean (279 + 297) / 6 = 96, pooled sd sqrt((98 + 2) / 4) = 5; z = -1, 0, 1: 91, 96, 101
    scores = one_criterion({"a": {1: 86.0, 2: 93.0, 3: 100.0}, "b": {1: 98.0, 2: 99.0, 3: 100.0}})

    result = normalise_scores(scores, review_of())

    assert normalised_by(result) == {"a": [91.0, 96.0, 100.0], "b": [91.0, 96.0, 100.0]}


def test_normalise_sorts_rows_by_report_reviewer_and_the_files_criterion_order() -> None:
    review = review_of(criterion("zeta", 0.5), criterion("alpha", 0.5))
    scores = scores_frame(
        [
            (2, "b", "alpha", 1.0),
            (1, "b", "zeta", 2.0),
            (1, "b", "alpha", 3.0),
            (2, "b", "zeta", 4.0),
        ]
    )

    result = normalise_scores(scores, review)

    assert result[["participation_id", "criterion", "score"]].values.tolist() == [
        [1, "zeta", 2.0],
        [1, "alpha", 3.0],
        [2, "zeta", 4.0],
        [2, "alpha", 1.0],
    ]
    assert list(result.columns) == [*SCORE_COLUMNS, "normalised", "basis"]


def test_min_reports_decides_who_is_rescaled() -> None:
    scores = one_criterion({"harsh": HARSH, "lenient": LENIENT})

    result = normalise_scores(scores, review_of(), min_reports=4)

    assert result["normalised"].tolist() == result["score"].tolist()
    assert set(result["basis"]) == {"too_few_reports"}


def test_min_reports_below_two_is_refused() -> None:
    scores = one_criterion({"harsh": HARSH})

    with pytest.raises(ScoreInputError, match="min_reports must be at least 2") as caught:
        normalise_scores(scores, review_of(), min_reports=1)

    assert caught.value.value == 1


def test_reviewer_and_pooled_scales_of_a_harsh_and_a_lenient_reviewer() -> None:
    scales = reviewer_scales(one_criterion({"harsh": HARSH, "lenient": LENIENT}), review_of())

    assert scales.to_dict(orient="records") == [
        {
            "reviewer": "harsh",
            "criterion": "quality",
            "reports": 3,
            "mean": 50.0,
            "sd": 10.0,
            "basis": "rescaled",
        },
        {
            "reviewer": "lenient",
            "criterion": "quality",
            "reports": 3,
            "mean": 80.0,
            "sd": 10.0,
            "basis": "rescaled",
        },
    ]
    assert pooled_scales(scales).to_dict(orient="records") == [
        {"criterion": "quality", "reviewers": 2, "pooled_mean": 65.0, "pooled_sd": 10.0}
    ]


# ---- the oracle and the generators --------------------------------------------------------------


def oracle_normalise(
    scores: pd.DataFrame, review: Review, min_reports: int = 3
) -> dict[tuple[int, str, str], tuple[float, str]]:
    """(report, reviewer, criterion) -> (normalised, basis), from docs/review-scoring.md."""
    bounds = {c.key: c for c in review.criteria}
    marks: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for pid, who, key, x in scores[list(SCORE_COLUMNS)].values.tolist():
        marks[(str(who), str(key))][int(pid)] = float(x)
    basis: dict[tuple[str, str], str] = {}
    for pair, xs in marks.items():
        if len(xs) < min_reports:
            basis[pair] = "too_few_reports"
        elif statistics.stdev(xs.values()) == 0:
            basis[pair] = "no_variance"
        else:
            basis[pair] = "rescaled"
    pool_mean: dict[str, float] = {}
    pool_sd: dict[str, float] = {}
    for key in bounds:
        used = [xs for (who, k), xs in marks.items() if k == key and basis[(who, k)] == "rescaled"]
        if used:
            every = [x for xs in used for x in xs.values()]
            pool_mean[key] = statistics.fmean(every)
            squares = sum(
                (x - statistics.fmean(xs.values())) ** 2 for xs in used for x in xs.values()
            )
            pool_sd[key] = math.sqrt(squares / sum(len(xs) - 1 for xs in used))
    result: dict[tuple[int, str, str], tuple[float, str]] = {}
    for (who, key), xs in marks.items():
        c, how = bounds[key], basis[(who, key)]
        mean, sd = (
            statistics.fmean(xs.values()),
            statistics.stdev(xs.values()) if len(xs) > 1 else 0,
        )
        for pid, x in xs.items():
            value = x
            if how == "rescaled":
                value = min(max(pool_mean[key] + (x - mean) / sd * pool_sd[key], c.min), c.max)
            result[(pid, who, key)] = (value, how)
    return result


def as_dict(result: pd.DataFrame) -> dict[tuple[int, str, str], tuple[float, str]]:
    return {
        (int(p), str(w), str(c)): (float(n), str(b)) for p, w, c, _, n, b in result.values.tolist()
    }


@st.composite
def reviews(draw: st.DrawFn) -> Review:
    weights = draw(st.lists(st.integers(1, 9), min_size=1, max_size=3))
    criteria = []
    for i, w in enumerate(weights):
        low = draw(st.integers(-10, 10))
        criteria.append(criterion(f"c{i}", w / sum(weights), low, low + draw(st.integers(1, 40))))
    return review_of(*criteria)


@st.composite
def cases(draw: st.DrawFn, crossed: bool = False) -> tuple[Review, pd.DataFrame]:
    """A review and complete sheets. Crossed: every reviewer scores every report (3-6)."""
    review = draw(reviews())
    reports = draw(st.integers(3 if crossed else 1, 7))
    rows: list[tuple[int, str, str, float]] = []
    for r in range(draw(st.integers(2 if crossed else 1, 4))):
        # a reviewer skips a report one time in four: batches of 3+ are common, not certain
        every = range(1, reports + 1)
        picked = list(every) if crossed else [p for p in every if draw(st.integers(0, 3))] or [1]
        for pid in picked:
            for c in review.criteria:
                x = draw(st.integers(int(c.min), int(c.max)))
                rows.append((pid, f"r{r}", c.key, float(x)))
    return review, scores_frame(rows)


def shift_room(scores: pd.DataFrame, who: str, c: Criterion) -> tuple[int, int]:
    """The constants that keep all of `who`'s scores on `c` within the range."""
    xs = scores.loc[(scores["reviewer"] == who) & (scores["criterion"] == c.key), "score"]
    return int(c.min - xs.min()), int(c.max - xs.max())


# ---- properties ---------------------------------------------------------------------------------


@PROPERTY
@given(cases(), st.integers(2, 4))
def test_normalise_agrees_with_the_oracle_and_stays_in_range(
    case: tuple[Review, pd.DataFrame], least: int
) -> None:
    review, scores = case

    result = normalise_scores(scores, review, min_reports=least)

    for c in review.criteria:
        assert result.loc[result["criterion"] == c.key, "normalised"].between(c.min, c.max).all()
    got = as_dict(result)

    expected = oracle_normalise(scores, review, least)
    assert got.keys() == expected.keys()
    for key, (value, how) in expected.items():
        assert got[key] == (pytest.approx(value, abs=1e-9), how)


@settings(PROPERTY, max_examples=40)
@given(cases(), st.data())
def test_normalise_and_outcomes_ignore_row_order(
    case: tuple[Review, pd.DataFrame], data: st.DataObject
) -> None:
    review, scores = case
    order = data.draw(st.permutations(range(len(scores))))
    shuffled = scores.iloc[order]

    first, second = normalise_scores(scores, review), normalise_scores(shuffled, review)

    pd.testing.assert_frame_equal(first, second, check_exact=True)
    pd.testing.assert_frame_equal(
        report_outcomes(review_totals(first, review), review),
        report_outcomes(review_totals(second, review), review),
        check_exact=True,
    )


@PROPERTY
@given(cases(), st.data())
def test_a_constant_added_by_one_reviewer_only_moves_the_pooled_mean(
    case: tuple[Review, pd.DataFrame], data: st.DataObject
) -> None:
    review, scores = case
    who = data.draw(st.sampled_from(sorted(set(scores["reviewer"]))))
    shifts = {c.key: data.draw(st.integers(*shift_room(scores, who, c))) for c in review.criteria}
    moved = scores.copy()
    mine = moved["reviewer"] == who
    moved.loc[mine, "score"] += moved.loc[mine, "criterion"].map(shifts)

    before, after = normalise_scores(scores, review), normalise_scores(moved, review)

    assert after["basis"].tolist() == before["basis"].tolist()
    for c in review.criteria:
        rows = (before["criterion"] == c.key).to_numpy()
        rescaled = rows & (before["basis"] == "rescaled").to_numpy()
        own = (before["reviewer"] == who).to_numpy()
        # the pooled mean moves by shift x (the reviewer's rescaled scores) / (all rescaled scores)
        pool_move = shifts[c.key] * (rescaled & own).sum() / max(rescaled.sum(), 1)
        delta = after["normalised"].to_numpy() - before["normalised"].to_numpy()
        inside = (
            (before["normalised"] > c.min)
            & (before["normalised"] < c.max)
            & (after["normalised"] > c.min)
            & (after["normalised"] < c.max)
        ).to_numpy()
        for i in range(len(before)):
            if rescaled[i] and inside[i]:
                assert delta[i] == pytest.approx(pool_move, abs=1e-9)
            elif rows[i] and not rescaled[i]:
                assert delta[i] == (shifts[c.key] if own[i] else 0)


@PROPERTY
@given(cases(crossed=True), st.data())
def test_harshness_moved_between_two_reviewers_changes_no_normalised_score(
    case: tuple[Review, pd.DataFrame], data: st.DataObject
) -> None:
    review, scores = case
    before = normalise_scores(scores, review)
    rescaled = set(
        before.loc[before["basis"] == "rescaled", ["reviewer", "criterion"]].itertuples(
            index=False, name=None
        )
    )
    up, down = data.draw(
        st.lists(
            st.sampled_from(sorted(set(scores["reviewer"]))), min_size=2, max_size=2, unique=True
        )
    )
    moved = scores.copy()
    for c in review.criteria:
        if not {(up, c.key), (down, c.key)} <= rescaled:
            continue  # a reviewer left raw is not corrected: shifting them would show
        low_up, high_up = shift_room(scores, up, c)
        low_down, high_down = shift_room(scores, down, c)
        k = data.draw(st.integers(max(low_up, -high_down), min(high_up, -low_down)))
        moved.loc[(moved["reviewer"] == up) & (moved["criterion"] == c.key), "score"] += k
        moved.loc[(moved["reviewer"] == down) & (moved["criterion"] == c.key), "score"] -= k

    after = normalise_scores(moved, review)

    assert after["normalised"].tolist() == pytest.approx(before["normalised"].tolist(), abs=1e-9)
