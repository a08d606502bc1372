"""Turn a read table into validated rows and Rejections, for any input kind and row model.

Plain functions: a row that fails its pydantic model becomes one Rejection per bad field, with
the column's Chinese header, the cell's value, the stable code and both reasons. A cell the
reader already refused (a formula or a merged range in an identity column) refuses its row
without further checks, and the reader's warnings (merged ranges filled down) come first. A
mistyped optional phone is dropped with a warning and the row lands (DROPPED_WITH_A_WARNING).
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.columns import InputKind
from schemas.enums import Severity
from schemas.rejection import Rejection, UnreadableInput
from schemas.rows import row_problems
from tasks.common.table_rows import CellProblem, RawRow, Table
from tasks.common.tabular import read_table

M = TypeVar("M", bound=BaseModel)
# Codes of optional contact details that are dropped with a warning instead of refusing the row
# (a mistyped phone should not cost a unit its recommendation, nor an association its list).
DROPPED_WITH_A_WARNING = frozenset({"bad-phone"})


def header_of(kind: InputKind, key: str) -> str:
    """Return the Chinese header of a column key (the key itself if the kind has no such column)."""
    return next((c.header for c in kind.columns if c.key == key), key)


def rejection_at(
    kind: InputKind,
    file: str,
    row: int | None,
    key: str,
    value: str,
    code: str,
    reason_zh: str,
    reason_en: str,
    severity: Severity = Severity.ERROR,
) -> Rejection:
    """Return a Rejection for one cell (or a whole row or file when `key` is empty)."""
    return Rejection(
        file=file,
        row=row,
        column=header_of(kind, key) if key else "",
        value=value,
        code=code,
        reason_zh=reason_zh,
        reason_en=reason_en,
        severity=severity,
    )


def validate_rows(
    table: Table, kind: InputKind, model: type[M]
) -> tuple[list[tuple[M, RawRow]], list[Rejection]]:
    """Validate every row of a table with `model`; return the good rows and the rejections."""
    good: list[tuple[M, RawRow]] = []
    rejections: list[Rejection] = list(table.notes)
    for raw in table.rows:
        refused = _cell_problems(kind, table.file, raw)
        if refused:
            rejections.extend(refused)
            continue
        row, problems = _validate_row(kind, table.file, raw, model)
        rejections.extend(problems)
        if row is not None:
            good.append((row, raw))
    return good, rejections


def _validate_row(
    kind: InputKind, file: str, raw: RawRow, model: type[M]
) -> tuple[M | None, list[Rejection]]:
    """Validate one row; a row whose only problems are droppable lands without those values."""
    try:
        return model.model_validate(raw.cells), []
    except ValidationError as exc:
        problems = row_problems(exc, raw.cells)
    if all(p.code in DROPPED_WITH_A_WARNING for p in problems):
        try:
            row = model.model_validate({**raw.cells, **{p.field: "" for p in problems}})
        except ValidationError:
            row = None
        if row is not None:
            return row, [
                rejection_at(
                    kind,
                    file,
                    raw.number,
                    p.field,
                    p.value,
                    p.code,
                    f"{p.reason_zh}；该项未保存，本行其余内容已受理",
                    f"{p.reason_en}; this value was not kept, the rest of the row was",
                    Severity.WARNING,
                )
                for p in problems
            ]
    return None, [
        rejection_at(kind, file, raw.number, p.field, p.value, p.code, p.reason_zh, p.reason_en)
        for p in problems
    ]


def _cell_problems(kind: InputKind, file: str, raw: RawRow) -> list[Rejection]:
    """Return a rejection per cell the reader refused (formula, merged range) in a row."""
    return [
        rejection_at(kind, file, raw.number, key, v.shown, v.code, v.reason_zh, v.reason_en)
        for key, v in raw.cells.items()
        if isinstance(v, CellProblem)
    ]


@dataclass
class FileRows(Generic[M]):
    """Valid rows of several files of one kind, with where each came from, and the problems."""

    rows: list[tuple[M, str, int]] = field(default_factory=list)  # (row, file, row number)
    rejections: list[Rejection] = field(default_factory=list)
    read: dict[str, Path] = field(default_factory=dict)  # file label -> path, files read

    def only(self, files: AbstractSet[str]) -> FileRows[M]:
        """Return the rows and files read of the files labelled `files` (no rejections)."""
        return FileRows(
            rows=[r for r in self.rows if r[1] in files],
            read={label: p for label, p in self.read.items() if label in files},
        )


def read_rows(files: Sequence[str], kind: InputKind, model: type[M]) -> FileRows[M]:
    """Read and validate files of one kind in name order; an unreadable file is one rejection."""
    out: FileRows[M] = FileRows()
    for name in sorted(files):
        path = Path(name)
        try:
            table = read_table(path, kind)
        except UnreadableInput as exc:
            out.rejections.append(exc.as_rejection())
            continue
        out.read[table.file] = path
        good, bad = validate_rows(table, kind, model)
        out.rejections.extend(bad)
        out.rows.extend((row, table.file, raw.number) for row, raw in good)
    return out
