"""Reading a workbook into grids: physical rows, merged ranges filled and marked, formulas."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from schemas.rejection import UnreadableInput
from tasks.common.xlsx_grid import check_xlsx_bytes, mark_formulas, read_xlsx_grids


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["标题"])
    ws.append(["a", "b", "c"])
    ws.append([1, "x", None])
    ws.append([2, None, "=A3+A4"])
    ws.append([3, None, None])
    ws.merge_cells("B3:B5")
    wb.save(path)
    return path


def test_merged_ranges_are_filled_down_and_marked_with_their_range(tmp_path: Path) -> None:
    [grid] = read_xlsx_grids(_workbook(tmp_path / "w.xlsx"), "w.xlsx")

    assert [row[1] for row in grid.rows] == [None, "b", "x", "x", "x"]
    assert grid.merged == {(3, 1): "B3:B5", (4, 1): "B3:B5"}


def test_formula_cells_are_marked_by_a_second_read(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "w.xlsx")
    [grid] = read_xlsx_grids(path, "w.xlsx")

    mark_formulas(path, 0, grid)

    assert (grid.formulas, grid.rows[3][2]) == ({(3, 2)}, None)  # openpyxl computes nothing


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty-file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-or-encrypted-xlsx"),
        (b"code,name\n", "not-xlsx"),
        (b"PK\x03\x04 cut short", "damaged-xlsx"),
    ],
)
def test_files_that_are_not_whole_workbooks_are_refused_with_their_reason(
    tmp_path: Path, data: bytes, code: str
) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)

    with pytest.raises(UnreadableInput) as info:
        check_xlsx_bytes(path, "f.xlsx")

    assert info.value.code == code
