"""The review stage's artifact tables: league table rows and sheet progress, on inline frames."""

from __future__ import annotations

import pandas as pd

from tasks.review.league import PROGRESS_COLUMNS, league_table_rows, progress_rows, review_progress


def outcomes_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [2, 1, 3],
            "participation_id": [12, 31, 7],
            "reviews": [2, 3, 3],
            "mean_normalised": [71.5, 88.25, 55.0],
            "mean_raw": [70.0, 86.0, 57.33],
            "spread": [4.0, 6.5, 24.0],
            "disagreement": [False, False, True],
            "short_of_reviews": [True, False, False],
            "stars": [3, 4, 1],
            "grade": ["四星级", "四星半级", "二星级"],
            "label": ["优秀", "领先", "发展"],
            "recommendation": ["needs_chair", "pass", "needs_chair"],
        }
    )


def test_league_table_rows_are_plain_dicts_in_rank_order() -> None:
    rows = league_table_rows(
        outcomes_frame(),
        names={31: "上海测试电力有限公司", 7: "上海测试银行"},
        usccs={31: "91310000MA1K000001", 7: "91310000MA1K000002"},
    )

    assert rows == [
        {
            "rank": 1,
            "unit": "上海测试电力有限公司",
            "uscc": "91310000MA1K000001",
            "mean_normalised": 88.25,
            "mean_raw": 86.0,
            "reviews": 3,
            "spread": 6.5,
            "grade": "四星半级（领先）",
            "recommendation": "pass 通过",
            "flags": "",
        },
        {
            "rank": 2,
            "unit": "",
            "uscc": "",
            "mean_normalised": 71.5,
            "mean_raw": 70.0,
            "reviews": 2,
            "spread": 4.0,
            "grade": "四星级（优秀）",
            "recommendation": "needs_chair 提请评审组长裁定",
            "flags": "评审不足 short of reviews",
        },
        {
            "rank": 3,
            "unit": "上海测试银行",
            "uscc": "91310000MA1K000002",
            "mean_normalised": 55.0,
            "mean_raw": 57.33,
            "reviews": 3,
            "spread": 24.0,
            "grade": "二星级（发展）",
            "recommendation": "needs_chair 提请评审组长裁定",
            "flags": "分歧 disagreement",
        },
    ]
    assert {type(v) for row in rows for v in row.values()} == {int, float, str}


def test_league_table_rows_without_names_or_beyond_the_limit() -> None:
    rows = league_table_rows(outcomes_frame(), limit=2)

    assert [(r["rank"], r["participation_id"]) for r in rows] == [(1, 31), (2, 12)]
    assert all("unit" not in r for r in rows)


def test_review_progress_counts_expected_returned_outstanding_and_unassigned() -> None:
    pairs = [(1, "wang"), (2, "wang"), (3, "wang"), (1, "li"), (2, "li"), (2, "li")]
    scores = pd.DataFrame(
        {
            "participation_id": [1, 1, 1, 2, 2, 3],
            "reviewer": ["wang", "li", "li", "li", "li", "zhao"],
            "criterion": ["a", "a", "b", "a", "b", "a"],
            "score": [50.0, 60.0, 61.0, 70.0, 71.0, 80.0],
        }
    )

    progress = review_progress(pairs, scores)

    assert list(progress.columns) == PROGRESS_COLUMNS
    assert progress_rows(progress) == [
        {"reviewer": "wang", "expected": 3, "returned": 1, "outstanding": 2, "unassigned": 0},
        {"reviewer": "li", "expected": 2, "returned": 2, "outstanding": 0, "unassigned": 0},
        {"reviewer": "zhao", "expected": 0, "returned": 0, "outstanding": 0, "unassigned": 1},
    ]


def test_review_progress_before_any_sheet_is_back() -> None:
    empty = pd.DataFrame({"participation_id": pd.Series([], dtype="int64"), "reviewer": []})

    progress = review_progress([(4, "wang"), (5, "wang"), (4, "li")], empty)

    assert progress_rows(progress) == [
        {"reviewer": "wang", "expected": 2, "returned": 0, "outstanding": 2, "unassigned": 0},
        {"reviewer": "li", "expected": 1, "returned": 0, "outstanding": 1, "unassigned": 0},
    ]
