"""Store the excerpt a reviewer or an operator chose for a commended case, as a new version.

`choose_excerpt` finds the case (USCC, and the category when the unit has several cases), checks
the choice against the decided report version's stored page (schemas/case_excerpts.py
`match_excerpt`) and appends a `CaseExcerpt` version in the caller's session. The same passage
chosen again is `unchanged` (importing a sheet twice adds nothing); a different one replaces the
current choice only with a reason (why), except when the report itself has a newer version
since, which is then the reason. A refused choice is data (`ChoiceOutcome` with the column and
both reasons), never raised. Writes only through the caller's session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from schemas.case_excerpt_tables import CaseExcerpt
from schemas.case_excerpts import ExcerptProblem, ExcerptRole, match_excerpt
from schemas.search_tables import ReportPage
from tasks.commend.case_targets import CaseTarget, newest_excerpts

__all__ = ["ChoiceOutcome", "ChoiceStatus", "ExcerptChoice", "choose_excerpt", "find_target"]

NEW_REPORT_REASON = "报告已有新版本，摘录按新版本重选 / the report has a newer version"


@dataclass(frozen=True)
class ExcerptChoice:
    """What someone chose for a case: the unit (and category), the page and text, who, why."""

    uscc: str
    page: int
    text: str
    chosen_by: str
    role: ExcerptRole
    category_key: str = ""  # needed only when the unit has several cases
    report_version: int | None = None  # the version the chooser read (a sheet says it)
    reason: str = ""
    source: str = "cli"
    recorded_by: str = ""


class ChoiceStatus(StrEnum):
    """What became of one choice."""

    STORED = "stored"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class ChoiceOutcome:
    """A choice's outcome: the version stored, or the column and reason it was refused for."""

    status: ChoiceStatus
    target: CaseTarget | None = None
    excerpt: CaseExcerpt | None = None
    column: str = ""  # the choice's field the problem is in (a sheet's column key)
    problem: ExcerptProblem | None = None


def _refused(
    column: str, code: str, zh: str, en: str, target: CaseTarget | None = None
) -> ChoiceOutcome:
    """Return a refusal in `column` with a stable code and both reasons. Pure."""
    return ChoiceOutcome(ChoiceStatus.REFUSED, target, None, column, ExcerptProblem(code, zh, en))


def find_target(
    targets: Sequence[CaseTarget], uscc: str, category_key: str = ""
) -> CaseTarget | ChoiceOutcome:
    """Return the one case a choice is for, or the refusal naming why none or several. Pure."""
    mine = [t for t in targets if t.uscc == uscc]
    if not mine:
        return _refused(
            "uscc",
            "no-case",
            "该单位本届没有（未被撤销的）优秀案例表彰",
            "the unit has no case commendation this season (or it was removed)",
        )
    if category_key:
        mine = [t for t in mine if t.category_key == category_key]
        if not mine:
            return _refused(
                "category_key",
                "no-case-in-category",
                f"该单位在类别 {category_key} 下没有优秀案例",
                f"the unit has no case in category {category_key}",
            )
    if len(mine) > 1:
        keys = ", ".join(t.category_key for t in mine)
        return _refused(
            "category_key",
            "category-needed",
            f"该单位有多个优秀案例，请写明类别代码（{keys}）",
            f"the unit has several cases: give the category key ({keys})",
        )
    return mine[0]


def _page_text(session: Session, submission_id: int, page: int) -> str | None:
    """Return the stored text of one page of a report version, None when not stored; reads."""
    return session.exec(
        select(ReportPage.text)
        .where(ReportPage.submission_id == submission_id)
        .where(ReportPage.page == page)
    ).first()


def _checked(session: Session, target: CaseTarget, choice: ExcerptChoice) -> str | ChoiceOutcome:
    """Return the excerpt's text as on the page, or the refusal; reads one page."""
    if target.submission_id is None:
        return _refused(
            "uscc", "no-report", "该单位没有报告文件", "the unit filed no report", target
        )
    if choice.report_version is not None and choice.report_version != target.report_version:
        return _refused(
            "report_version",
            "report-changed",
            f"报告已更新为第 {target.report_version} 版（表中为第 {choice.report_version} 版），"
            "页码可能已变，请重新生成摘录表",
            f"the report is now version {target.report_version} (the sheet says "
            f"{choice.report_version}); pages may have moved: write a new sheet",
            target,
        )
    if not choice.chosen_by.strip():
        return _refused("chosen_by", "missing-value", "选定人为空", "who chose it is empty", target)
    found = match_excerpt(
        choice.text, choice.page, _page_text(session, target.submission_id, choice.page)
    )
    if isinstance(found, ExcerptProblem):
        column = "page" if found.code == "page-not-stored" else "text"
        return ChoiceOutcome(ChoiceStatus.REFUSED, target, None, column, found)
    return found


def choose_excerpt(
    session: Session, targets: Sequence[CaseTarget], choice: ExcerptChoice, now: datetime
) -> ChoiceOutcome:
    """Store a choice as the case's next excerpt version (in the caller's session) or say why
    not. The same passage as the current choice is unchanged; a different one needs a reason
    unless the current choice is on an older report version. Side effect: adds a row, flushes.
    """
    target = find_target(targets, choice.uscc, choice.category_key)
    if isinstance(target, ChoiceOutcome):
        return target
    text = _checked(session, target, choice)
    if isinstance(text, ChoiceOutcome):
        return text
    current = newest_excerpts(session, [target.commendation_id]).get(target.commendation_id)
    reason = choice.reason.strip()
    if current is not None:
        same_report = current.submission_id == target.submission_id
        if same_report and (current.page, current.text) == (choice.page, text):
            return ChoiceOutcome(ChoiceStatus.UNCHANGED, target, current)
        if same_report and not reason:
            return _refused(
                "reason",
                "reason-required",
                f"该案例已有摘录（第 {current.version} 版，{current.chosen_by} 选定），"
                "更换须写明更换理由",
                f"the case already has an excerpt (version {current.version}, chosen by "
                f"{current.chosen_by}): replacing it needs a reason",
                target,
            )
        reason = reason or NEW_REPORT_REASON
    assert target.submission_id is not None  # _checked refused a case without a report
    row = CaseExcerpt(
        campaign_year=target.campaign_year,
        commendation_id=target.commendation_id,
        version=(current.version + 1) if current is not None else 1,
        submission_id=target.submission_id,
        page=choice.page,
        text=text,
        chosen_by=choice.chosen_by.strip(),
        role=choice.role,
        chosen_at=now,
        source=choice.source[:300],
        recorded_by=choice.recorded_by[:100],
        reason=reason[:500],
    )
    session.add(row)
    session.flush()
    return ChoiceOutcome(ChoiceStatus.STORED, target, row)
