"""Reviewers' score sheets: written by the product, filled in with openpyxl as a reviewer would,
read back into complete reports and rejections with stable codes."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Criterion
from schemas.enums import Severity
from schemas.rejection import Rejection
from tasks.common.spreadsheets import write_sheet
from tasks.review.sheets.layout import (
    META_MAPPING_FIRST_ROW,
    META_SHEET,
    SCORES_SHEET,
    RepeatedOnSheet,
    ScoredReport,
    SheetReport,
    SheetResult,
    SheetSpec,
    comment_column,
    id_column,
    score_column,
    sheet_id,
    suggestions_column,
)
from tasks.review.sheets.read import read_score_sheet
from tasks.review.sheets.write import write_score_sheet

REVIEWER = "li.ming@experts.example.org"
EVIL = '=HYPERLINK("http://evil.example.com","x")'
IDS = (101, 102, 103)
TWO = (
    Criterion(key="depth", name="深度", name_en="depth", weight=0.6, min=0, max=10),
    Criterion(key="clarity", name="清晰度", name_en="clarity", weight=0.4, min=1, max=5.5),
)


@pytest.fixture
def criteria(campaign_2024: CampaignFile) -> tuple[Criterion, ...]:
    """The six criteria of the 2024 review guide (0-100 each)."""
    return tuple(campaign_2024.review.criteria)


def make_spec(
    criteria: Sequence[Criterion],
    *,
    reviewer: str = REVIEWER,
    ids: Sequence[int] = IDS,
    unit_name: str | None = None,
) -> SheetSpec:
    """Return a sheet spec for one reviewer with a report per participation id."""
    return SheetSpec(
        campaign_year=2024,
        campaign_title="第十三届上海市企业社会责任报告发布会",
        reviewer_key=reviewer,
        reviewer_name="李明",
        criteria=tuple(criteria),
        deadline=date(2024, 12, 13),
        reports=tuple(
            SheetReport(
                participation_id=pid,
                unit_name=unit_name or f"上海测试{pid}科技有限公司",
                report_title=f"2023年度社会责任报告（{pid}）",
                hint="核心议题 7/9；引用标准：GRI、GB/T 36000",
                file_name=f"91310115{pid}.pdf",
            )
            for pid in ids
        ),
    )


def fill(path: Path, n_criteria: int, rows: dict[int, Sequence[Any]]) -> None:
    """Type values into the score sheet as a reviewer would: row -> scores, comment, suggestion."""
    wb = load_workbook(path)
    ws = wb[SCORES_SHEET]
    for row, values in rows.items():
        *scores, comment, suggestion = values
        for index, value in enumerate(scores):
            ws.cell(row=row, column=score_column(index), value=value)
        for column, text in (
            (comment_column(n_criteria), comment),
            (suggestions_column(n_criteria), suggestion),
        ):
            if text is not None:
                ws.cell(row=row, column=column).value = text
                ws.cell(row=row, column=column).data_type = "s"  # a text-formatted cell
    wb.save(path)


def write_and_fill(
    tmp_path: Path, criteria: Sequence[Criterion], rows: dict[int, Sequence[Any]], **kw: Any
) -> Path:
    """Write a sheet for the spec and fill the given rows; return its path."""
    path = write_score_sheet(make_spec(criteria, **kw), tmp_path / "sheet.xlsx")
    fill(path, len(criteria), rows)
    return path


def read(path: Path, criteria: Sequence[Criterion], **kw: Any) -> SheetResult:
    """Read a sheet for REVIEWER in 2024 unless told otherwise."""
    kw.setdefault("expected_reviewer", REVIEWER)
    kw.setdefault("campaign_year", 2024)
    return read_score_sheet(path, criteria=criteria, **kw)


def codes(result: SheetResult) -> list[tuple[str, int | None, str, str]]:
    """Return (code, row, column, severity) of every rejection, in order."""
    return [(r.code, r.row, r.column, r.severity.value) for r in result.rejections]


def full(value: float, n: int = 6) -> list[float]:
    """Return the same score for n criteria."""
    return [value] * n


# --- writing -------------------------------------------------------------------------------


def test_round_trip_returns_exact_scores_comments_and_suggestions(
    tmp_path: Path, criteria: tuple[Criterion, ...]
) -> None:
    path = write_and_fill(
        tmp_path,
        criteria,
        {
            2: [87.5, 80, 72.25, 60, 0, 100, "议题识别充分", "补充供应链数据"],
            3: [*full(90), None, None],
            4: [55, 66, 77, 88, 99, 11, "  数据翔实  ", ""],
        },
    )

    result = read(path, criteria)

    keys = [c.key for c in criteria]
    assert result.rejections == []
    assert result.scored == [
        ScoredReport(
            participation_id=101,
            scores=dict(zip(keys, [87.5, 80.0, 72.25, 60.0, 0.0, 100.0], strict=True)),
            comment="议题识别充分",
            suggestions="补充供应链数据",
        ),
        ScoredReport(
            participation_id=102, scores=dict.fromkeys(keys, 90.0), comment="", suggestions=""
        ),
        ScoredReport(
            participation_id=103,
            scores=dict(zip(keys, [55.0, 66.0, 77.0, 88.0, 99.0, 11.0], strict=True)),
            comment="数据翔实",
            suggestions="",
        ),
    ]
    assert (result.reviewer_key, result.campaign_year, result.unscored) == (REVIEWER, 2024, [])
    assert result.sheet_id == make_spec(criteria).sheet_id
    assert result.accepted


def test_score_cells_carry_decimal_validation_with_each_criterion_bounds(tmp_path: Path) -> None:
    path = write_score_sheet(make_spec(TWO), tmp_path / "two.xlsx")

    ws = load_workbook(path)[SCORES_SHEET]

    headers = [ws.cell(row=1, column=score_column(i)).value for i in range(2)]
    assert headers == ["深度（0-10）", "清晰度（1-5.5）"]
    found = {
        str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2, dv.showErrorMessage)
        for dv in ws.data_validations.dataValidation
    }
    assert found == {
        "F2:F4": ("decimal", "between", "0", "10", True),
        "G2:G4": ("decimal", "between", "1", "5.5", True),
    }
    errors = [dv.error for dv in ws.data_validations.dataValidation]
    assert errors == [
        "“深度”请填写 0 到 10 之间的数字（可带小数），不要填写文字。",
        "“清晰度”请填写 1 到 5.5 之间的数字（可带小数），不要填写文字。",
    ]
    assert all(dv.errorStyle == "stop" for dv in ws.data_validations.dataValidation)


def test_sheet_is_protected_with_only_score_and_comment_cells_unlocked(tmp_path: Path) -> None:
    path = write_score_sheet(make_spec(TWO), tmp_path / "two.xlsx")

    wb = load_workbook(path)
    ws, meta = wb[SCORES_SHEET], wb[META_SHEET]

    unlocked = [c.column for c in ws[2] if not c.protection.locked]
    assert unlocked == [score_column(0), score_column(1), comment_column(2), suggestions_column(2)]
    assert ws.protection.sheet
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["B"].width == 28
    assert ws.column_dimensions[get_column_letter(id_column(2))].hidden
    assert [ws.cell(row=r, column=id_column(2)).value for r in (2, 3, 4)] == list(IDS)
    assert meta.sheet_state == "veryHidden"
    assert meta.protection.sheet
    assert wb.security is not None
    assert wb.security.lockStructure
    assert wb.sheetnames == ["填写说明", SCORES_SHEET, META_SHEET]


def test_instructions_list_ranges_weights_and_deadline_in_chinese(
    tmp_path: Path, criteria: tuple[Criterion, ...]
) -> None:
    path = write_score_sheet(make_spec(criteria), tmp_path / "s.xlsx")

    ws = load_workbook(path)["填写说明"]

    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert ["实质性", "materiality", "30%", "0-100"] in [
        [str(c.value) for c in row[:4]] for row in ws.iter_rows()
    ]
    assert "2024年12月13日（星期五），含当天" in texts
    assert "李明（li.ming@experts.example.org）" in texts
    assert any("整行留空" in t for t in texts)


def test_formula_like_unit_names_and_hints_are_written_as_text(tmp_path: Path) -> None:
    spec = make_spec(TWO, unit_name=EVIL)
    spec = spec.model_copy(
        update={"reports": (spec.reports[0].model_copy(update={"hint": "+1 @SUM(A1) -2"}),)}
    )
    path = write_score_sheet(spec, tmp_path / "evil.xlsx")

    ws = load_workbook(path)[SCORES_SHEET]

    assert (ws["B2"].value, ws["B2"].data_type) == (EVIL, "s")
    assert (ws["E2"].value, ws["E2"].data_type) == ("+1 @SUM(A1) -2", "s")
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if "worksheets" in n)
    assert "<f>" not in xml


def test_formula_like_comment_typed_by_a_reviewer_stays_text(tmp_path: Path) -> None:
    path = write_and_fill(tmp_path, TWO, {2: [8, 4, EVIL, "@cmd"], 3: [7, 3, None, None]})

    ws = load_workbook(path)[SCORES_SHEET]
    result = read(path, TWO)

    assert (ws.cell(row=2, column=comment_column(2)).value, ws["H2"].data_type) == (EVIL, "s")
    assert [(s.comment, s.suggestions) for s in result.scored] == [(EVIL, "@cmd"), ("", "")]


def test_comment_saved_as_a_formula_is_read_as_its_literal_text(tmp_path: Path) -> None:
    path = write_score_sheet(make_spec(TWO, ids=[7]), tmp_path / "f.xlsx")
    wb = load_workbook(path)
    ws = wb[SCORES_SHEET]
    ws["F2"], ws["G2"], ws["H2"] = 9, 5, EVIL  # typed into a General cell: saved as a formula
    wb.save(path)

    result = read(path, TWO)

    assert [s.comment for s in result.scored] == [EVIL]


def test_output_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    first = write_score_sheet(make_spec(TWO), tmp_path / "a.xlsx")
    second = write_score_sheet(make_spec(TWO), tmp_path / "b.xlsx")

    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2


def test_sheet_id_depends_on_identity_not_report_order() -> None:
    base = sheet_id(2024, REVIEWER, [3, 1, 2], ["a", "b"])

    assert base == sheet_id(2024, "  LI.Ming@experts.example.org ", [1, 2, 3], ["a", "b"])
    assert base != sheet_id(2024, "other@experts.example.org", [1, 2, 3], ["a", "b"])
    assert base != sheet_id(2024, REVIEWER, [1, 2], ["a", "b"])
    assert base != sheet_id(2024, REVIEWER, [1, 2, 3], ["b", "a"])
    assert base != sheet_id(2025, REVIEWER, [1, 2, 3], ["a", "b"])


def test_spec_refuses_a_participation_twice() -> None:
    with pytest.raises(ValidationError, match="participation appears twice"):
        make_spec(TWO, ids=[5, 5])


def test_spec_refusals_carry_what_was_repeated() -> None:
    with pytest.raises(ValidationError) as twice:
        make_spec(TWO, ids=[5, 6, 5, 6, 5])
    with pytest.raises(ValidationError, match="criterion key appears twice") as doubled:
        make_spec((*TWO, TWO[0]))

    [error] = twice.value.errors()
    [criterion] = doubled.value.errors()
    refused = error["ctx"]["error"]
    assert isinstance(refused, RepeatedOnSheet)
    assert (refused.what, refused.repeated) == (
        "a participation appears twice on one sheet",
        (5, 6),
    )
    assert criterion["ctx"]["error"].repeated == ("depth",)


# --- reading: file level -------------------------------------------------------------------


def only(result: SheetResult) -> Rejection:
    """Return the single rejection of a result."""
    assert len(result.rejections) == 1, result.rejections
    return result.rejections[0]


def only_error(result: SheetResult) -> Rejection:
    """Return the single error of a result (blank rows add warnings beside it)."""
    assert len(result.errors) == 1, result.rejections
    return result.errors[0]


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


def edit(path: Path, change: Any) -> None:
    """Open the workbook, let `change(wb)` alter it, save it back."""
    wb = load_workbook(path)
    change(wb)
    wb.save(path)


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


# --- reading: rows -------------------------------------------------------------------------


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
