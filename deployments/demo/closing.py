"""The demo's outside world after the submission window: experts, the chair, the meeting.

Experts fill in the score sheets the review mailed them (written to
workspace/review/<year>/sheets/) and return them on the day the plan says (never, for a few):
each report has a seeded quality, each expert a seeded harshness, and a revised report scores
better. The working day after a round's sheets were due, the operator records the experts whose
sheets never came as absent (review/absent.xlsx), so the round is decided without them. From the
day after the review deadline the chair decides the reports in review: the units the plan says
revise are asked to, what the experts disagreed on or left short passes at the pass score. On
the meeting day the demo starts the meeting flow, waits until it pauses for the decision and
approves the pack as proposed, as an operator would with `campaign approve`. Demo code: product
code never imports it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import col, select

from notifications.policy import campaign_calendar
from schemas.campaign_file import CampaignFile
from schemas.columns import CHAIR_DECISIONS, REVIEW_ABSENCES
from schemas.enums import ParticipationStatus
from schemas.review_tables import Review, ReviewAssignment, Reviewer, ReviewOutcome
from schemas.settings import Settings
from schemas.tables import Participation, Unit
from tasks.common.spreadsheets import write_sheet
from tasks.review.rounds import rounds_in_review
from tasks.review.rules import sheet_deadline
from tasks.review.sheets.layout import (
    FIRST_DATA_ROW,
    META_SHEET,
    SCORES_SHEET,
    comment_column,
    id_column,
    read_meta,
    score_column,
    suggestions_column,
)
from tasks.store import campaign_session

COMMENTS = ("议题识别清晰，结构完整", "数据披露较充分", "案例生动，可读性好", "体例规范")
SUGGESTIONS = ("补充关键绩效的三年对比数据", "增加负面信息的披露与回应", "完善利益相关方沟通")


def _unit_draw(*parts: object) -> float:
    """Return a seeded number in [0, 1) from the parts; pure."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def return_score_sheets(
    settings: Settings, campaign: CampaignFile, inbox: Path, plan: dict[str, Any], day: date
) -> int:
    """Fill and return the sheets whose experts return them today; return how many."""
    issued = settings.inside_workspace("review", str(campaign.year), "sheets")
    if not issued.is_dir():
        return 0
    returns = {r["email"].casefold(): r["returns_sheet_on"] for r in plan["reviewers"]}
    target = inbox / "review" / "sheets"
    criteria = campaign.review.criteria
    returned = 0
    for path in sorted(issued.glob("*.xlsx")):
        out = target / path.name
        if out.exists():
            continue
        wb = load_workbook(path)
        meta = read_meta(wb[META_SHEET])
        if meta is None:
            continue
        on = returns.get(meta.reviewer_key.casefold())
        due = date.fromisoformat(on) if on else None
        if meta.round:  # re-checks come back the day after they were sent
            due = day if due else None
        if due is None or day < due:
            continue
        ws = wb[SCORES_SHEET]
        harshness = (_unit_draw("expert", meta.reviewer_key) - 0.5) * 16
        for row in range(FIRST_DATA_ROW, ws.max_row + 1):
            pid = ws.cell(row=row, column=id_column(len(criteria))).value
            if pid is None:
                continue
            quality = 55 + 40 * _unit_draw("report", pid) + (10 if meta.round else 0)
            for index, c in enumerate(criteria):
                noise = (_unit_draw("score", pid, meta.reviewer_key, c.key) - 0.5) * 8
                value = round(min(c.max, max(c.min, quality + harshness + noise)))
                ws.cell(row=row, column=score_column(index), value=value)
            pick = int(_unit_draw("remark", pid, meta.reviewer_key) * 100)
            ws.cell(row=row, column=comment_column(len(criteria)), value=COMMENTS[pick % 4])
            ws.cell(row=row, column=suggestions_column(len(criteria)), value=SUGGESTIONS[pick % 3])
        target.mkdir(parents=True, exist_ok=True)
        wb.save(out)
        returned += 1
    return returned


