"""Tests for the fuzzer's checks across days (tests/fuzz/memory.py): a told outcome that moves
without a new letter, and a mail asking for an answer by a day already passed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from factories import add_association, add_participation
from fuzz.memory import SeasonMemory
from outboxkit import body_row
from sqlmodel import Session, select

from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.review_tables import ReviewOutcome
from schemas.settings import Settings
from tasks.common.campaigns import ensure_campaign
from tasks.store import campaign_session

AT = datetime(2024, 12, 1, 2, 0, tzinfo=UTC)


def _mail(session: Session, template: str, ref: str, version: str, body: str) -> None:
    row = OutboxMessage(
        campaign_year=2024,
        idempotency_key=f"2024|{template}|{ref}|{version}|a@unit.example.com",
        template=template,
        recipient="a@unit.example.com",
        subject="s",
        status=OutboxStatus.QUEUED,
        message_id=f"<{template}{ref}{version}@example.org>",
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add(body_row(row.id, body, body))


def test_an_outcome_told_in_a_letter_must_not_move_without_a_new_letter(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    settings = Settings()
    memory = SeasonMemory(settings, 2024)
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, AT)
        pid = add_participation(session, 1, [add_association(session, "A001")], S.IN_REVIEW)
        session.add(
            ReviewOutcome(
                campaign_year=2024,
                participation_id=pid,
                normalised_score=60.2,
                raw_score=61.0,
                reviews=3,
                spread=4.0,
                grade="三星级",
                recommendation="pass",
                decided_on=date(2024, 12, 14),
            )
        )
        _mail(session, "feedback_letter", f"participation:{pid}:feedback", "round-0", "您好")
        session.commit()
    assert memory(date(2024, 12, 14)) == []
    with campaign_session(settings) as session:
        outcome = session.exec(select(ReviewOutcome)).one()
        outcome.normalised_score, outcome.grade, outcome.recommendation = 59.46, "二星级", "revise"
        session.add(outcome)
        session.commit()
    (found,) = memory(date(2024, 12, 16))
    assert found.startswith("told-outcome: 91310115")
    assert "(60.2, '三星级', 'pass') on 2024-12-14, now (59.46, '二星级', 'revise')" in found
    with campaign_session(settings) as session:  # a new letter for the round: told again
        _mail(session, "feedback_letter", f"participation:{pid}:feedback", "round-0-v2", "更正")
        session.commit()
    assert memory(date(2024, 12, 17)) == []


def test_a_mail_asking_for_an_answer_by_a_passed_day_is_reported_once(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    settings = Settings()
    memory = SeasonMemory(settings, 2024)
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, AT)
        _mail(session, "review_invitation", "reviewer:1", "s1", "请于2024年12月13日（周五）前")
        _mail(session, "review_invitation", "reviewer:2", "s2", "于2024年12月20日前反馈")
        _mail(session, "deadline_reminder", "participation:1", "x", "于2024年11月15日前")
        session.commit()
    (found,) = memory(date(2024, 12, 18))
    assert found == (
        "mail-deadline: a review_invitation queued on 2024-12-18 asks for an answer by "
        "2024-12-13 (reviewer:1)"
    )
    assert memory(date(2024, 12, 19)) == []
