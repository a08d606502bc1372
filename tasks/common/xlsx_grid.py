"""Read an xlsx workbook's sheets into grids of values, with where formulas and merges sit.

A grid row is the sheet's physical row (index 0 = row 1), so row numbers in reports are the ones
the operator sees. Merged ranges are filled down (every cell of a range gets the top-left value)
and each covered cell is marked with its range ("D2:D5"); formula cells are marked too and carry
the value Excel last computed (openpyxl cannot compute; a file written by a program that never
computed it has none). The caller decides per column what a mark means (schemas/columns.py,
`identity`). Damaged, empty and disguised files raise UnreadableInput with a specific reason;
no message carries a cell's content. Reads only.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from schemas.rejection import UnreadableInput

MAX_SHEETS = 5  # sheets searched for a header (the template's 填表说明 comes second)
MAX_COLUMNS = 200
MAX_ROWS = 100_000
_OLE = b"\xd0\xcf\x11\xe0"  # old .xls, and any password-protected workbook


@dataclass
class Grid:
    """One sheet as values by physical row, and the marks of its formula and merged cells."""

    title: str
    rows: list[list[Any]]
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row index, column index)
    merged: dict[tuple[int, int], str] = field(default_factory=dict)  # covered cell -> range


def _refuse(name: str, code: str, zh: str, en: str) -> UnreadableInput:
    return UnreadableInput(name, code, zh, en)


def check_xlsx_bytes(path: Path, name: str) -> None:
    """Raise UnreadableInput when a .xlsx file is empty, truncated or not a workbook at all."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise _refuse(
            name, "empty-file", "文件为空（0 字节），请重新导出后再发送", "the file is empty"
        )
    if head.startswith(_OLE):
        raise _refuse(
            name,
            "old-or-encrypted-xlsx",
            "这是旧版 Excel (.xls) 或设置了打开密码的文件，请取消密码并另存为 .xlsx",
            "an old .xls or a password-protected workbook: remove the password, save as .xlsx",
        )
    if not head.startswith(b"PK"):
        raise _refuse(
            name,
            "not-xlsx",
            "扩展名是 .xlsx，但内容不是 Excel 文件（可能是改了扩展名的 CSV 或网页），"
            "请在 Excel 中另存为 .xlsx",
            "named .xlsx but not an Excel workbook (a renamed CSV or web page?): save as .xlsx",
        )
    if not zipfile.is_zipfile(path):
        raise _refuse(
            name,
            "damaged-xlsx",
            "Excel 文件不完整或已损坏（可能没有下载或复制完整），请重新保存后再发送",
            "the workbook is truncated or damaged (an incomplete download?): save and send again",
        )


def read_xlsx_grids(path: Path, name: str) -> list[Grid]:
    """Return the first sheets of a workbook as grids (values, merges); formulas come later."""
    check_xlsx_bytes(path, name)
    try:
        with warnings.catch_warnings():  # openpyxl's warnings may quote the file's parts
            warnings.simplefilter("ignore")
            wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged parts: one reason for all
        raise _refuse(
            name,
            "damaged-xlsx",
            f"Excel 文件已损坏，无法打开（{type(exc).__name__}），请在 Excel 中另存为 .xlsx 后重发",
            f"the workbook is damaged ({type(exc).__name__}): save it again as .xlsx",
        ) from None
    try:
        return [_grid(ws, name) for ws in wb.worksheets[:MAX_SHEETS] if isinstance(ws, Worksheet)]
    finally:
        wb.close()


def _grid(ws: Worksheet, name: str) -> Grid:
    """Return one sheet's values by physical row, merged ranges filled down and marked."""
    if ws.max_row > MAX_ROWS:
        raise _refuse(
            name,
            "too-many-rows",
            f"工作表“{ws.title}”超过 {MAX_ROWS} 行，请删除多余的空行或拆分文件",
            f"a sheet has more than {MAX_ROWS} rows",
        )
    width = min(ws.max_column, MAX_COLUMNS)
    rows = [list(r) for r in ws.iter_rows(min_row=1, max_col=width, values_only=True)]
    grid = Grid(ws.title, rows)
    for merged in ws.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= width:
            continue
        value = rows[top][left]
        for r in range(top, min(merged.max_row, len(rows))):
            for c in range(left, min(merged.max_col, width)):
                if (r, c) != (top, left):
                    rows[r][c] = value
                    grid.merged[(r, c)] = merged.coord
    return grid


def mark_formulas(path: Path, grid_index: int, grid: Grid) -> None:
    """Mark the formula cells of one sheet in its grid (a second, streaming read of the file)."""
    with warnings.catch_warnings():  # as in read_xlsx_grids
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[grid_index]
        for r, row in enumerate(
            ws.iter_rows(min_row=1, max_col=MAX_COLUMNS, max_row=len(grid.rows))
        ):
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    grid.formulas.add((r, c))
    finally:
        wb.close()
