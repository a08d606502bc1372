"""Turn a sheet's grid under its header into raw rows by column key, per the column's kind.

In identity columns (schemas/columns.py) a formula or a merged cell covering several rows becomes
a `CellProblem` that validation turns into a row rejection; elsewhere a formula gives the value
Excel computed and a merged range is filled down, with one warning naming the range. A row whose
only values come from merged ranges (the tail of a merged block) is not a row. A header and no
rows is a file-level problem unless the kind allows an empty file. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from schemas.columns import InputKind
from schemas.enums import Severity
from schemas.rejection import Rejection, UnreadableInput
from tasks.common.xlsx_grid import Grid


@dataclass(frozen=True)
class RawRow:
    """One data row: its spreadsheet row number (header = its own row) and cells by column key."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class CellProblem:
    """A cell refused as read (a formula or a merged range in an identity column)."""

    code: str
    reason_zh: str
    reason_en: str
    shown: str  # what the report shows for the cell: never the formula's text


@dataclass(frozen=True)
class Table:
    """The rows of one input file, the headers we did not recognise, and warnings on reading."""

    file: str
    rows: list[RawRow]
    ignored_headers: list[str]
    notes: list[Rejection] = field(default_factory=list)


class HeaderRow(NamedTuple):
    """A candidate header row: where it is, the columns it names (position -> key), the rest."""

    position: int  # 0-based, in the grid read
    columns: dict[int, str]
    ignored: list[str]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def table_from_grid(grid: Grid, header: HeaderRow, kind: InputKind, name: str) -> Table:
    """Return the data rows under the header, identity cells checked, merged ranges noted."""
    identity = kind.identity_keys()
    filled: dict[str, str] = {}  # merged range -> column key, for the warnings
    rows: list[RawRow] = []
    for r in range(header.position + 1, len(grid.rows)):
        row = grid.rows[r]
        cells: dict[str, Any] = {}
        own = False  # whether the row has a value of its own (not only a merged range's)
        for c, key in header.columns.items():
            value = row[c] if c < len(row) else None
            merged = grid.merged.get((r, c))
            own = own or (merged is None and not _blank(value))
            cells[key] = _cell(value, (r, c) in grid.formulas, merged, key in identity)
            if merged is not None and key not in identity:
                filled.setdefault(merged, key)
        if own:
            rows.append(RawRow(number=r + 1, cells=cells))
    if not rows and not kind.allow_empty:
        raise UnreadableInput(
            name, "no-rows", "文件只有表头，没有数据行", "the file has a header but no data rows"
        )
    notes = [_filled_note(kind, name, coord, key) for coord, key in sorted(filled.items())]
    return Table(file=name, rows=rows, ignored_headers=header.ignored, notes=notes)


def _cell(value: Any, formula: bool, merged: str | None, identity: bool) -> Any:
    """Return a cell's value, or the CellProblem its formula or merged range makes of it."""
    if identity and formula:
        return CellProblem(
            "formula-cell",
            "该列须直接填写内容，不能使用公式（如 =HYPERLINK）；请复制后“粘贴为数值”",
            "this column must be typed, not a formula (like =HYPERLINK); paste values instead",
            "（公式）",
        )
    if identity and merged is not None:
        return CellProblem(
            "merged-cell",
            f"合并单元格 {merged} 覆盖了多行；该列每行须单独填写，请取消合并",
            f"merged range {merged} covers several rows; this column needs its own value "
            "in every row: unmerge it",
            merged,
        )
    if formula and value is None:
        return CellProblem(
            "formula-no-value",
            "公式没有计算结果（文件不是由 Excel 保存的）；请复制后“粘贴为数值”",
            "the formula has no computed value (not saved by Excel); paste values instead",
            "（公式）",
        )
    return value


def _filled_note(kind: InputKind, name: str, coord: str, key: str) -> Rejection:
    header = next((c.header for c in kind.columns if c.key == key), key)
    return Rejection(
        file=name,
        row=None,
        column=header,
        value=coord,
        code="merged-filled-down",
        reason_zh=f"合并单元格 {coord} 的值已填入它覆盖的每一行",
        reason_en=f"the value of merged range {coord} was filled into every row it covers",
        severity=Severity.WARNING,
    )