def chair_decides(
    settings: Settings, campaign: CampaignFile, inbox: Path, plan: dict[str, Any], day: date
) -> Path | None:
    """From the day after the review deadline, keep the chair's decisions on the reports in
    review: the units the plan says revise are asked to in the first round; what the experts
    disagreed on or left short (an expert absent) passes at the pass score. Rows only for the
    reports in review (a row for a decided report would be the chair's later word, a new
    version); the file is removed when none waits for the chair."""
    path = inbox / "review" / "chair.xlsx"
    if day <= campaign.deadline("review").date:
        path.unlink(missing_ok=True)
        return None
    revisers = {u["uscc"] for u in plan["units"] if u.get("revises")}
    with campaign_session(settings) as session:
        rows = session.exec(
            select(Unit.uscc, Participation.revision_round, ReviewOutcome)
            .join(Participation, col(Participation.unit_id) == col(Unit.id))
            .join(ReviewOutcome, col(ReviewOutcome.participation_id) == col(Participation.id))
            .where(Participation.campaign_year == campaign.year)
            .where(Participation.status == ParticipationStatus.IN_REVIEW)
            .where(col(ReviewOutcome.round) == col(Participation.revision_round))
        ).all()
    decisions = []
    for uscc, revision_round, outcome in sorted(rows, key=lambda r: r[0]):
        if uscc in revisers and revision_round == 0:
            decisions.append((uscc, "修改", "组长意见：请按专家建议修改完善"))
        elif outcome.recommendation == "needs_chair":
            passed = outcome.normalised_score >= campaign.review.pass_score
            decisions.append((uscc, "通过" if passed else "不通过", "组长复核专家分歧后决定"))
    if not decisions:
        path.unlink(missing_ok=True)
        return None
    headers = [c.header for c in CHAIR_DECISIONS.columns]
    return write_sheet(path, headers, decisions)


def record_absent_experts(
    settings: Settings, campaign: CampaignFile, inbox: Path, day: date
) -> Path | None:
    """The operator's absences: from the working day after a round's sheets were due, list
    every expert whose sheet of a report in review never came (review/absent.xlsx, as an
    operator would); the file is removed when nobody is owed. Returns the file written."""
    path = inbox / "review" / "absent.xlsx"
    calendar = campaign_calendar(campaign)
    with campaign_session(settings) as session:
        current = rounds_in_review(session, campaign.year)
        owed = session.exec(
            select(ReviewAssignment, Reviewer.email, Unit.uscc)
            .join(Reviewer, col(Reviewer.id) == col(ReviewAssignment.reviewer_id))
            .join(Participation, col(Participation.id) == col(ReviewAssignment.participation_id))
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(col(ReviewAssignment.participation_id).in_(list(current)))
            .where(col(ReviewAssignment.absent_on).is_(None))
            .where(~col(ReviewAssignment.id).in_(select(Review.assignment_id)))
        ).all()
    owed = [row for row in owed if current.get(row[0].participation_id) == row[0].round]
    newest: dict[int, date] = {}
    for assignment, _, _ in owed:
        pid = assignment.participation_id
        newest[pid] = max(assignment.assigned_on, newest.get(pid, assignment.assigned_on))
    rows = sorted(
        {
            (email, assignment.round, uscc, "未按期交回评分表（演示：运营人员登记缺席）")
            for assignment, email, uscc in owed
            if day
            >= calendar.shift(
                sheet_deadline(campaign, assignment.round, newest[assignment.participation_id]),
                1,
            )
        }
    )
    if not rows:
        path.unlink(missing_ok=True)
        return None
    headers = [c.header for c in REVIEW_ABSENCES.columns]  # email, round, USCC, reason
    return write_sheet(path, headers, rows)


def hold_meeting(year: int, meeting_date: date, timeout: float = 300.0) -> str:
    """Run the meeting flow, approve its pack as proposed once it pauses; return the run id."""
    from deployments.cli_meeting import approve_paused_meeting, find_paused_meeting
    from flows.meeting import meeting
    from tasks.meeting.decision import MeetingChanges

    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["summary"] = meeting(year, as_of=meeting_date, wait_seconds=int(timeout))
        except BaseException as exc:  # reported by the caller
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="demo-meeting", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    run_id = ""
    while not run_id and thread.is_alive() and time.monotonic() < deadline:
        try:
            run_id = str(find_paused_meeting(year))
        except LookupError:
            time.sleep(1.0)
    if run_id:
        approve_paused_meeting(
            year, MeetingChanges(), meeting_date, "演示：指导单位工作会议", notes="按建议名单审定"
        )
    thread.join(timeout)
    if "error" in outcome:
        raise RuntimeError(f"the meeting run failed: {outcome['error']}")
    return run_id
