"""The year's reports index: reports by business day and stage, linked, escaped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tasks.common.reports_index import ReportEntry, add_to_index, index_html, read_index


def entry(day: date, stage: str, file: str, description: str = "拒收行 rejections") -> ReportEntry:
    return ReportEntry(
        day=day, stage=stage, file=file, description=description, run=f"season {day}"
    )


def test_index_lists_reports_by_day_then_stage_with_relative_links() -> None:
    later = entry(date(2024, 12, 2), "review", "run-b/scores.xlsx")
    earlier = entry(date(2024, 10, 8), "mobilize", "run-a/recommendations-rejections.xlsx")

    page = index_html(2024, [later, earlier])

    assert page.index("2024-10-08") < page.index("2024-12-02")
    assert '<a href="../run-a/recommendations-rejections.xlsx">' in page
    assert "<td>mobilize</td>" in page
    assert "共 2 份报告" in page


def test_index_escapes_what_a_user_may_have_typed() -> None:
    typed = entry(date(2024, 10, 8), "submit", "run-a/<b>x</b>.xlsx", "<script>alert(1)</script>")

    page = index_html(2024, [typed])

    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="../run-a/%3Cb%3Ex%3C/b%3E.xlsx"' in page


def test_the_same_file_recorded_twice_is_listed_once(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    add_to_index(reports, 2024, entry(date(2024, 12, 27), "meeting", "run-m/meeting-pack.xlsx"))
    page = add_to_index(
        reports, 2024, entry(date(2024, 12, 27), "meeting", "run-m/meeting-pack.xlsx", "again")
    )

    assert page == reports / "2024" / "index.html"
    assert [e.description for e in read_index(reports, 2024)] == ["again"]
    assert page.read_text(encoding="utf-8").count("meeting-pack.xlsx</a>") == 1
    assert read_index(reports, 2025) == []
