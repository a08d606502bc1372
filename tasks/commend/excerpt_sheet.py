"""The case excerpt sheet: write it for the reviewers or the office, read their choices back.

`write_case_sheet` writes one row per commended case (schemas/case_excerpt_sheet.py columns):
the unit, the category, the decided report version, the pre-screen's candidate passages with
their pages, and the current choice in the four choice cells when there is one (so handing the
same sheet back changes nothing); every string is a text cell (tasks/common/spreadsheets.py),
so a passage or a name starting with `=` is shown, never run. `import_case_sheet` reads a
returned sheet with the project's reader (a formula in a typed column refuses its row), turns
each filled row into a choice and stores it (tasks/commend/excerpts.py); a bad row becomes a
`Rejection` naming the file, row, column and reason, and never stops the good ones. Writes the
workbook path it is given and the caller's session; nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from schemas.case_excerpt_sheet import CASE_EXCERPTS, CaseExcerptRow, row_choice_problems
from schemas.case_excerpts import ROLE_WORDS
from schemas.commendation import CommendationStatus
from schemas.rejection import Rejection, UnreadableInput
from tasks.commend.case_targets import CaseTarget
from tasks.commend.excerpts import ChoiceStatus, ExcerptChoice, choose_excerpt
from tasks.common.spreadsheets import write_sheets
from tasks.common.tabular import read_table
from tasks.common.validation import rejection_at, validate_rows

__all__ = ["SheetImport", "import_case_sheet", "sheet_rows", "write_case_sheet"]

STATUS_WORDS = {
    CommendationStatus.APPROVED: "已审定 approved",
    CommendationStatus.PROPOSED: "待会议审定 proposed",
}
HOW_TO = (
    (
        "1",
        "每行一个优秀案例。请在“摘录页码”“摘录原文”“选定人”“身份”四列填写选定的摘录；"
        "不选的行留空。",
    ),
    ("2", "摘录原文须从该页报告原文复制（5 至 300 字），换行和空格不影响核对；页码按 PDF 页序。"),
    ("3", "身份填“评审专家”或“组委会”。已有摘录的行若要更换，须同时填写“更换理由”。"),
    ("4", "请勿修改统一社会信用代码、类别代码和报告版本三列：它们确定摘录属于哪一份报告。"),
    (
        "5",
        "One row per commended case: fill in page, excerpt text (copied from that page, "
        "5-300 characters), who chose it and their role (评审专家 reviewer / 组委会 operator); "
        "replacing an excerpt needs a reason. Leave the USCC, category key and report version "
        "as they are.",
    ),
)


def _candidates(target: CaseTarget) -> str:
    """Return a case's candidate passages as lines `第 N 页：text`. Pure."""
    return "\n".join(f"第 {p.page} 页：{p.text}" for p in target.candidates)


def sheet_rows(targets: Sequence[CaseTarget]) -> list[list[Any]]:
    """Return the sheet's rows in CASE_EXCERPTS column order, the current choice filled. Pure."""
    rows = []
    for t in targets:
        current = t.current if t.current and t.current.submission_id == t.submission_id else None
        rows.append(
            [
                t.unit_name,
                t.uscc,
                t.title,
                t.category_key,
                STATUS_WORDS.get(t.status, str(t.status)),
                t.report_title,
                t.report_version,
                _candidates(t),
                current.page if current else None,
                current.text if current else None,
                current.chosen_by if current else None,
                ROLE_WORDS[current.role] if current else None,
                None,
            ]
        )
    return rows


def write_case_sheet(path: Path, targets: Sequence[CaseTarget]) -> Path:
    """Write the case excerpt sheet for these cases (and a how-to sheet); return the path."""
    headers = [c.header for c in CASE_EXCERPTS.columns]
    return write_sheets(
        path,
        [
            ("优秀案例摘录", headers, sheet_rows(targets)),
            ("填表说明", ["#", "说明 how to fill in"], HOW_TO),
        ],
        max_width=50,
    )


@dataclass
class SheetImport:
    """What an import did: the versions stored, the rows unchanged, the rows refused."""

    stored: list[tuple[CaseTarget, int]] = field(default_factory=list)  # (case, version)
    unchanged: int = 0
    skipped: int = 0  # rows that choose nothing
    rejections: list[Rejection] = field(default_factory=list)


def _choice(row: CaseExcerptRow, file: str, number: int, recorded_by: str) -> ExcerptChoice:
    """Return the choice a complete row makes. Pure."""
    assert row.page is not None
    assert row.role is not None
    return ExcerptChoice(
        uscc=row.uscc,
        page=row.page,
        text=row.text,
        chosen_by=row.chosen_by,
        role=row.role,
        category_key=row.category_key,
        report_version=row.report_version,
        reason=row.reason,
        source=f"sheet:{file} row {number}",
        recorded_by=recorded_by,
    )


def import_case_sheet(
    session: Session,
    path: Path,
    targets: Sequence[CaseTarget],
    now: datetime,
    recorded_by: str,
    *,
    label: str | None = None,
) -> SheetImport:
    """Read a returned sheet and store each filled row's choice; return what happened.

    A file that cannot be read is one file-level rejection and stores nothing. Side effects:
    reads `path`; adds excerpt rows to the caller's session.
    """
    done = SheetImport()
    try:
        table = read_table(path, CASE_EXCERPTS, label=label)
    except UnreadableInput as exc:
        done.rejections.append(exc.as_rejection())
        return done
    good, done.rejections = validate_rows(table, CASE_EXCERPTS, CaseExcerptRow)
    for row, raw in good:
        missing = row_choice_problems(row)
        if missing:
            done.rejections += [
                rejection_at(CASE_EXCERPTS, table.file, raw.number, key, "", code, zh, en)
                for key, code, zh, en in missing
            ]
            continue
        if not row.chose():
            done.skipped += 1
            continue
        outcome = choose_excerpt(
            session, targets, _choice(row, table.file, raw.number, recorded_by), now
        )
        if outcome.status == ChoiceStatus.STORED and outcome.excerpt and outcome.target:
            done.stored.append((outcome.target, outcome.excerpt.version))
        elif outcome.status == ChoiceStatus.UNCHANGED:
            done.unchanged += 1
        elif outcome.problem is not None:
            value = str(getattr(row, outcome.column, "") or "")
            done.rejections.append(
                rejection_at(
                    CASE_EXCERPTS,
                    table.file,
                    raw.number,
                    outcome.column,
                    value[:200],
                    outcome.problem.code,
                    outcome.problem.reason_zh,
                    outcome.problem.reason_en,
                )
            )
    return done
