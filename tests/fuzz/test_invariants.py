"""Tests for the fuzzer's own invariants (tests/fuzz/invariants.py), against the product's own
window rule and hand-built seasons."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from factories import add_association, add_participation
from fuzz.invariants import (
    allowed_statuses,
    audit_trail,
    check_day,
    status_by_date,
    window_closes,
)
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind
from schemas.settings import Settings
from schemas.tables import Participation, StageTransition, Submission
from tasks.clock.windows import closed_deadlines
from tasks.common.campaigns import ensure_campaign
from tasks.store import campaign_session

AT = datetime(2024, 12, 1, 2, 0, tzinfo=UTC)


def test_a_window_closes_on_the_first_day_the_clock_closes_it(campaign_2024: CampaignFile) -> None:
    for key in ("receipt", "report"):
        closes = window_closes(campaign_2024, key)
        assert key in closed_deadlines(campaign_2024, closes)
        assert key not in closed_deadlines(campaign_2024, closes - timedelta(days=1))


def test_the_statuses_a_date_forbids_grow_through_the_season(campaign_2024: CampaignFile) -> None:
    c = campaign_2024
    revision = c.deadline("revision").date
    assert allowed_statuses(c, date(2024, 11, 1), decided=False) == {}
    assert set(allowed_statuses(c, window_closes(c, "receipt"), decided=False)) == {S.RECOMMENDED}
    late = set(allowed_statuses(c, revision + timedelta(days=2), decided=False))
    assert late == {S.RECOMMENDED, S.REGISTERED, S.REVISION_REQUESTED}
    assert S.REVISION_REQUESTED not in allowed_statuses(c, revision + timedelta(1), decided=False)
    decided = set(allowed_statuses(c, c.events.meeting, decided=True))
    assert decided == set(S) - {S.APPROVED, S.REMOVED, S.RELEASED, S.LAPSED, S.WITHDRAWN}
    after = set(allowed_statuses(c, c.events.release + timedelta(days=1), decided=True))
    assert after == decided | {S.APPROVED}


def test_a_report_filed_before_the_review_and_never_assigned_is_reported_from_its_third_day(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    settings = Settings()
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, AT)
        a = add_association(session, "A001")
        waiting = add_participation(session, 1, [a], S.SUBMITTED, filed=[SubmissionKind.REPORT_PDF])
        add_participation(session, 2, [a], S.IN_REVIEW, filed=[SubmissionKind.REPORT_PDF])
        session.commit()
        filed = session.exec(select(Submission.received_on)).first()
    assert filed is not None
    assert filed < date(2024, 12, 3)
    with campaign_session(settings) as session:
        # the review starts on Monday 2 December: Tuesday is still its first working days
        assert status_by_date(session, campaign_2024, date(2024, 12, 3)) == []
        found = status_by_date(session, campaign_2024, date(2024, 12, 4))
    assert len(found) == 1
    assert found[0].startswith("status-by-date: 91310115")
    assert "submitted on 2024-12-04" in found[0]
    # check_day judges by the product's audit when the tree has it: its own words, same unit
    lines = check_day(settings, campaign_2024, date(2024, 12, 4))
    assert lines
    assert any("91310115000000001U" in line and "never assigned" in line for line in lines)
    assert waiting


def test_the_audit_trail_must_chain_through_allowed_moves_to_the_status(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    settings = Settings()
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, AT)
        a = add_association(session, "A001")
        good = add_participation(session, 1, [a], S.REGISTERED)
        jumped = add_participation(session, 2, [a], S.IN_REVIEW)
        stale = add_participation(session, 3, [a], S.SUBMITTED)
        moves = {
            good: [(S.RECOMMENDED, S.REGISTERED)],
            jumped: [(S.RECOMMENDED, S.IN_REVIEW)],
            stale: [(S.RECOMMENDED, S.REGISTERED)],
        }
        for pid, chain in moves.items():
            for before, after in chain:
                session.add(
                    StageTransition(
                        campaign_year=2024,
                        participation_id=pid,
                        from_status=before,
                        to_status=after,
                        actor="test",
                        at=AT,
                    )
                )
        session.commit()
        found = audit_trail(session, 2024)
        statuses = dict(session.exec(select(Participation.id, Participation.status)).all())
    assert statuses[good] == S.REGISTERED
    assert len(found) == 2
    assert any("forbids: recommended->in_review" in f for f in found)
    assert any("is submitted but its moves say recommended->registered" in f for f in found)
