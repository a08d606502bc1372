"""Review score aggregation (tasks/review/aggregation.py): the worked example of
docs/review-scoring.md, read from the page and checked number by number."""

from __future__ import annotations

import math
from itertools import takewhile
from pathlib import Path

import pandas as pd
from aggregationkit import criterion, review_of, scores_frame

from schemas.campaign_parts import Review
from tasks.review.aggregation import OUTCOME_COLUMNS, report_outcomes, review_totals
from tasks.review.normalisation import normalise_scores, pooled_scales, reviewer_scales

DOC = Path(__file__).resolve().parents[3] / "docs" / "review-scoring.md"


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
