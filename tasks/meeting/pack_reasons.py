"""Why a unit is or is not on the meeting's proposed release list: the pack's rules, pure.

Every participation of the campaign appears in the pack exactly once. It is proposed when its
report passed the review (`review_passed`) and carries no flag (tasks/common/report_flags.py:
wrong year, open pre-screen problems, below the pass score); every other unit is listed as not
proposed with its reason, Chinese first. The meeting may add a unit to the release list (with a
reason, and naming the flags it overrides) only when the status machine lets it move to
`approved`: those are the `CANDIDATES`. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from schemas.enums import ParticipationStatus as S
from schemas.participation import can_move
from tasks.common.report_flags import ReportFlag

PROPOSABLE: frozenset[S] = frozenset({S.REVIEW_PASSED})
# The units the meeting may approve: the machine allows them to move to `approved`.
CANDIDATES: frozenset[S] = frozenset(s for s in S if can_move(s, S.APPROVED))


class Reason(NamedTuple):
    """Why a unit is not proposed: the Chinese words first, the English after."""

    zh: str
    en: str


STATUS_REASONS: dict[S, Reason] = {
    S.RECOMMENDED: Reason("未报名：发布回执表未提交", "not registered: no release receipt"),
    S.REGISTERED: Reason("未提交报告", "no usable report filed"),
    S.SUBMITTED: Reason("未分配评审专家", "filed but never assigned to experts"),
    S.IN_REVIEW: Reason("评审未完成：待专家评分", "review not finished: sheets outstanding"),
    S.REVISION_REQUESTED: Reason("评审要求修改：修改稿未提交", "revision requested, not filed"),
    S.REVISED: Reason("修改稿未复核", "revised report not re-checked"),
    S.REJECTED: Reason("评审未通过", "review recommended rejection"),
    S.APPROVED: Reason("会议已审定发布", "already approved by the meeting"),
    S.REMOVED: Reason("会议未同意发布", "not approved by the meeting"),
    S.RELEASED: Reason("已发布", "already released"),
    S.LAPSED: Reason("未提交报告（已逾期）", "no report by the deadline (lapsed)"),
    S.WITHDRAWN: Reason("已退出", "withdrew from the campaign"),
}
OVERDUE = Reason("（已逾期）", " (deadline passed)")
LAPSED_REVISION = Reason("修改稿逾期未提交", "revision not filed by its deadline (lapsed)")
FLAGGED = Reason("评审通过，但须会议明确放行：", "passed the review but needs the meeting's word: ")


class UnitState(NamedTuple):
    """What the rule needs to know about one unit besides its flags."""

    status: S
    lapsed_from: S | None = None  # the status a lapsed unit lapsed from
    deadline: date | None = None  # the deadline the unit still owed, if any


def is_proposed(status: S, flags: Sequence[ReportFlag]) -> bool:
    """Return whether a unit goes on the proposed release list: passed, and no flag. Pure."""
    return status in PROPOSABLE and not flags


def why_not_proposed(state: UnitState, flags: Sequence[ReportFlag], on: date) -> Reason:
    """Return why a unit is not proposed (empty words when it is proposed). Pure.

    A flagged unit that passed the review is not proposed: its flags are the reason. A unit
    that still owes a filing whose deadline passed by `on` is marked 已逾期.
    """
    if is_proposed(state.status, flags):
        return Reason("", "")
    if state.status in PROPOSABLE:
        return Reason(
            FLAGGED.zh + "；".join(f.zh for f in flags),
            FLAGGED.en + "; ".join(f.en for f in flags),
        )
    if state.status == S.LAPSED and state.lapsed_from == S.REVISION_REQUESTED:
        return LAPSED_REVISION
    base = STATUS_REASONS[state.status]
    owes = state.status in {S.RECOMMENDED, S.REGISTERED}
    if owes and state.deadline is not None and state.deadline < on:
        return Reason(base.zh + OVERDUE.zh, base.en + OVERDUE.en)
    return base


def missing_overrides(flags: Sequence[ReportFlag], overridden: Sequence[str]) -> list[ReportFlag]:
    """Return the flags of a unit the meeting did not name as overridden. Pure."""
    named = set(overridden)
    return [f for f in flags if f.code not in named]
