"""Expertise as a matrix: the same scores as the rule, restated on the raw fields."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.review.assignment.match import INDUSTRY, expertise_matrix
from tasks.review.assignment.model import Report, Reviewer

TAGS = ["汽车", "汽 车", "\uff21\uff22\uff23", "abc", "green", "Green ", ""]  # full-width ABC


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(TAGS), st.frozensets(st.sampled_from(TAGS))), max_size=5),
    st.lists(
        st.tuples(st.frozensets(st.sampled_from(TAGS)), st.frozensets(st.sampled_from(TAGS))),
        max_size=5,
    ),
)
def test_expertise_matrix_scores_industry_first_then_topics_in_common(
    report_tags: list[tuple[str, frozenset[str]]],
    reviewer_tags: list[tuple[frozenset[str], frozenset[str]]],
) -> None:
    reports = [
        Report(participation_id=i, uscc=f"U{i}", unit_name=f"u{i}", industry=ind, topics=top)
        for i, (ind, top) in enumerate(report_tags)
    ]
    reviewers = [
        Reviewer(key=f"r{j}", name="r", employer="e", max_load=1, industries=ind, topics=top)
        for j, (ind, top) in enumerate(reviewer_tags)
    ]

    matrix = expertise_matrix(reports, reviewers)

    expected = [
        [
            INDUSTRY
            * (fold(r.industry) != "" and fold(r.industry) in {fold(t) for t in v.industries})
            + len(({fold(t) for t in r.topics} & {fold(t) for t in v.topics}) - {""})
            for v in reviewers
        ]
        for r in reports
    ]
    assert matrix.shape == (len(reports), len(reviewers))
    assert matrix.tolist() == expected
