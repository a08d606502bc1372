"""Write xlsx and CSV files safely: text from inputs never becomes a formula.

Any string that starts with `=`, `+`, `-` or `@` is stored as a text cell in xlsx and gets a
leading apostrophe in CSV, so a value an operator or an enterprise typed is shown, never run.
Writes only where the caller says, which is always inside the workspace.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tasks.common.file_links import publish_file

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FIXED_TIMESTAMP = datetime(2000, 1, 1, tzinfo=UTC)


def is_formula_like(value: object) -> bool:
    """Return whether a value would be read as a formula by a spreadsheet program."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value: object) -> object:
    """Return a value for a CSV cell, with a leading apostrophe on formula-like text."""
    return f"'{value}" if is_formula_like(value) else value


SheetData = tuple[str, Sequence[str], Iterable[Sequence[Any]]]  # title, headers, rows


def write_sheets(path: Path, sheets: Sequence[SheetData], *, max_width: int = 60) -> Path:
    """Write one worksheet per (title, headers, rows): bold frozen headers, fitted widths.

    Strings are always text cells, so a value starting with `=` is shown, never run; the file's
    timestamps are fixed, so the same rows give the same workbook. Writes `path`; returns it.
    Inside a run the workbook is also published (a link artifact; a run's report goes into the
    year's reports index: tasks/common/file_links.py).
    """
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) for h in headers]
        for r_index, row in enumerate(rows, start=2):
            for c_index, value in enumerate(row, start=1):
                cell = ws.cell(row=r_index, column=c_index, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if c_index <= len(widths) and value is not None:
                    widths[c_index - 1] = max(widths[c_index - 1], min(len(str(value)), max_width))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(8, width * 1.6)
        ws.freeze_panes = "A2"
    wb.properties.created = FIXED_TIMESTAMP.replace(tzinfo=None)
    wb.properties.modified = FIXED_TIMESTAMP.replace(tzinfo=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    titles = "、".join(title for title, _, _ in sheets)
    publish_file(path, f"工作簿 (workbook) {path.name}: {titles}")
    return path


def write_sheet(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
) -> Path:
    """Write one worksheet with a bold header row; strings are always text cells. Returns path."""
    return write_sheets(path, [(title, headers, rows)])


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write a UTF-8 (with BOM, for Excel) CSV with formula-like text neutralised. Returns path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([csv_safe(v) for v in row])
    return path
