"""Read the rows of a score sheet already known to be ours: complete reports and row problems.

Called by tasks/review/sheets/read.py once the file, year and reviewer are right. Reads only.
Row numbers are the spreadsheet's own; the column of a rejection is the header the sheet shows.

- Rows are matched on the hidden 参评编号 column, not on their position: rows the reviewer
  reordered (after lifting the protection) are read normally, without a rejection.
- `row-tampered` (error): a row with content but no id, an id not on this sheet, an id already
  read from an earlier row (a copied row: the first one counts), or a report of the sheet that
  no row holds any more (a deleted row: row None, the participation id as value).
- `score-missing`: a row with no score, comment or suggestion is "not yet scored" (a warning,
  one per row). A row with anything filled in but some scores empty is an error, one per empty
  score: the reviewer meant to finish it.
- `score-not-a-number` (error): text such as "85分", a formula, a date, TRUE or an error value.
  Plain numeric text ("85", full-width digits, surrounding spaces) is accepted: it is
  unambiguous, and pasting from another program produces it.
- `score-out-of-range` (error): outside [min, max] of the criterion as the caller gives it (the
  campaign file read now, not the range printed on the sheet; the reason states the range).
A report is in `scored` only when every criterion has a valid score; comment and suggestions are
optional, read literally (a comment starting with `=` is text) and stripped of outer spaces.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from openpyxl.worksheet.worksheet import Worksheet

from schemas.campaign_parts import Criterion
from schemas.enums import Severity
from schemas.rejection import Rejection
from tasks.review.sheets.layout import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    ID_HEADER,
    ROW_TAMPERED,
    SCORE_MISSING,
    SCORE_NOT_A_NUMBER,
    SCORE_OUT_OF_RANGE,
    At,
    ScoredReport,
    SheetMeta,
    comment_column,
    criterion_header,
    id_column,
    number_text,
    score_column,
    suggestions_column,
)

NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
EXTRA_ROWS = 200  # rows read below the last report, to catch rows pasted at the end


@dataclass
class Rows:
    """The complete reports of a sheet, the ids not completely scored, and the row problems."""

    scored: list[ScoredReport] = field(default_factory=list)
    unscored: list[int] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


class ScoreColumn(NamedTuple):
    """A criterion's column on the score sheet."""

    column: int
    criterion: Criterion


@dataclass(frozen=True)
class SheetColumns:
    """Where the reader finds each value of a report row, and the score headers as shown."""

    scores: list[ScoreColumn]
    headers: dict[str, str]  # criterion key -> the header the sheet shows
    comment: int
    suggestions: int
    id: int


def sheet_columns(ws: Worksheet, meta: SheetMeta, criteria: Sequence[Criterion]) -> SheetColumns:
    """Return the columns of the sheet's criteria (in `_meta`'s order) and its other columns."""
    by_key = {c.key: c for c in criteria}
    scores = [ScoreColumn(score_column(i), by_key[key]) for i, key in enumerate(meta.criteria)]
    n = len(scores)
    return SheetColumns(
        scores=scores,
        headers={  # the header as the sheet shows it, which the reviewer looks for
            s.criterion.key: _text(ws.cell(row=HEADER_ROW, column=s.column).value)
            or criterion_header(s.criterion)
            for s in scores
        },
        comment=comment_column(n),
        suggestions=suggestions_column(n),
        id=id_column(n),
    )


def read_rows(ws: Worksheet, meta: SheetMeta, name: str, criteria: Sequence[Criterion]) -> Rows:
    """Read every report row of the score sheet, matched on the hidden id; reads only."""
    columns = sheet_columns(ws, meta, criteria)
    on_sheet = set(meta.rows.values())
    seen: dict[int, int] = {}  # participation id -> the row it was read from
    out = Rows()
    last = min(ws.max_row, FIRST_DATA_ROW + len(meta.rows) + EXTRA_ROWS)
    for row in range(FIRST_DATA_ROW, last + 1):
        _read_row(ws, row, columns, name, on_sheet, seen, out)
    for original_row, pid in sorted(meta.rows.items()):
        if pid not in seen:
            out.rejections.append(
                At(name, None, ID_HEADER, str(pid)).reject(
                    ROW_TAMPERED,
                    f"原第{original_row}行的报告（参评编号 {pid}）不在表中：行被删除了吗？",
                    f"the report of original row {original_row} (participation {pid}) is gone:"
                    " was the row deleted?",
                )
            )
    done = {s.participation_id for s in out.scored}
    out.unscored = [pid for _, pid in sorted(meta.rows.items()) if pid not in done]
    return out


