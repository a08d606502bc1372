"""Reviewers' score sheets (专家评分表): the shapes, the layout and the sheet id they share.

One xlsx per reviewer is written by `tasks.review.sheets.write.write_score_sheet(spec, path)` and
read back by `tasks.review.sheets.read.read_score_sheet(path, ...)`; both are plain functions (no
database, no Prefect, no clock). This module holds what the two agree on:

- `SheetSpec` / `SheetReport`: the plain values a sheet is written from.
- `ScoredReport` / `SheetResult`: what a filled sheet reads back as, with `Rejection`s.
- The layout: sheet names, the columns of `评分表`, the keys of the hidden `_meta` sheet.
- `sheet_id(...)`: a stable hash of campaign year, reviewer key, participation ids (sorted) and
  criteria keys (in column order). It is a consistency check that tells our sheets from others
  and notices hand edits to `_meta`; it is not a signature (there is no secret), so the review
  flow should also keep the id it issued and compare.

Layout of `评分表`: row 1 holds the headers, one row per report below in the spec's order;
columns 序号, 参评单位, 报告名称, 报告文件, 预审提示, one column per criterion ("实质性（0-100）"),
总体评价, 改进建议, and a hidden, locked 参评编号 column with the participation id, which the
reader matches rows on (so rows the reviewer reordered still count). `报告文件` is an addition to
the brief's list: reviewers receive PDFs and need to know which file a row is about.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.campaign_parts import Criterion
from schemas.enums import Severity
from schemas.rejection import Rejection

INSTRUCTIONS_SHEET = "填写说明"
SCORES_SHEET = "评分表"
META_SHEET = "_meta"
META_FORMAT = 1

HEADER_ROW = 1
FIRST_DATA_ROW = 2
FIXED_HEADERS: tuple[str, ...] = ("序号", "参评单位", "报告名称", "报告文件", "预审提示")
COMMENT_HEADER = "总体评价"
SUGGESTIONS_HEADER = "改进建议"
ID_HEADER = "参评编号"

# `_meta`: key/value rows at the top, then the row -> participation id mapping below its header.
META_KEYS: tuple[str, ...] = (
    "format",
    "campaign_year",
    "reviewer_key",
    "sheet_id",
    "criteria",
    "round",
)
META_MAPPING_HEADER: tuple[str, str] = ("row", "participation_id")
META_MAPPING_FIRST_ROW = len(META_KEYS) + 3
MAX_REPORTS = 2000  # more rows than any reviewer gets; bounds what the reader reads

# Stable codes of the problems the reader reports.
SHEET_UNREADABLE = "sheet-unreadable"
SHEET_NOT_OURS = "sheet-not-ours"
SHEET_WRONG_REVIEWER = "sheet-wrong-reviewer"
SHEET_WRONG_YEAR = "sheet-wrong-year"
SCORE_MISSING = "score-missing"
SCORE_OUT_OF_RANGE = "score-out-of-range"
SCORE_NOT_A_NUMBER = "score-not-a-number"
ROW_TAMPERED = "row-tampered"


class RepeatedOnSheet(ValueError):
    """A sheet's spec lists a participation or a criterion key twice; carries the repeats.

    Raised inside the spec's validator, so pydantic reports it as a ValidationError whose
    error's `ctx["error"]` is this exception.
    """

    def __init__(self, what: str, repeated: Sequence[int | str]) -> None:
        self.what = what
        self.repeated = tuple(repeated)
        super().__init__(f"{what}: {list(self.repeated)}")


def _repeated(values: Sequence[int | str]) -> list[int | str]:
    """Return the values listed more than once, in order of their first repeat."""
    seen: set[int | str] = set()
    out: list[int | str] = []
    for value in values:
        if value in seen and value not in out:
            out.append(value)
        seen.add(value)
    return out


class _Frozen(BaseModel):
    """A frozen model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SheetReport(_Frozen):
    """One report on a reviewer's sheet, as plain values (the participation is the row's key)."""

    participation_id: int = Field(ge=1)
    unit_name: str
    report_title: str
    hint: str = ""  # one line from the pre-screen, e.g. "核心议题 7/9；引用标准：GRI、GB/T 36000"
    file_name: str = ""


class SheetSpec(_Frozen):
    """Everything one reviewer's score sheet is written from."""

    campaign_year: int = Field(ge=2000, le=2100)
    campaign_title: str
    reviewer_key: Annotated[str, Field(min_length=1)]  # the reviewer's email
    reviewer_name: str
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    deadline: date
    reports: tuple[SheetReport, ...] = Field(min_length=1, max_length=MAX_REPORTS)
    round: int = Field(default=0, ge=0)  # 0 = first review; 1.. = re-check of revised reports

    @model_validator(mode="after")
    def _unique(self) -> SheetSpec:
        """Refuse a participation or a criterion key listed twice (RepeatedOnSheet)."""
        ids = _repeated([r.participation_id for r in self.reports])
        if ids:
            raise RepeatedOnSheet("a participation appears twice on one sheet", ids)
        keys = _repeated([c.key for c in self.criteria])
        if keys:
            raise RepeatedOnSheet("a criterion key appears twice", keys)
        return self

    @property
    def sheet_id(self) -> str:
        """Return this sheet's stable id (see `sheet_id`)."""
        return sheet_id(
            self.campaign_year,
            self.reviewer_key,
            [r.participation_id for r in self.reports],
            [c.key for c in self.criteria],
            self.round,
        )


