"""Rejection reports: a workbook only when there is a problem to list."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from schemas.rejection import Rejection, Severity
from tasks.common.rejection_reports import write_rejection_report


def test_no_problem_writes_no_workbook(tmp_path: Path) -> None:
    path = write_rejection_report(tmp_path / "reports" / "x-rejections.xlsx", [])

    assert path == tmp_path / "reports" / "x-rejections.xlsx"
    assert not path.exists()  # operators browsing reports/ find only workbooks with problems


def test_a_problem_is_written_with_its_file_row_and_reason(tmp_path: Path) -> None:
    problem = Rejection(
        file="A001.xlsx",
        row=4,
        column="联系邮箱",
        value="zhang@@example.com",
        code="bad-email",
        reason_zh="邮箱格式不正确",
        reason_en="not a valid email address",
        severity=Severity.ERROR,
    )

    path = write_rejection_report(tmp_path / "r.xlsx", [problem])

    rows = list(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert {"A001.xlsx", 4, "bad-email", "邮箱格式不正确"} <= set(rows[0])
