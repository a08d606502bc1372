"""Every unit accounted for: a status the date allows, someone who acts next, assigned in time.

`status_violations` (invariant `states`) and `assignment_violations` (`assigned`) are pure
functions of the snapshot and the business day `as_of` (the audit runs at the day's end).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from schemas.enums import ParticipationStatus as S
from tasks.audit.dates import (
    REVISION_DEADLINE,
    assign_by,
    deadline_or,
    filing_window_closes,
    round_due,
)
from tasks.audit.snapshot import AssignmentRow, Snapshot, UnitRow
from tasks.audit.violations import ASSIGNED, STATES, Violation
from tasks.common.standings import STATUS_WORDS

LAPSABLE = frozenset({S.RECOMMENDED, S.REGISTERED})
# Left for the meeting to decide: none of them may remain once it decided.
UNDECIDED = frozenset(
    {S.SUBMITTED, S.IN_REVIEW, S.REVISION_REQUESTED, S.REVISED, S.REVIEW_PASSED, S.REJECTED}
)
GONE = frozenset({S.LAPSED, S.WITHDRAWN})


def _state(
    u: UnitRow, zh: str, en: str, todo_zh: str, todo_en: str, *, overdue: bool = False
) -> Violation:
    """Return a `states` violation of unit `u`, its status named first. Pure.

    `overdue`: a to-do (someone named owes an action past its day), not a fall-through.
    """
    return Violation(
        overdue=overdue,
        invariant=STATES,
        unit_name=u.unit_name,
        uscc=u.uscc,
        wrong_zh=f"状态为「{STATUS_WORDS[u.status]}」，{zh}",
        wrong_en=f"status {u.status.value}: {en}",
        todo_zh=todo_zh,
        todo_en=todo_en,
    )


def _in_review(
    s: Snapshot, u: UnitRow, as_of: date, assigned: list[AssignmentRow], decided: bool
) -> Violation | None:
    """Return the violation of a report in review past its round's due date, if any. Pure."""
    rows = [a for a in assigned if a.round == u.revision_round]
    due = round_due(s.campaign, u.revision_round, (a.assigned_on for a in rows))
    if decided or as_of <= due:
        return None
    if not rows:
        return _state(
            u,
            f"第{u.revision_round}轮评审已于{due}截止，但未分配任何专家",
            f"round {u.revision_round} was due {due} and has no experts assigned",
            "检查专家名单后运行评审（campaign run review）",
            "check the roster, then run the review (campaign run review)",
        )
    late = sorted(a.reviewer_name for a in rows if not a.sheet_in and a.absent_on is None)
    if late:
        names = "、".join(late)
        return _state(
            u,
            f"第{u.revision_round}轮评审已于{due}截止，仍缺专家评分：{names}",
            f"round {u.revision_round} was due {due}; sheets missing from: {', '.join(late)}",
            "催收评分表，或登记该专家缺席后由系统决定",
            "chase the sheets, or record the expert absent so the round can be decided",
            overdue=True,
        )
    return _state(
        u,
        f"第{u.revision_round}轮评审已于{due}截止，评分已齐，待主任委员决定",
        f"round {u.revision_round} was due {due}; every sheet is in, awaiting the chair",
        "请评审主任委员作出决定（chair 决定文件）",
        "the chair decides the round (chair decision file)",
        overdue=True,
    )


