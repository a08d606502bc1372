"""Reading a returned score sheet at file level (tasks/review/sheets/read.py): files that are not
xlsx or not ours, tampered sheets, other criteria, the wrong reviewer or year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sheetkit import IDS, REVIEWER, TWO, codes, edit, only, read, write_and_fill

from schemas.enums import Severity
from tasks.common.spreadsheets import write_sheet
from tasks.review.sheets.layout import META_MAPPING_FIRST_ROW, META_SHEET, SCORES_SHEET


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scores.xlsx", "专家评分,85\n".encode()),
        ("scores.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"),
        ("empty.xlsx", b""),
    ],
)
def test_a_file_that_is_not_xlsx_is_one_file_level_rejection(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    result = read(path, TWO)

    rejection = only(result)
    assert (rejection.code, rejection.row, rejection.file) == ("sheet-unreadable", None, name)
    assert "xlsx" in rejection.reason_zh
    assert (result.scored, result.reviewer_key, result.accepted) == ([], None, False)


def test_a_truncated_sheet_is_unreadable(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [8, 4, "好", ""]})
    path.write_bytes(path.read_bytes()[:-300])

    assert only(read(path, TWO)).code == "sheet-unreadable"


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    assert only(read(tmp_path / "nowhere.xlsx", TWO)).code == "sheet-unreadable"


def test_a_workbook_that_is_not_our_sheet_is_not_ours(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "other.xlsx", ["参评单位", "深度"], [["甲", 8]], title=SCORES_SHEET
    )

    rejection = only(read(path, TWO))

    assert (rejection.code, rejection.row) == ("sheet-not-ours", None)
    assert "_meta" in rejection.reason_en


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda wb: wb.remove(wb[META_SHEET]), "_meta sheet is missing"),
        (lambda wb: wb[META_SHEET].cell(row=3, column=2, value="x@y.org"), "sheet id"),
        (
            lambda wb: wb[META_SHEET].cell(row=META_MAPPING_FIRST_ROW, column=2, value=999),
            "sheet id",
        ),
        (lambda wb: wb[META_SHEET].cell(row=2, column=2, value="2024年"), "malformed"),
        (lambda wb: wb[SCORES_SHEET].insert_cols(3), "headers moved"),
        (lambda wb: wb[SCORES_SHEET].delete_cols(4), "headers moved"),
        (lambda wb: setattr(wb[SCORES_SHEET], "title", "Sheet1"), "no sheet named"),
    ],
)
def test_a_tampered_sheet_is_not_ours(tmp_path: Path, change: Any, why: str) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [8, 4, "好", ""]})
    edit(path, change)

    result = read(path, TWO)

    rejection = only(result)
    assert (rejection.code, rejection.row, rejection.severity) == (
        "sheet-not-ours",
        None,
        Severity.ERROR,
    )
    assert why in rejection.reason_en
    assert result.scored == []


def test_a_sheet_written_for_other_criteria_is_not_ours(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [8, 4, "", ""]})

    rejection = only(read(path, (*TWO[:1], TWO[1].model_copy(update={"key": "clear"}))))

    assert rejection.code == "sheet-not-ours"
    assert "评分项（depth、clarity）" in rejection.reason_zh


def test_a_colleagues_sheet_is_rejected_as_wrong_reviewer(tmp_path: Path) -> None:
    path = write_and_fill(
        tmp_path, TWO, {2: [8, 4, "", ""], 3: [7, 3, "", ""]}, reviewer="wang@experts.example.org"
    )

    result = read(path, TWO, expected_reviewer=REVIEWER)

    rejection = only(result)
    assert (rejection.code, rejection.row, rejection.value) == (
        "sheet-wrong-reviewer",
        None,
        "wang@experts.example.org",
    )
    assert "wang@experts.example.org" in rejection.reason_zh
    assert (result.scored, result.reviewer_key) == ([], "wang@experts.example.org")
    assert not result.accepted


def test_reviewer_keys_compare_without_case_and_without_an_expectation(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [8, 4, "", ""]})

    assert read(path, TWO, expected_reviewer=" LI.MING@Experts.example.org").accepted
    anyone = read(path, TWO, expected_reviewer=None)
    assert (anyone.reviewer_key, [s.participation_id for s in anyone.scored]) == (REVIEWER, [101])


def test_a_sheet_of_another_year_is_rejected_as_wrong_year(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [8, 4, "", ""]})

    result = read(path, TWO, campaign_year=2025, expected_reviewer="x@experts.example.org")

    assert codes(result) == [
        ("sheet-wrong-year", None, "", "error"),
        ("sheet-wrong-reviewer", None, "", "error"),
    ]
    assert result.scored == []
    assert result.unscored == list(IDS)
