"""The year's reports index: every report a run wrote, by business day and stage, with links.

Runs write their reports into `<workspace>/reports/<run id>/` (a folder per run, named by its
id). `add_to_index` records one written report in `reports/<year>/index.json` (the same file
again replaces its line) and rewrites `reports/<year>/index.html`, a page an operator opens in
a browser: one table, business day, then stage, then file, each linked relative to the page.
Called by tasks/common/file_links.py when a file is published; `index_html` is pure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, TypeAdapter

REPORTS = "reports"  # the folder under the workspace that holds one folder per run
INDEX_JSON, INDEX_HTML = "index.json", "index.html"


class ReportEntry(BaseModel):
    """One report in the index: the day and stage it stands for, the file, what it is."""

    model_config = ConfigDict(frozen=True)

    day: date
    stage: str
    file: str  # relative to reports/: <run id>/<name>
    description: str
    run: str  # the run's name, e.g. "season 2024-12-02"


ENTRIES = TypeAdapter(list[ReportEntry])


def index_html(year: int, entries: Sequence[ReportEntry]) -> str:
    """Return the index page: a table of reports by business day and stage, linked. Pure.

    Every text is HTML-escaped (file names and descriptions may carry what a user typed).
    """
    rows = []
    for e in sorted(entries, key=lambda e: (e.day, e.stage, e.file)):
        href = "../" + quote(e.file)
        rows.append(
            f"<tr><td>{e.day.isoformat()}</td><td>{escape(e.stage)}</td>"
            f'<td><a href="{escape(href)}">{escape(e.file)}</a></td>'
            f"<td>{escape(e.description)}</td><td>{escape(e.run)}</td></tr>"
        )
    body = "\n".join(rows) or '<tr><td colspan="5">尚无报告 (no reports yet)</td></tr>'
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{year} 年度报告索引 (reports index)</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head>\n<body>"
        f"<h1>{year} 年度运行报告索引 (reports by business day and stage)</h1>\n"
        f"<p>共 {len(entries)} 份报告 ({len(entries)} reports)</p>\n<table>\n"
        "<tr><th>业务日期 (business day)</th><th>环节 (stage)</th><th>文件 (file)</th>"
        "<th>说明 (what)</th><th>运行 (run)</th></tr>\n"
        f"{body}\n</table></body></html>\n"
    )


def read_index(reports: Path, year: int) -> list[ReportEntry]:
    """Return the entries recorded for `year` under the reports folder (none yet: empty)."""
    path = reports / str(year) / INDEX_JSON
    if not path.is_file():
        return []
    return ENTRIES.validate_json(path.read_bytes())


def _replace(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def add_to_index(reports: Path, year: int, entry: ReportEntry) -> Path:
    """Record a report in the year's index and rewrite its page; return the page's path.

    Side effects: writes `reports/<year>/index.json` and `index.html` (each replaced whole, so a
    reader never sees half a file). The same file recorded again replaces its entry.
    """
    folder = reports / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    entries = [e for e in read_index(reports, year) if e.file != entry.file] + [entry]
    dumped = [e.model_dump(mode="json") for e in entries]
    _replace(folder / INDEX_JSON, json.dumps(dumped, ensure_ascii=False, indent=1))
    page = folder / INDEX_HTML
    _replace(page, index_html(year, entries))
    return page