def _read_row(
    ws: Worksheet,
    row: int,
    columns: SheetColumns,
    name: str,
    on_sheet: set[int],
    seen: dict[int, int],
    out: Rows,
) -> None:
    """Read one row into `out` (a complete report, or its problems); note its id in `seen`."""
    cells = [ws.cell(row=row, column=s.column) for s in columns.scores]
    comment = _text(ws.cell(row=row, column=columns.comment).value)
    suggestions = _text(ws.cell(row=row, column=columns.suggestions).value)
    empty = all(_blank(c.value) for c in cells) and not comment and not suggestions
    raw_id = ws.cell(row=row, column=columns.id).value
    if empty and _blank(raw_id):
        return  # an empty row below the reports
    pid = _as_id(raw_id)
    tampered = _identity_problem(At(name, row, ID_HEADER, _shown(raw_id)), pid, on_sheet, seen)
    if tampered is not None or pid is None:
        out.rejections.extend([tampered] if tampered else [])
        return
    seen[pid] = row
    if empty:
        out.rejections.append(
            At(name, row, "", str(pid)).reject(
                SCORE_MISSING,
                "尚未评分（整行为空）",
                "not yet scored (the whole row is empty)",
                Severity.WARNING,
            )
        )
        return
    scores: dict[str, float] = {}
    for cell, column in zip(cells, columns.scores, strict=True):
        criterion = column.criterion
        at = At(name, row, columns.headers[criterion.key], _shown(cell.value))
        score = _score(at, cell.value, cell.data_type, criterion, out.rejections)
        if score is not None:
            scores[criterion.key] = score
    if len(scores) == len(columns.scores):
        out.scored.append(
            ScoredReport(
                participation_id=pid, scores=scores, comment=comment, suggestions=suggestions
            )
        )


def _identity_problem(
    at: At, pid: int | None, on_sheet: set[int], seen: dict[int, int]
) -> Rejection | None:
    """Return the row-tampered rejection of a row whose id does not fit the sheet, else None."""
    if pid is None:
        zh = "该行没有有效的参评编号：是新插入或粘贴的行吗？"
        en = "the row has no valid participation id: was it inserted or pasted?"
    elif pid not in on_sheet:
        zh, en = f"参评编号 {pid} 不属于本表", f"participation {pid} is not on this sheet"
    elif pid in seen:
        zh = f"参评编号 {pid} 与第{seen[pid]}行重复：行被复制了吗？"
        en = f"participation {pid} repeats row {seen[pid]}: was the row copied?"
    else:
        return None
    return at.reject(ROW_TAMPERED, zh, en)


def _score(
    at: At, value: Any, data_type: str, criterion: Criterion, problems: list[Rejection]
) -> float | None:
    """Return a cell's valid score, or None after appending its rejection to `problems`."""
    if _blank(value):
        problems.append(
            at.reject(
                SCORE_MISSING,
                f"“{criterion.name}”未评分：一份报告的各项分数须全部填写",
                f"no {criterion.name_en} score: every criterion of a report needs a score",
            )
        )
        return None
    number = _as_number(value, data_type)
    if number is None:
        problems.append(
            at.reject(
                SCORE_NOT_A_NUMBER,
                f"“{criterion.name}”的分数须为数字（不带“分”等文字，不用公式）",
                f"the {criterion.name_en} score must be a plain number (no text, no formula)",
            )
        )
        return None
    if not criterion.min <= number <= criterion.max:
        low, high = number_text(criterion.min), number_text(criterion.max)
        problems.append(
            at.reject(
                SCORE_OUT_OF_RANGE,
                f"“{criterion.name}”的分数须在 {low} 到 {high} 之间",
                f"the {criterion.name_en} score must be between {low} and {high}",
            )
        )
        return None
    return number


def _as_number(value: Any, data_type: str) -> float | None:
    """Return a cell's value as a finite number, or None if it is not plainly one."""
    if data_type == "f" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not NUMBER.fullmatch(text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) else None


def _as_id(value: Any) -> int | None:
    """Return a hidden-id cell's participation id, or None if it holds none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii():
        return int(value.strip())
    return None


def _blank(value: Any) -> bool:
    """Return whether a cell is empty (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """Return a text cell's content stripped ("" for an empty cell)."""
    return "" if value is None else str(value).strip()


def _shown(value: Any) -> str:
    """Return a cell's value as shown in a rejection ("" for an empty cell)."""
    return "" if value is None else str(value)
