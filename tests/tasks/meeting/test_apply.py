"""Writing a checked decision on a real database: statuses, commendations, the exact lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from meetingkit import (
    WRONG_YEAR,
    commendation_statuses,
    decision,
    file_report,
    seed_meeting,
    statuses,
    uscc,
)
from sqlalchemy.engine import Engine
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.release_tables import Commendation, MeetingDecision
from schemas.tables import StageTransition
from tasks.meeting.apply import DecisionInvalid, apply_decision
from tasks.meeting.decision import CommendationAddition, MeetingChanges
from tasks.meeting.pack_load import load_meeting_pack
from tasks.store import session_scope

S = ParticipationStatus
NOW = datetime(2024, 12, 23, 8, 0, tzinfo=UTC)


def test_a_decision_moves_every_candidate_and_records_the_exact_lists(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_meeting(session, campaign_2024)
        pack = load_meeting_pack(session, campaign_2024, date(2024, 12, 23))
    with session_scope(engine) as session:
        recorded = apply_decision(
            session,
            pack,
            decision(),
            actor="test",
            now=NOW,
            flow_run_id="r1",
            pack_fingerprint="f" * 64,
        )

    assert recorded.release_list == [uscc(1), uscc(3), uscc(4), uscc(5)]
    with session_scope(engine) as session:
        now = statuses(session)
        row = session.exec(select(MeetingDecision)).one()
        moves = {
            t.participation_id: (t.to_status, t.reason)
            for t in session.exec(select(StageTransition).where(StageTransition.actor == "test"))
        }
        commended = commendation_statuses(session)
    assert {uscc(n): now[uscc(n)] for n in range(1, 10)} == {
        uscc(1): S.APPROVED,
        uscc(2): S.REMOVED,
        uscc(3): S.APPROVED,
        uscc(4): S.APPROVED,
        uscc(5): S.APPROVED,
        uscc(6): S.REMOVED,
        uscc(7): S.REMOVED,
        uscc(8): S.WITHDRAWN,
        uscc(9): S.SUBMITTED,
    }
    assert moves[ids[2]] == (S.REMOVED, "报告数据与年报不符")
    assert moves[ids[5]] == (S.APPROVED, "added by the meeting: 复核后同意发布")
    not_finished = (
        "会议未同意发布：评审未完成：待专家评分 "
        "(not approved by the meeting: review not finished: sheets outstanding)"
    )
    not_rechecked = (
        "会议未同意发布：修改稿未复核 (not approved by the meeting: revised report not re-checked)"
    )
    assert moves[ids[6]] == (S.REMOVED, not_finished)
    assert moves[ids[7]][1] == not_rechecked
    assert set(moves) == {ids[n] for n in range(1, 8)}
    assert (row.version, row.meeting_date, row.decided_by, row.source, row.flow_run_id) == (
        1,
        date(2024, 12, 23),
        "王主任",
        "cli",
        "r1",
    )
    assert row.release_list == recorded.release_list
    assert row.pack_fingerprint == "f" * 64
    assert row.added == {uscc(5): "复核后同意发布"}
    assert row.removed == {
        uscc(2): "报告数据与年报不符",
        uscc(6): not_finished,
        uscc(7): not_rechecked,
    }
    assert row.overrides == {
        uscc(5): {"flags": ["below-pass"], "reason": "复核后同意发布；社区案例突出"}
    }
    assert commended == {
        (uscc(1), "excellent_unit", ""): "approved",
        (uscc(2), "case", "green-low-carbon"): "removed",  # its unit does not release
        (uscc(2), "speaker", ""): "removed",
        (uscc(3), "speaker", ""): "removed",  # removed by the meeting
        (uscc(5), "case", "community"): "approved",  # added by the meeting
    }
    approved = [(c["uscc"], c["kind"]) for c in row.commendation_list if c["status"] == "approved"]
    assert approved == [(uscc(1), "excellent_unit"), (uscc(5), "case")]
    assert (recorded.commendations_approved, recorded.commendations_removed) == (2, 3)
    assert row.notes == "纪要"


def test_an_invalid_decision_is_refused_before_anything_moves(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        seed_meeting(session, campaign_2024)
        pack = load_meeting_pack(session, campaign_2024, date(2024, 12, 23))
    bad = MeetingChanges(remove_from_release={uscc(77): "x"})
    with pytest.raises(DecisionInvalid, match="unknown USCC"), session_scope(engine) as session:
        apply_decision(session, pack, decision(bad), actor="test", now=NOW)
    with session_scope(engine) as session:
        assert statuses(session)[uscc(1)] == S.REVIEW_PASSED
        assert session.exec(select(MeetingDecision)).all() == []


def test_a_flagged_unit_is_removed_unless_the_meeting_overrides_its_flag_explicitly(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    """Regression (issue 22): a wrong-year report was released and commended."""
    with session_scope(engine) as session:
        ids = seed_meeting(session, campaign_2024)
        file_report(session, ids[1], [WRONG_YEAR])  # unit 1: proposed excellent unit
        pack = load_meeting_pack(session, campaign_2024, date(2024, 12, 23))
    with session_scope(engine) as session:
        apply_decision(session, pack, decision(MeetingChanges()), actor="test", now=NOW)
        assert statuses(session)[uscc(1)] == S.REMOVED
        assert commendation_statuses(session)[(uscc(1), "excellent_unit", "")] == "removed"
        session.rollback()  # the same pack, decided the other way instead

    override = MeetingChanges(
        add_to_release={uscc(1): "致谢笔误，报告确为2023年度"},
        add_to_commendation=[
            CommendationAddition(uscc=uscc(1), kind="excellent_unit", reason="会议确认")
        ],
        overrides={uscc(1): ["wrong-year"]},
    )
    with session_scope(engine) as session:
        recorded = apply_decision(session, pack, decision(override), actor="test", now=NOW)
    with session_scope(engine) as session:
        row = session.exec(select(MeetingDecision)).one()
        assert statuses(session)[uscc(1)] == S.APPROVED
        assert commendation_statuses(session)[(uscc(1), "excellent_unit", "")] == "approved"
        assert len(session.exec(select(Commendation)).all()) == 4  # approved in place
    assert uscc(1) in recorded.release_list
    assert row.overrides == {
        uscc(1): {"flags": ["wrong-year"], "reason": "致谢笔误，报告确为2023年度；会议确认"}
    }
