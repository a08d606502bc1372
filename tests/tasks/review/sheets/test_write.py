"""Writing a reviewer's score sheet (tasks/review/sheets/write.py): what it round-trips, the cell
validation, protection and instructions it carries, formula-like text kept as text, and
byte-for-byte determinism."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sheetkit import EVIL, IDS, REVIEWER, TWO, full, make_spec, read, write_and_fill

from schemas.campaign_parts import Criterion
from tasks.review.sheets.layout import (
    META_SHEET,
    SCORES_SHEET,
    ScoredReport,
    comment_column,
    id_column,
    score_column,
    suggestions_column,
)
from tasks.review.sheets.write import write_score_sheet


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