class ScoredReport(_Frozen):
    """One completely scored report: every criterion has a score within its range."""

    participation_id: int
    scores: dict[str, float]  # criterion key -> score
    comment: str
    suggestions: str


class SheetResult(_Frozen):
    """What one returned sheet holds: whose it is, the complete reports and the problems."""

    file: str
    reviewer_key: str | None  # None when the file is not one of our sheets
    campaign_year: int | None
    sheet_id: str | None
    scored: list[ScoredReport] = []
    unscored: list[int] = []  # participation ids on the sheet that are not completely scored
    rejections: list[Rejection] = []

    @property
    def accepted(self) -> bool:
        """Return whether the file itself was accepted (no file-level rejection)."""
        return not any(r.row is None and r.code.startswith("sheet-") for r in self.rejections)

    @property
    def errors(self) -> list[Rejection]:
        """Return the rejections of severity error."""
        return [r for r in self.rejections if r.severity is Severity.ERROR]


def normalise_reviewer_key(key: str) -> str:
    """Return a reviewer key (email) stripped and case-folded, as keys are compared."""
    return key.strip().casefold()


def sheet_id(
    campaign_year: int,
    reviewer_key: str,
    participation_ids: Sequence[int],
    criteria: Sequence[str],
    review_round: int = 0,
) -> str:
    """Return the stable id of a sheet: 16 hex digits of a SHA-256 over its identity."""
    identity: dict[str, object] = {
        "year": campaign_year,
        "reviewer": normalise_reviewer_key(reviewer_key),
        "participations": sorted(participation_ids),
        "criteria": list(criteria),
    }
    if review_round:  # first-round ids stay what they were before rounds existed
        identity["round"] = review_round
    blob = json.dumps(identity, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def number_text(value: float) -> str:
    """Return a number as people write it: 100, 7.5 (no trailing .0)."""
    return f"{value:g}"


def range_text(criterion: Criterion) -> str:
    """Return a criterion's score range as text, e.g. "0-100"."""
    return f"{number_text(criterion.min)}-{number_text(criterion.max)}"


def criterion_header(criterion: Criterion) -> str:
    """Return the column header of a criterion, e.g. "实质性（0-100）"."""
    return f"{criterion.name}（{range_text(criterion)}）"


def score_column(index: int) -> int:
    """Return the 1-based column of the index-th criterion (0-based) on the score sheet."""
    return len(FIXED_HEADERS) + 1 + index


def comment_column(n_criteria: int) -> int:
    """Return the 1-based column of 总体评价 for a sheet with n criteria."""
    return score_column(n_criteria)


def suggestions_column(n_criteria: int) -> int:
    """Return the 1-based column of 改进建议 for a sheet with n criteria."""
    return score_column(n_criteria) + 1


def id_column(n_criteria: int) -> int:
    """Return the 1-based column of the hidden 参评编号 for a sheet with n criteria."""
    return score_column(n_criteria) + 2


@dataclass(frozen=True)
class At:
    """Where on a sheet a problem is: file, spreadsheet row (None: the file), column, value."""

    file: str
    row: int | None = None
    column: str = ""
    value: str = ""

    def reject(
        self, code: str, reason_zh: str, reason_en: str, severity: Severity = Severity.ERROR
    ) -> Rejection:
        """Return the Rejection with this place, the code and both reasons."""
        return Rejection(
            file=self.file,
            row=self.row,
            column=self.column,
            value=self.value,
            code=code,
            reason_zh=reason_zh,
            reason_en=reason_en,
            severity=severity,
        )


class SheetMeta(_Frozen):
    """What the hidden `_meta` sheet says about a sheet: whose, which year, which rows."""

    format: int
    campaign_year: int
    reviewer_key: str
    sheet_id: str
    criteria: list[str]
    round: int = Field(default=0, ge=0)
    rows: dict[int, int]  # 评分表 row -> participation id, as written


def read_meta(ws: Any) -> SheetMeta | None:
    """Return the contents of a `_meta` worksheet, or None when it is malformed; reads only."""
    values: dict[str, Any] = {}
    for row, key in enumerate(META_KEYS, start=1):
        if ws.cell(row=row, column=1).value != key:
            return None
        values[key] = ws.cell(row=row, column=2).value
    header = tuple(ws.cell(row=META_MAPPING_FIRST_ROW - 1, column=c).value for c in (1, 2))
    if header != META_MAPPING_HEADER:
        return None
    rows: dict[int, int] = {}
    for row in range(META_MAPPING_FIRST_ROW, META_MAPPING_FIRST_ROW + MAX_REPORTS + 1):
        sheet_row, pid = (ws.cell(row=row, column=c).value for c in (1, 2))
        if sheet_row is None and pid is None:
            break
        if type(sheet_row) is not int or type(pid) is not int or pid in rows.values():
            return None
        rows[sheet_row] = pid
    criteria = values["criteria"]
    try:
        return SheetMeta(
            format=values["format"],
            campaign_year=values["campaign_year"],
            reviewer_key=values["reviewer_key"],
            sheet_id=values["sheet_id"],
            criteria=criteria.split(",") if isinstance(criteria, str) else criteria,
            round=values["round"],
            rows=rows,
        )
    except ValidationError:
        return None
