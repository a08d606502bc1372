"""Recording a decision through the task's checks: a changed pack is refused, one record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from meetingkit import decision, seed_meeting, statuses, uscc
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.release_tables import MeetingDecision
from schemas.settings import Settings
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