def _unit_status(
    s: Snapshot,
    u: UnitRow,
    as_of: date,
    assigned: list[AssignmentRow],
    decided: bool,
    closes: date,
) -> Violation | None:
    """Return the `states` violation of one unit before the meeting's word, if any. Pure.

    `decided`: its current round has a decided outcome; `closes`: the day the filing window
    closed (tasks/audit/dates.py).
    """
    c = s.campaign
    if u.status in LAPSABLE and as_of > closes:
        return _state(
            u,
            f"报送期限（含逾期提醒）已于{closes}结束，应已逾期未报",
            f"the filing window closed on {closes}: it should have lapsed",
            "运行当日时钟关闭报送窗口（campaign run season）",
            "run the clock to close the filing windows (campaign run season)",
        )
    if u.status in (S.SUBMITTED, S.REVISED):
        filed = s.report_on if u.status == S.REVISED else s.submitted_on
        since = filed.get(u.participation_id, u.changed_on)
        if as_of >= assign_by(c, since):
            return _state(
                u,
                f"自{since}起未分配评审专家",
                f"filed on {since} and never assigned to experts",
                "检查专家名单与回避设置后运行评审（campaign run review）",
                "check the roster and conflicts, then run the review (campaign run review)",
            )
    if u.status == S.IN_REVIEW:
        return _in_review(s, u, as_of, assigned, decided)
    revision_due = deadline_or(c, REVISION_DEADLINE, c.stages.meeting)
    if u.status == S.REVISION_REQUESTED and as_of > revision_due:
        return _state(
            u,
            f"修改期限{revision_due}已过，应已逾期",
            f"the revision deadline {revision_due} passed: it should have lapsed",
            "运行评审以使逾期未修改的报告失效（campaign run review）",
            "run the review to lapse unrevised reports (campaign run review)",
        )
    return None


def _after_meeting(s: Snapshot, u: UnitRow, as_of: date) -> Violation | None:
    """Return the violation of a unit the recorded meeting left undecided or unreleased. Pure."""
    if s.meeting is None or as_of < s.meeting.meeting_date:
        return None
    if u.status in UNDECIDED:
        return _state(
            u,
            f"指导单位会议（{s.meeting.meeting_date}）已作出决定，但该单位未获审定或移除",
            f"the meeting of {s.meeting.meeting_date} decided but left this unit undecided",
            "由会议补充决定（campaign approve）或说明原因后移除",
            "have the meeting decide it (campaign approve) or remove it with a reason",
        )
    release = s.campaign.events.release
    if u.status == S.APPROVED and as_of > release:
        return _state(
            u,
            f"发布日{release}已过，仍未发布",
            f"the release date {release} passed and it is not released",
            "检查证书后运行发布（campaign run release）",
            "check its certificate, then run the release (campaign run release)",
        )
    return None


def status_violations(s: Snapshot, as_of: date) -> list[Violation]:
    """Return every unit whose status the date does not allow, with who acts next. Pure."""
    by_unit: dict[int, list[AssignmentRow]] = defaultdict(list)
    for a in s.assignments:
        by_unit[a.participation_id].append(a)
    decided = {(d.participation_id, d.round) for d in s.decisions}
    closes = filing_window_closes(s.campaign)
    found: list[Violation] = []
    for u in s.units:
        pid = u.participation_id
        here = (pid, u.revision_round) in decided
        v = _unit_status(s, u, as_of, by_unit[pid], here, closes) or _after_meeting(s, u, as_of)
        if v is not None:
            found.append(v)
    return found


def _late(u: UnitRow, by: date, first: date | None, as_of: date) -> Violation | None:
    """Return the `assigned` violation of one filed report, if any. Pure."""
    if first is not None and first <= by:
        return None
    if first is None and (as_of < by or u.status in GONE | {S.SUBMITTED}):
        return None  # not due yet, gone, or listed by `states` (never assigned)
    wrong_zh = f"应于{by}前分配评审专家，" + ("至今未分配" if first is None else f"{first}才分配")
    wrong_en = f"due to be assigned by {by}, " + (
        "never assigned" if first is None else f"assigned only on {first}"
    )
    return Violation(
        invariant=ASSIGNED,
        unit_name=u.unit_name,
        uscc=u.uscc,
        wrong_zh=wrong_zh,
        wrong_en=wrong_en,
        todo_zh="核对该报告的评审是否完整；此后按时运行评审",
        todo_en="check the report's review is complete; keep the review running daily",
    )


def assignment_violations(s: Snapshot, as_of: date) -> list[Violation]:
    """Return every filed report not assigned by the day after the review starts. Pure.

    A report filed after the review started is due the day after it was filed.
    """
    first: dict[int, date] = {}
    for a in s.assignments:
        if a.round == 0:
            first[a.participation_id] = min(
                a.assigned_on, first.get(a.participation_id, a.assigned_on)
            )
    found: list[Violation] = []
    for u in s.units:
        filed = s.submitted_on.get(u.participation_id)
        if filed is None:
            continue
        v = _late(u, assign_by(s.campaign, filed), first.get(u.participation_id), as_of)
        if v is not None:
            found.append(v)
    return found
