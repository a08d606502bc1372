"""The decision step: `plan_decisions` on loaded rows (pure), and the chair's file read before
the transaction that moves the statuses opens."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import make_uscc, write_xlsx
from reviewkit import OpenSessions

import tasks.review.chair
import tasks.review.decisions
from schemas.campaign_file import CampaignFile
from schemas.columns import CHAIR_DECISIONS
from schemas.enums import ParticipationStatus as S
from schemas.review_tables import ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.review.chair import ChairRuling
from tasks.review.decisions import decide_reviews, plan_decisions
from tasks.review.rounds import DueReport, RoundState
from tasks.store import campaign_session, make_engine, upgrade_database


def _due(
    pid: int, recommendation: str | None, revision_round: int = 0, owed: tuple[str, ...] = ()
) -> DueReport:
    """Return a due report of unit `pid` in its revision round, with an outcome if recommended
    and the experts whose sheet is still owed."""
    participation = Participation(
        id=pid, campaign_year=2024, status=S.IN_REVIEW, revision_round=revision_round
    )
    unit = Unit(id=pid, uscc=make_uscc(pid), name=f"单位{pid}")
    outcome = (
        ReviewOutcome(
            participation_id=pid,
            round=revision_round,
            normalised_score=71.25,
            grade="B",
            recommendation=recommendation,
        )
        if recommendation
        else None
    )
    return DueReport(participation, unit, outcome, RoundState(date(2024, 12, 13), owed, 3))


def test_plan_decides_from_the_outcome_and_the_chair_and_changes_no_row() -> None:
    due = [
        _due(1, None),
        _due(2, "needs_chair"),
        _due(3, "needs_chair"),
        _due(4, "revise"),
        _due(5, "revise", revision_round=1),
        _due(6, "pass"),
    ]
    chair = {3: ChairRuling("pass", "数据完整")}

    plan = plan_decisions(due, chair, max_rounds=1, as_of=date(2024, 12, 16), revision_open=True)

    assert plan.awaiting == [
        {"unit": "单位1", "why": "本轮尚无评审意见", "overdue": ""},
        {"unit": "单位2", "why": "评审意见分歧较大或评审不足，待评审组长决定", "overdue": ""},
    ]
    assert [(m.participation.id, m.decision, m.chair is not None) for m in plan.moves] == [
        (3, "pass", True),
        (4, "revise", False),
        (5, "reject", False),
        (6, "pass", False),
    ]
    assert plan.moves[0].reason == "评审通过（综合得分71.2，B）；评审组长：数据完整"
    assert plan.moves[1].reason == "需修改完善（综合得分71.2，B）：第1轮修改"
    assert plan.moves[2].reason.endswith("；已修改1轮，仍未达到通过分数")
    assert plan.counts() == {"pass": 2, "revise": 1, "reject": 1}
    assert [(r.participation.status, r.participation.revision_round) for r in due] == [
        (S.IN_REVIEW, 0), (S.IN_REVIEW, 0), (S.IN_REVIEW, 0), (S.IN_REVIEW, 0),
        (S.IN_REVIEW, 1), (S.IN_REVIEW, 0),
    ]  # fmt: skip


def test_a_report_with_a_sheet_outstanding_waits_and_names_the_experts_overdue() -> None:
    due = [_due(1, "pass", owed=("专家甲", "专家乙")), _due(2, "pass")]

    plan = plan_decisions(due, {}, max_rounds=1, as_of=date(2024, 12, 16), revision_open=True)

    assert plan.awaiting == [{"unit": "单位1", "why": "评分表未交齐", "overdue": "专家甲、专家乙"}]
    assert [m.participation.id for m in plan.moves] == [2]


def test_nothing_is_decided_or_awaiting_on_the_day_the_sheets_are_due() -> None:
    plan = plan_decisions(
        [_due(1, "pass"), _due(2, "pass", owed=("专家甲",))],
        {},
        max_rounds=1,
        as_of=date(2024, 12, 13),
        revision_open=True,
    )

    assert (plan.moves, plan.awaiting) == ([], [])


def test_a_revise_after_the_revision_deadline_is_a_reject_for_the_meeting() -> None:
    # Seen on main: decided after 20 Dec, a unit went in_review -> revision_requested -> lapsed
    # in one transaction and was still sent a revision request.
    due = [_due(1, "revise"), _due(2, "needs_chair")]
    chair = {2: ChairRuling("revise", "请修改")}

    plan = plan_decisions(due, chair, max_rounds=1, as_of=date(2024, 12, 16), revision_open=False)

    assert [(m.decision, m.chair is not None) for m in plan.moves] == [
        ("reject", False),
        ("reject", True),
    ]
    assert all("修改期限已过，提交指导单位工作会议审议" in m.reason for m in plan.moves)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_the_chairs_file_is_read_before_the_transaction_opens(
    workspace: Path, tmp_path: Path, campaign_2024: CampaignFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    chair = write_xlsx(
        tmp_path / "chair.xlsx",
        [{"统一社会信用代码": make_uscc(99), "决定": "通过", "理由": "不在评审中"}],
        CHAIR_DECISIONS,
    )
    sessions = OpenSessions(monkeypatch, tasks.review.decisions)
    sessions.watch_reader(monkeypatch, tasks.review.chair, "read_rows")

    summary = decide_reviews(settings, 2024, date(2024, 12, 16), [str(chair)], "reports/t")

    assert sessions.when_read == [0]  # no session open while the file was read
    assert sessions.opened == 1
    assert summary.problems_by_code == {"not-awaiting-decision": 1}
