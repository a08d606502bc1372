"""Markdown tables for the statistics and the media kit: bilingual headers, escaped cells."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tasks.release.statistics.markdown import cell_text, header, markdown_table


def test_header_gives_chinese_and_the_column_key() -> None:
    assert header("on_time") == "按时 on_time"
    assert header("no_such_column") == "no_such_column"


def test_cells_escape_html_and_markdown_so_names_stay_text() -> None:
    assert cell_text("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert cell_text("[x](javascript:alert(1))") == "\\[x\\]\\(javascript:alert\\(1\\)\\)"
    assert cell_text("a|b\nc") == "a\\|b c"


def test_cells_show_numbers_dates_and_missing_values_plainly() -> None:
    assert [cell_text(v) for v in (3, -0.05, 0.1167, None, float("nan"), date(2024, 11, 30))] == [
        "3",
        "-0.05",
        "0.1167",
        "",
        "",
        "2024-11-30",
    ]


def test_markdown_table_has_one_line_per_row_and_says_when_empty() -> None:
    frame = pd.DataFrame({"topic": ["组织治理", "a|b"], "share": [0.75, 0.0]})

    assert markdown_table(frame).splitlines() == [
        "| 议题 topic | 占比 share |",
        "|---|---|",
        "| 组织治理 | 0.75 |",
        "| a\\|b | 0 |",
    ]
    assert markdown_table(frame.iloc[0:0]) == "(无 none)"
