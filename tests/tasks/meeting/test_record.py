"""Recording a decision through the task's checks: a changed pack is refused, one record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from meetingkit import WRONG_YEAR, decided, decision, file_report, seed_meeting, statuses, uscc
from sqlmodel import col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.release_tables import Commendation, MeetingDecision
from schemas.settings import Settings
from tasks.commend.save import save_proposal
from tasks.commend.select import CommendationKind, Selection
from tasks.meeting.decision import MeetingChanges
from tasks.meeting.pack_files import write_meeting_pack
from tasks.meeting.record import check_and_record
from tasks.store import campaign_session

S = ParticipationStatus


def test_record_decision_refuses_a_changed_pack_then_records_once(
    workspace: Path,
    database_url: str,
    campaign_2024: CampaignFile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", database_url)
    settings = Settings()
    with campaign_session(settings) as session:
        seed_meeting(session, campaign_2024)
    day = date(2024, 12, 23)
    pack = write_meeting_pack(settings, 2024, day, "reports/t").summary
    stale = check_and_record(settings, 2024, day, decision(), "0" * 64).outcome
    invalid = check_and_record(
        settings,
        2024,
        day,
        decision(MeetingChanges(add_to_release={uscc(9): "x"})),
        pack.fingerprint,
    ).outcome
    with campaign_session(settings) as session:
        assert statuses(session)[uscc(1)] == S.REVIEW_PASSED  # nothing written so far
    done = check_and_record(settings, 2024, day, decision(), pack.fingerprint, "run-1")
    again = check_and_record(settings, 2024, day, decision(), pack.fingerprint)

    assert (stale.stale, stale.decision) == (True, None)
    assert invalid.decision is None
    assert "not among the meeting's candidates" in invalid.problems[0]
    assert done.outcome.decision is not None
    assert done.outcome.decision.flow_run_id == "run-1"
    assert done.decision is not None  # what the meeting-decision artifact shows
    assert done.decision.release_list == [uscc(1), uscc(3), uscc(4), uscc(5)]
    assert again.outcome.already_recorded
    assert again.outcome.decision == done.outcome.decision
    assert again.decision == done.decision
    with campaign_session(settings) as session:
        assert len(session.exec(select(MeetingDecision)).all()) == 1


def _moved_to_pack_b(settings: Settings, ids: dict[int, int]) -> None:
    """While the answer waits: unit 2's report is flagged, unit 1 gets a new decided version."""
    with campaign_session(settings) as session:
        file_report(session, ids[2], [WRONG_YEAR])
        session.add(decided(2024, ids[1], 0, 88.0, "pass", 2, version=2))


def test_an_answer_given_on_pack_a_is_refused_with_what_changed_when_the_db_is_pack_b(
    workspace: Path,
    database_url: str,
    campaign_2024: CampaignFile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", database_url)
    settings = Settings()
    with campaign_session(settings) as session:
        ids = seed_meeting(session, campaign_2024)
    day = date(2024, 12, 23)
    seen = write_meeting_pack(settings, 2024, day, "reports/a").summary  # pack A, shown
    _moved_to_pack_b(settings, ids)
    as_proposed = decision(MeetingChanges())

    refused = check_and_record(settings, 2024, day, as_proposed, seen.fingerprint).outcome

    assert (refused.stale, refused.decision) == (True, None)
    assert refused.problems[0].startswith("会议材料在决定作出后已有变化")
    name2 = f"上海测试0002科技有限公司（{uscc(2)}）"
    assert (
        f"移出拟发布名单 Removed from the proposed release list: {name2}：评审通过，但须会议明确"
        "放行：报告年度存疑：报告似为2022年度（致谢写2022年）" in refused.problems
    )
    assert (
        "评审得分或等级变化 Decided score or grade changed: 上海测试0001科技有限公司"
        f"（{uscc(1)}）：91.00分 四星级 → 88.00分 四星级" in refused.problems
    )
    assert f"撤回拟表彰 Commendations withdrawn since: {name2} speaker" in refused.problems
    with campaign_session(settings) as session:
        assert session.exec(select(MeetingDecision)).all() == []
    shown = write_meeting_pack(settings, 2024, day, "reports/b").summary  # pack B, shown again
    assert shown.fingerprint == refused.fingerprint != seen.fingerprint
    done = check_and_record(settings, 2024, day, as_proposed, shown.fingerprint).outcome
    assert done.decision is not None
    with campaign_session(settings) as session:
        row = session.exec(select(MeetingDecision)).one()
        assert row.pack_fingerprint == shown.fingerprint
        assert uscc(2) not in row.release_list  # flagged, not overridden: not released


def test_the_commend_rerun_in_the_meeting_stage_makes_the_pending_decision_stale(
    workspace: Path,
    database_url: str,
    campaign_2024: CampaignFile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The clock reruns commend on the meeting stage's first day; its proposal, updated in
    place (same rows, new places), is not what the meeting saw: the decision is asked again."""
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", database_url)
    settings = Settings()
    with campaign_session(settings) as session:
        seed_meeting(session, campaign_2024)
    day = date(2024, 12, 23)
    seen = write_meeting_pack(settings, 2024, day, "reports/a").summary
    with campaign_session(settings) as session:  # the rerun swaps the two speakers' places
        rows = session.exec(select(Commendation).order_by(col(Commendation.rank))).all()
        places = {r.id: r.rank for r in rows}
        places[rows[2].id], places[rows[3].id] = rows[3].rank, rows[2].rank
        again = [
            Selection(
                participation_id=r.participation_id,
                kind=CommendationKind(r.kind),
                category_key=r.category_key,
                title=r.title,
                case_title=r.case_title,
                rank=places[r.id],
                reasons=list(r.reasons),
            )
            for r in rows
        ]
        counts = save_proposal(session, 2024, again, day)
    assert (counts.updated, counts.inserted, counts.deleted) == (2, 0, 0)  # same rows, in place

    refused = check_and_record(settings, 2024, day, decision(), seen.fingerprint).outcome

    assert refused.stale
    assert any(p.startswith("拟表彰名次变化 Commendation places changed") for p in refused.problems)
