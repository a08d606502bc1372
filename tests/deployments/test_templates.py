"""`campaign template KIND`: a template people fill without the docs, and that imports as filled."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from prefect.logging import disable_run_logger
from pydantic import BaseModel
from typer.testing import CliRunner

from deployments.cli import app
from deployments.templates import CHOICES_TITLE, NOTES_TITLE, TEXT_KEYS, write_template
from schemas.choices import CHOICES
from schemas.columns import (
    ASSOCIATIONS,
    ATTENDANCE,
    BASIC_INFO,
    CHAIR_DECISIONS,
    FINANCIALS,
    INPUT_KINDS,
    RECEIPTS,
    RECOMMENDATIONS,
    REPORT_MANIFEST,
    REVIEW_ABSENCES,
    REVIEW_OVERRIDES,
    ROSTER,
    InputKind,
)
from schemas.enums import OverQuota
from schemas.form_rows import BasicInfoRow, FinancialRow
from schemas.rows import (
    AbsenceRow,
    AssociationRow,
    AttendanceRow,
    ChairDecisionRow,
    ManifestRow,
    OverrideRow,
    ReceiptRow,
    RecommendationRow,
    RosterRow,
)
from schemas.settings import Settings
from tasks.common.tabular import read_table
from tasks.common.validation import validate_rows
from tasks.mobilize.ingest import ingest_recommendations

MODELS: dict[str, type[BaseModel]] = {
    ASSOCIATIONS.key: AssociationRow,
    RECOMMENDATIONS.key: RecommendationRow,
    RECEIPTS.key: ReceiptRow,
    BASIC_INFO.key: BasicInfoRow,
    FINANCIALS.key: FinancialRow,
    ROSTER.key: RosterRow,
    ATTENDANCE.key: AttendanceRow,
    REPORT_MANIFEST.key: ManifestRow,
    REVIEW_OVERRIDES.key: OverrideRow,
    CHAIR_DECISIONS.key: ChairDecisionRow,
    REVIEW_ABSENCES.key: AbsenceRow,
}


def _fill_with_example(template: Path, out: Path) -> Path:
    """Copy the 填表说明 sheet's example row into the data sheet's row 2, as a person would."""
    wb = load_workbook(template)
    data, notes = wb.worksheets[0], wb[NOTES_TITLE]
    example = [c.value for c in list(notes.iter_rows())[-1]]
    for column, value in enumerate(example, start=1):
        data.cell(row=2, column=column, value=value)
    wb.save(out)
    return out


def _data_validations(ws: Worksheet) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Return column letter -> (type, formula, prompt) of each data validation on the sheet."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        out[letter] = (dv.type, dv.formula1, dv.prompt)
    return out


def test_every_kind_has_a_model_here() -> None:
    assert set(MODELS) == set(INPUT_KINDS)


@pytest.mark.parametrize("kind", list(INPUT_KINDS.values()), ids=list(INPUT_KINDS))
def test_template_filled_with_its_example_imports_without_a_problem(
    kind: InputKind, tmp_path: Path
) -> None:
    template = write_template(kind, tmp_path / "t.xlsx", 2024)

    filled = _fill_with_example(template, tmp_path / f"{kind.key}.xlsx")
    good, problems = validate_rows(read_table(filled, kind), kind, MODELS[kind.key])

    assert ([raw.number for _, raw in good], problems) == ([2], [])


@pytest.mark.parametrize("kind", list(INPUT_KINDS.values()), ids=list(INPUT_KINDS))
def test_template_marks_required_columns_formats_codes_as_text_and_offers_lists(
    kind: InputKind, tmp_path: Path
) -> None:
    wb = load_workbook(write_template(kind, tmp_path / "t.xlsx", 2024))
    data = wb.worksheets[0]
    validations = _data_validations(data)

    headers = [c.value for c in data[1]]
    assert headers == [f"{c.header}*" if c.required else c.header for c in kind.columns]
    for index, spec in enumerate(kind.columns):
        letter = data.cell(row=1, column=index + 1).column_letter
        text = data.cell(row=2, column=index + 1).number_format == "@"
        assert text == (spec.key in TEXT_KEYS), spec.key
        kind_, formula, prompt = validations[letter]
        assert prompt, spec.key  # every column has a Chinese input message
        if spec.key in CHOICES:
            assert (kind_, formula is not None and CHOICES_TITLE in formula) == ("list", True)
    assert [ws.title for ws in wb.worksheets] == [kind.title[:31], NOTES_TITLE, CHOICES_TITLE]
    assert wb[CHOICES_TITLE].sheet_state == "hidden"


def test_recommendation_template_offers_yes_no_kinds_districts_and_industries(
    tmp_path: Path,
) -> None:
    wb = load_workbook(write_template(RECOMMENDATIONS, tmp_path / "t.xlsx", 2024))
    choices = wb[CHOICES_TITLE]
    lists = {
        col[0].value: [c.value for c in col[1:] if c.value is not None]
        for col in choices.iter_cols()
    }

    assert lists["单位类型"] == ["企业", "事业单位", "协会"]
    assert lists["是否上市"] == ["是", "否"]
    assert "浦东新区" in lists["所在区"]
    assert len(lists["所在区"]) == 16
    assert "制造业" in lists["所属行业"]


def test_template_command_writes_the_file_for_the_year(tmp_path: Path) -> None:
    out = tmp_path / "recommendations.xlsx"

    result = CliRunner().invoke(
        app, ["template", "recommendations", "--out", str(out), "--year", "2024"]
    )

    assert result.exit_code == 0, result.output
    notes = load_workbook(out)[NOTES_TITLE]
    example = [c.value for c in list(notes.iter_rows())[-1]]
    assert "2024" in example
    assert "contact@example.com" in example


def test_recommendation_and_association_templates_round_trip_through_the_ingest(
    workspace: Path, tmp_path: Path
) -> None:
    associations = _fill_with_example(
        write_template(ASSOCIATIONS, tmp_path / "a.xlsx", 2024), tmp_path / "associations.xlsx"
    )
    recommendations = _fill_with_example(
        write_template(RECOMMENDATIONS, tmp_path / "r.xlsx", 2024), tmp_path / "A001.xlsx"
    )

    with disable_run_logger():
        summary = ingest_recommendations.fn(
            Settings(),
            2024,
            date(2024, 10, 10),
            str(associations),
            [str(recommendations)],
            OverQuota.HOLD,
            "reports/template",
        )

    assert (summary.rows_accepted, summary.rows_rejected, summary.files_rejected) == (1, 0, 0)
