"""Read operators' tabular files (xlsx, CSV in UTF-8/GB18030/UTF-16) into raw rows by column key.

Headers are matched against an input kind's column specs (Chinese headers, English aliases); the
header row may sit below a title row, and the first of the workbook's sheets that has one is
read. Cells keep their stored type (a USCC stored as a number stays a number, so validation can
reject it). What a formula or a merged cell means per column is tasks/common/table_rows.py's.
A file that cannot be used raises UnreadableInput naming the file and the problem, never its
content; any other error while reading becomes one too. Reads only; never writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from schemas.columns import InputKind, normalise_header
from schemas.rejection import UnreadableInput
from tasks.common.table_rows import HeaderRow, RawRow, Table, table_from_grid
from tasks.common.text_files import decode_text
from tasks.common.xlsx_grid import Grid, mark_formulas, read_xlsx_grids

__all__ = ["RawRow", "Table", "read_table"]

HEADER_SEARCH_ROWS = 5
MAX_BYTES = 50 * 1024 * 1024


def read_table(path: Path, kind: InputKind, *, label: str | None = None) -> Table:
    """Read an xlsx or CSV file of the given input kind; raise UnreadableInput if unusable."""
    name = label or path.name
    try:
        return _read_table(path, kind, name)
    except UnreadableInput:
        raise
    except Exception as exc:  # any other failure is this file's alone; its text may hold data
        raise UnreadableInput(
            name,
            "unreadable-file",
            f"文件无法读取（{type(exc).__name__}），请另存为 .xlsx 后重发",
            f"the file cannot be read ({type(exc).__name__}): save it as .xlsx and send again",
        ) from None


def _read_table(path: Path, kind: InputKind, name: str) -> Table:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableInput(
            name, "unreadable-file", "文件无法读取", f"cannot read: {exc.strerror}"
        ) from None
    if size > MAX_BYTES:
        raise UnreadableInput(
            name, "file-too-large", "文件过大", f"file is larger than {MAX_BYTES} bytes"
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        grids = read_xlsx_grids(path, name)
        index, grid, header = _first_with_header(grids, kind, name)
        mark_formulas(path, index, grid)
        return table_from_grid(grid, header, kind, name)
    if suffix in (".csv", ".txt", ".tsv"):
        if size == 0:
            raise UnreadableInput(
                name, "empty-file", "文件为空（0 字节），请重新导出后再发送", "the file is empty"
            )
        grid = Grid("csv", [list(r) for r in _csv_grid(path.read_bytes(), name)])
        return table_from_grid(grid, _header_row(grid, kind, name), kind, name)
    raise UnreadableInput(
        name,
        "unsupported-format",
        "不支持的文件格式，请另存为 .xlsx 或 .csv",
        f"unsupported file type {suffix or '(none)'}: save as .xlsx or .csv",
    )


def _csv_grid(data: bytes, name: str) -> list[Sequence[Any]]:
    text = decode_text(data, name)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        return [tuple(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise UnreadableInput(name, "bad-csv", "CSV 格式错误", f"malformed CSV: {exc}") from None


def _match_headers(cells: Iterable[Any], kind: InputKind) -> tuple[dict[int, str], list[str]]:
    lookup = {n: spec.key for spec in kind.columns for n in spec.names()}
    found: dict[int, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = "" if cell is None else str(cell)
        key = lookup.get(normalise_header(text))
        if key is None or key in found.values():
            if text.strip():
                ignored.append(text.strip())
            continue
        found[index] = key
    return found, ignored


def _header_row(grid: Grid, kind: InputKind, name: str) -> HeaderRow:
    """Return the best header row among a sheet's first rows; raise if none names a column."""
    best: HeaderRow | None = None
    for i, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        found, ignored = _match_headers(row, kind)
        if best is None or len(found) > len(best.columns):
            best = HeaderRow(i, found, ignored)
    if best is None or not best.columns:
        raise UnreadableInput(
            name,
            "no-header",
            f"未找到表头，不像是“{kind.title}”",
            f"no recognisable header row: is this a {kind.title_en}?",
        )
    missing = [c for c in kind.required() if c.key not in best.columns.values()]
    if missing:
        zh = "、".join(c.header for c in missing)
        en = ", ".join(f"{c.header} ({c.key})" for c in missing)
        raise UnreadableInput(
            name, "missing-columns", f"缺少必需的列：{zh}", f"missing required columns: {en}"
        )
    return best


def _first_with_header(
    grids: Sequence[Grid], kind: InputKind, name: str
) -> tuple[int, Grid, HeaderRow]:
    """Return the first sheet whose header names this kind's columns (else the first's error)."""
    first_error: UnreadableInput | None = None
    for index, grid in enumerate(grids):
        try:
            return index, grid, _header_row(grid, kind, name)
        except UnreadableInput as exc:
            first_error = first_error or exc
    if first_error is None:
        raise UnreadableInput(name, "no-header", "工作簿中没有工作表", "the workbook has no sheet")
    raise first_error
