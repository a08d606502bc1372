"""Rows under a header: identity cells refused when merged or formulas, other columns filled."""

from __future__ import annotations

import pytest

from schemas.columns import RECOMMENDATIONS, REVIEW_OVERRIDES
from schemas.enums import Severity
from schemas.rejection import UnreadableInput
from tasks.common.table_rows import CellProblem, HeaderRow, table_from_grid
from tasks.common.xlsx_grid import Grid

HEADER = HeaderRow(0, {0: "uscc", 1: "industry", 2: "email"}, [])


def _grid(rows: list[list[object]], **marks: object) -> Grid:
    grid = Grid("s", [["统一社会信用代码", "所属行业", "联系邮箱"], *rows])
    for key, value in marks.items():
        setattr(grid, key, value)
    return grid


def test_a_merged_data_column_is_filled_down_with_one_warning_naming_the_range() -> None:
    grid = _grid([["u1", "制造业", "a@x.example.com"], ["u2", "制造业", "b@x.example.com"]])
    grid.merged = {(2, 1): "B2:B3"}

    table = table_from_grid(grid, HEADER, RECOMMENDATIONS, "f.xlsx")

    assert [r.cells["industry"] for r in table.rows] == ["制造业", "制造业"]
    assert [(n.code, n.value, n.severity) for n in table.notes] == [
        ("merged-filled-down", "B2:B3", Severity.WARNING)
    ]


def test_merged_and_formula_identity_cells_become_cell_problems() -> None:
    grid = _grid([["u1", "制造业", "a@x.example.com"], ["u2", "制造业", "a@x.example.com"]])
    grid.merged = {(2, 2): "C2:C3"}
    grid.formulas = {(1, 0)}

    rows = table_from_grid(grid, HEADER, RECOMMENDATIONS, "f.xlsx").rows

    problems = [
        (r.number, k, v.code)
        for r in rows
        for k, v in r.cells.items()
        if isinstance(v, CellProblem)
    ]
    assert problems == [(2, "uscc", "formula-cell"), (3, "email", "merged-cell")]


def test_rows_made_only_of_a_merged_tail_are_not_rows() -> None:
    grid = _grid([["u1", "制造业", "a@x.example.com"], [None, "制造业", None]])
    grid.merged = {(2, 1): "B2:B3"}

    assert [r.number for r in table_from_grid(grid, HEADER, RECOMMENDATIONS, "f").rows] == [2]


def test_a_header_without_rows_is_refused_unless_the_kind_allows_it() -> None:
    with pytest.raises(UnreadableInput) as info:
        table_from_grid(_grid([[None, None, None]]), HEADER, RECOMMENDATIONS, "f.xlsx")

    assert info.value.code == "no-rows"
    assert table_from_grid(_grid([]), HEADER, REVIEW_OVERRIDES, "f.xlsx").rows == []
