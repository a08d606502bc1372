"""Helpers for the score sheet tests (tests/tasks/review/sheets/): a sheet spec, filling a written
sheet as a reviewer would, reading it back for REVIEWER in 2024, and looking at its rejections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from schemas.campaign_parts import Criterion
from schemas.rejection import Rejection
from tasks.review.sheets.layout import (
    SCORES_SHEET,
    SheetReport,
    SheetResult,
    SheetSpec,
    comment_column,
    score_column,
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


def only(result: SheetResult) -> Rejection:
    """Return the single rejection of a result."""
    assert len(result.rejections) == 1, result.rejections
    return result.rejections[0]


def only_error(result: SheetResult) -> Rejection:
    """Return the single error of a result (blank rows add warnings beside it)."""
    assert len(result.errors) == 1, result.rejections
    return result.errors[0]


def edit(path: Path, change: Any) -> None:
    """Open the workbook, let `change(wb)` alter it, save it back."""
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
