"""Read a returned score sheet back: whose it is, the complete reports, the problems as data.

`read_score_sheet(path, expected_reviewer=..., campaign_year=..., criteria=...)` never raises on
a bad file and never writes: it returns a `SheetResult` whose rejections carry stable codes.
This module decides whether the file is one of our sheets and the right one; the rows are read
by tasks/review/sheets/rows.py.

File level (row None, severity error; no scores are taken from the file):
- `sheet-unreadable`: not an xlsx (whatever its name says), damaged, or larger than the input
  limit.
- `sheet-not-ours`: no `评分表` sheet, no `_meta`, `_meta` malformed, the stored sheet id does
  not match its contents (hand edits), the fixed headers moved (columns inserted or deleted),
  or the sheet's criteria are not the campaign's (the guide changed after the sheet was issued:
  reissue it).
- `sheet-wrong-year`, `sheet-wrong-reviewer` (reviewer keys compared stripped and case-folded;
  not checked when `expected_reviewer` is None). Both are reported when both apply, and the
  result still names the sheet's reviewer, year and id, so the operator can route it.

Row level: see tasks/review/sheets/rows.py (`score-missing`, `score-not-a-number`,
`score-out-of-range`, `row-tampered`).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from schemas.campaign_parts import Criterion
from schemas.rejection import Rejection, UnreadableInput
from tasks.common.tabular import MAX_BYTES
from tasks.review.sheets.layout import (
    COMMENT_HEADER,
    FIXED_HEADERS,
    HEADER_ROW,
    ID_HEADER,
    META_FORMAT,
    META_SHEET,
    SCORES_SHEET,
    SHEET_NOT_OURS,
    SHEET_UNREADABLE,
    SHEET_WRONG_REVIEWER,
    SHEET_WRONG_YEAR,
    SUGGESTIONS_HEADER,
    At,
    SheetMeta,
    SheetResult,
    comment_column,
    id_column,
    normalise_reviewer_key,
    read_meta,
    sheet_id,
    suggestions_column,
)
from tasks.review.sheets.rows import read_rows


def read_score_sheet(
    path: Path,
    *,
    expected_reviewer: str | None,
    campaign_year: int,
    criteria: Sequence[Criterion],
    label: str | None = None,
) -> SheetResult:
    """Read a filled score sheet into complete reports and rejections; reads only, never raises."""
    name = label or path.name
    try:
        meta, ws = _identify(_open(path, name), name, criteria)
    except UnreadableInput as exc:
        return SheetResult(
            file=name,
            reviewer_key=None,
            campaign_year=None,
            sheet_id=None,
            rejections=[exc.as_rejection()],
        )
    mismatches = _identity_problems(meta, name, expected_reviewer, campaign_year)
    rows = read_rows(ws, meta, name, criteria) if not mismatches else None
    return SheetResult(
        file=name,
        reviewer_key=meta.reviewer_key,
        campaign_year=meta.campaign_year,
        sheet_id=meta.sheet_id,
        scored=rows.scored if rows else [],
        unscored=rows.unscored if rows else list(meta.rows.values()),
        rejections=rows.rejections if rows else mismatches,
    )


def _open(path: Path, name: str) -> Workbook:
    """Load the workbook from its bytes (the content decides, not the file name); reads only."""
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= MAX_BYTES else b""
    except OSError as exc:
        raise UnreadableInput(
            name, SHEET_UNREADABLE, "文件无法读取", f"cannot read the file: {exc.strerror}"
        ) from None
    if size > MAX_BYTES:
        raise UnreadableInput(
            name, SHEET_UNREADABLE, "文件过大，不是评分表", f"file is larger than {MAX_BYTES} bytes"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel extensions it drops
            return load_workbook(io.BytesIO(data))
    except Exception as exc:  # damaged files raise many kinds; one file never ends the batch
        raise UnreadableInput(
            name,
            SHEET_UNREADABLE,
            "不是有效的 Excel (.xlsx) 文件或文件已损坏，请将评分表另存为 .xlsx 后重新发送",
            f"not a readable .xlsx workbook ({type(exc).__name__}): save it as .xlsx and resend",
        ) from None


def _not_ours(name: str, why_zh: str, why_en: str) -> UnreadableInput:
    """Return the sheet-not-ours error for a file, with why in Chinese and English."""
    return UnreadableInput(
        name,
        SHEET_NOT_OURS,
        f"不是本次评审发出的评分表，或评分表被改动：{why_zh}。请使用发给您的原表填写",
        f"not a score sheet issued for this review, or it was altered: {why_en}",
    )


def _identify(
    wb: Workbook, name: str, criteria: Sequence[Criterion]
) -> tuple[SheetMeta, Worksheet]:
    """Return the sheet's `_meta` and its score sheet, or raise UnreadableInput; reads only."""
    if SCORES_SHEET not in wb.sheetnames:
        raise _not_ours(name, f"没有“{SCORES_SHEET}”工作表", f"no sheet named {SCORES_SHEET}")
    if META_SHEET not in wb.sheetnames:
        raise _not_ours(name, "缺少隐藏的识别信息", "the hidden _meta sheet is missing")
    meta = read_meta(wb[META_SHEET])
    if meta is None or meta.format != META_FORMAT:
        raise _not_ours(name, "识别信息不完整", "the _meta sheet is malformed")
    ids = list(meta.rows.values())
    if (
        sheet_id(meta.campaign_year, meta.reviewer_key, ids, meta.criteria, meta.round)
        != meta.sheet_id
    ):
        raise _not_ours(name, "识别信息与表号不符", "the sheet id does not match _meta")
    wanted = [c.key for c in criteria]
    if sorted(meta.criteria) != sorted(wanted):
        raise _not_ours(
            name,
            f"评分项（{'、'.join(meta.criteria)}）与本届评审指南（{'、'.join(wanted)}）不一致",
            f"criteria {meta.criteria} differ from the campaign's {wanted}",
        )
    ws = wb[SCORES_SHEET]
    n = len(meta.criteria)
    expected = {
        **dict(enumerate(FIXED_HEADERS, start=1)),
        comment_column(n): COMMENT_HEADER,
        suggestions_column(n): SUGGESTIONS_HEADER,
        id_column(n): ID_HEADER,
    }
    moved = [h for col, h in expected.items() if ws.cell(row=HEADER_ROW, column=col).value != h]
    if moved:
        raise _not_ours(
            name, f"表头被修改（{'、'.join(moved)}）", f"headers moved or changed: {moved}"
        )
    return meta, ws


def _identity_problems(
    meta: SheetMeta, name: str, expected_reviewer: str | None, campaign_year: int
) -> list[Rejection]:
    """Return the file-level rejections for a sheet of another year or reviewer."""
    problems: list[Rejection] = []
    if meta.campaign_year != campaign_year:
        problems.append(
            At(name, value=str(meta.campaign_year)).reject(
                SHEET_WRONG_YEAR,
                f"这是{meta.campaign_year}年的评分表，不是{campaign_year}年的",
                f"this is a {meta.campaign_year} score sheet, not {campaign_year}",
            )
        )
    owner = normalise_reviewer_key(meta.reviewer_key)
    if expected_reviewer is not None and owner != normalise_reviewer_key(expected_reviewer):
        problems.append(
            At(name, value=meta.reviewer_key).reject(
                SHEET_WRONG_REVIEWER,
                f"这是发给 {meta.reviewer_key} 的评分表，不是 {expected_reviewer} 的；"
                "请交回发给您本人的评分表",
                f"this sheet was issued to {meta.reviewer_key}, not to {expected_reviewer}",
            )
        )
    return problems
