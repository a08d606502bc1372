"""Reading the rows of a returned score sheet (tasks/review/sheets/rows.py): blank and partly
scored rows, scores that are not numbers or out of range, and reordered, deleted or copied rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sheetkit import TWO, codes, edit, full, only, only_error, read, write_and_fill

from schemas.campaign_parts import Criterion
from tasks.review.sheets.layout import SCORES_SHEET, id_column, score_column


def test_a_row_left_blank_is_not_yet_scored_and_only_a_warning(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [8, 4, "好", ""], 4: [6, 2, "", ""]})

    result = read(path, TWO)

    assert codes(result) == [("score-missing", 3, "", "warning")]
    assert result.rejections[0].value == "102"
    assert [s.participation_id for s in result.scored] == [101, 103]
    assert result.unscored == [102]
    assert result.errors == []


def test_a_partly_scored_row_is_an_error_per_empty_score(
    tmp_path: Path, criteria: tuple[Criterion, ...]
) -> None:
    path = write_and_fill(
        tmp_path,
        criteria,
        {
            2: [80, None, 70, "  ", 60, 50, "", ""],
            3: [*full(70), "", ""],
            4: [*full(None), "写了评价", ""],
        },
    )

    result = read(path, criteria)

    assert codes(result) == [
        ("score-missing", 2, "完整性（0-100）", "error"),
        ("score-missing", 2, "平衡性（0-100）", "error"),
        *[("score-missing", 4, f"{c.name}（0-100）", "error") for c in criteria],
    ]
    assert [s.participation_id for s in result.scored] == [102]
    assert result.unscored == [101, 103]


@pytest.mark.parametrize(
    "value", ["85分", "八十五", "85,5", "=80+5", True, date(2024, 12, 1), "#N/A"]
)
def test_a_score_that_is_not_a_number_is_rejected(tmp_path: Path, value: Any) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [value, 4, "", ""]})

    result = read(path, TWO)

    rejection = only_error(result)
    assert (rejection.code, rejection.row, rejection.column) == (
        "score-not-a-number",
        2,
        "深度（0-10）",
    )
    assert rejection.value != ""
    assert result.scored == []


def test_the_reviewer_who_typed_85_fen_gets_the_value_back_in_the_rejection(
    tmp_path: Path, criteria: tuple[Criterion, ...]
) -> None:
    path = write_and_fill(tmp_path, criteria, {2: ["85分", *full(80, 5), "", ""]})

    rejection = only_error(read(path, criteria))

    assert (rejection.code, rejection.value) == ("score-not-a-number", "85分")
    assert "数字" in rejection.reason_zh


@pytest.mark.parametrize(
    ("value", "score"), [("8", 8.0), (" 7.5 ", 7.5), ("\uff18", 8.0), (0, 0.0)]
)
def test_plain_numeric_text_is_accepted(tmp_path: Path, value: Any, score: float) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [value, 5.5, "", ""]}, ids=[101])

    result = read(path, TWO)

    assert result.rejections == []
    assert result.scored[0].scores == {"depth": score, "clarity": 5.5}


@pytest.mark.parametrize(
    ("depth", "clarity", "columns"),
    [
        (120, 3, ["深度（0-10）"]),
        (-1, 3, ["深度（0-10）"]),
        (8, 0.5, ["清晰度（1-5.5）"]),
        (10.01, 5.6, ["深度（0-10）", "清晰度（1-5.5）"]),
        (10, 1, []),  # the bounds themselves are in range
    ],
)
def test_a_score_out_of_range_is_rejected(
    tmp_path: Path, depth: float, clarity: float, columns: list[str]
) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [depth, clarity, "", ""]}, ids=[101])

    result = read(path, TWO)

    assert [(r.code, r.row, r.column) for r in result.rejections] == [
        ("score-out-of-range", 2, column) for column in columns
    ]
    assert len(result.scored) == (0 if columns else 1)


def test_a_reviewer_who_typed_120_is_told_the_range(
    tmp_path: Path, criteria: tuple[Criterion, ...]
) -> None:
    path = write_and_fill(tmp_path, criteria, {3: [*full(90, 5), 120, "", ""]})

    rejection = only_error(read(path, criteria))

    assert (rejection.code, rejection.row, rejection.column, rejection.value) == (
        "score-out-of-range",
        3,
        "创新性（0-100）",
        "120",
    )
    assert "0 到 100" in rejection.reason_zh


def move_rows(path: Path, order: Sequence[int]) -> None:
    """Rewrite rows 2.. of the score sheet in the given order of their current row numbers."""

    def change(wb: Workbook) -> None:
        ws = wb[SCORES_SHEET]
        rows = {r: [c.value for c in ws[r]] for r in order}
        for target, source in enumerate(order, start=2):
            for column, value in enumerate(rows[source], start=1):
                ws.cell(row=target, column=column).value = value

    edit(path, change)


def test_reordered_rows_are_matched_on_the_hidden_id(tmp_path: Path) -> None:
    path = write_and_fill(
        tmp_path, TWO, {2: [1, 1, "一", ""], 3: [2, 2, "二", ""], 4: [3, 3, "三", ""]}
    )
    move_rows(path, [4, 2, 3])

    result = read(path, TWO)

    assert result.rejections == []
    assert {s.participation_id: s.comment for s in result.scored} == {
        101: "一",
        102: "二",
        103: "三",
    }
    assert [s.participation_id for s in result.scored] == [103, 101, 102]


def test_a_deleted_row_is_tampering_and_names_the_report(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [1, 1, "", ""], 3: [2, 2, "", ""], 4: [3, 3, "", ""]})
    edit(path, lambda wb: wb[SCORES_SHEET].delete_rows(3))

    result = read(path, TWO)

    rejection = only(result)
    assert (rejection.code, rejection.row, rejection.value) == ("row-tampered", None, "102")
    assert "原第3行" in rejection.reason_zh
    assert [s.participation_id for s in result.scored] == [101, 103]
    assert result.unscored == [102]


def test_a_copied_row_and_a_row_without_id_are_tampering(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [1, 1, "", ""], 3: [2, 2, "", ""], 4: [3, 3, "", ""]})

    def change(wb: Workbook) -> None:
        ws = wb[SCORES_SHEET]
        for column, cell in enumerate(ws[2], start=1):
            ws.cell(row=5, column=column).value = cell.value  # row 2 pasted again below
        ws.cell(row=6, column=score_column(0)).value = 9  # a score typed below the reports
        ws.cell(row=4, column=id_column(2)).value = 555  # an id that is not on this sheet

    edit(path, change)

    result = read(path, TWO)

    assert [(r.code, r.row, r.value) for r in result.rejections] == [
        ("row-tampered", 4, "555"),
        ("row-tampered", 5, "101"),
        ("row-tampered", 6, ""),
        ("row-tampered", None, "103"),
    ]
    assert "第2行重复" in result.rejections[1].reason_zh
    assert [s.participation_id for s in result.scored] == [101, 102]


def test_scores_are_checked_against_the_ranges_given_now(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [9, 5, "", ""]})
    narrower = (TWO[0].model_copy(update={"max": 8.0}), TWO[1])

    rejection = only_error(read(path, narrower))

    assert (rejection.code, rejection.column) == ("score-out-of-range", "深度（0-10）")
    assert "0 到 8" in rejection.reason_zh
