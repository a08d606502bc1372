"""The case excerpt sheet (优秀案例摘录表): its columns and the row an operator hands back.

`campaign cases sheet` writes one row per commended case with what identifies it (USCC, category
code, report version) and the pre-screen's candidate passages; the reviewers or the office fill
in 摘录页码 / 摘录原文 / 选定人 / 身份 (and 更换理由 when they replace a choice) and `campaign
cases import` reads it back. The excerpt, the chooser's name and the identifying cells must be
typed (`identity`): a formula there refuses the row instead of being evaluated or kept. A row
with none of the four choice cells filled chose nothing and is skipped; `row_choice_problems`
names the missing cells of a half-filled one. Pure: no I/O.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from schemas.case_excerpts import ROLE_WORDS, ExcerptRole, parse_role
from schemas.cells import USCC, OptionalCount, RequiredText, Text, clean_text, problem
from schemas.columns import ColumnSpec, InputKind

__all__ = ["CASE_EXCERPTS", "CHOICE_KEYS", "CaseExcerptRow", "row_choice_problems"]

CASE_EXCERPTS = InputKind(
    "case_excerpts",
    "优秀案例摘录表",
    "case excerpt sheet",
    (
        ColumnSpec("name", "单位名称", ("unit name", "unit"), required=False),
        ColumnSpec("uscc", "统一社会信用代码", ("USCC", "信用代码"), identity=True),
        ColumnSpec("category", "案例类别", ("category",), required=False),
        ColumnSpec("category_key", "类别代码", ("category key",), identity=True),
        ColumnSpec("status", "表彰状态", ("status",), required=False),
        ColumnSpec("report_title", "报告名称", ("report title",), required=False),
        ColumnSpec("report_version", "报告版本", ("report version",), identity=True),
        ColumnSpec("candidates", "候选段落（页码：原文）", ("candidate passages",), required=False),
        ColumnSpec("page", "摘录页码", ("excerpt page", "page"), identity=True),
        ColumnSpec("text", "摘录原文", ("excerpt", "excerpt text"), identity=True),
        ColumnSpec("chosen_by", "选定人", ("chosen by", "by"), identity=True),
        ColumnSpec("role", "身份", ("role",), note="评审专家 (reviewer) / 组委会 (operator)"),
        ColumnSpec("reason", "更换理由", ("reason", "why"), required=False),
    ),
    allow_empty=True,
)
CHOICE_KEYS = ("page", "text", "chosen_by", "role")  # all four, or none (nothing chosen)


def _role(value: Any) -> ExcerptRole | None:
    text = clean_text(value)
    if not text:
        return None
    role = parse_role(text)
    if role is None:
        words = " / ".join(f"{w} ({r.value})" for r, w in ROLE_WORDS.items())
        raise problem("bad-role", f"身份应为 {words}", f"the role must be one of {words}")
    return role


class CaseExcerptRow(BaseModel):
    """One row of a returned case excerpt sheet."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    uscc: USCC
    category_key: RequiredText
    report_version: OptionalCount = None
    page: OptionalCount = None
    text: Text = ""
    chosen_by: Text = ""
    role: Annotated[ExcerptRole | None, BeforeValidator(_role)] = None
    reason: Text = ""

    def chose(self) -> bool:
        """Return whether the row chooses an excerpt (any of the four choice cells filled)."""
        return any(v not in (None, "") for v in (self.page, self.text, self.chosen_by, self.role))


def row_choice_problems(row: CaseExcerptRow) -> list[tuple[str, str, str, str]]:
    """Return (column key, code, reason_zh, reason_en) per choice cell left empty in a row that
    chooses an excerpt (nothing when it chooses none or fills all four). Pure."""
    if not row.chose():
        return []
    missing = [k for k in CHOICE_KEYS if getattr(row, k) in (None, "")]
    return [
        (
            key,
            "missing-value",
            "已填写摘录的行须同时填写摘录页码、摘录原文、选定人和身份",
            "a row that chooses an excerpt needs its page, text, who chose it and their role",
        )
        for key in missing
    ]
