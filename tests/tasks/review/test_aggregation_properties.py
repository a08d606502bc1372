"""Review score aggregation (tasks/review/aggregation.py): properties compared with oracles
written in plain Python from the rules in docs/review-scoring.md, not from
tasks/review/aggregation.py."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest
from aggregationkit import GRADES, criterion, review_of, scores_frame, totals_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.campaign_parts import Review
from tasks.review.aggregation import report_outcomes, weighted_totals

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
