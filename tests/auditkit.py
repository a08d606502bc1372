"""Snapshots for the audit's rule tests (plain values built in a line) and a seeded season."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from factories import make_uscc
from mailkit import feedback
from seasonkit import seed_season
from sqlalchemy.engine import Engine
from sqlmodel import Session

from notifications.headers import mailbox
from notifications.outbox import OutgoingMail, enqueue
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.release_tables import MeetingDecision
from schemas.review_tables import Review, ReviewAssignment, ReviewDecision, Reviewer
from tasks.audit.snapshot import DecisionRow, MailRow, Snapshot, UnitRow
from tasks.store import session_scope

NOW = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)


def unit(pid: int, status: S, revision_round: int = 0) -> UnitRow:
    """Return participation `pid` of unit 上海测试<pid>科技有限公司 in `status`."""
    return UnitRow(
        participation_id=pid,
        unit_name=f"上海测试{pid:04d}科技有限公司",
        uscc=make_uscc(pid),
        status=status,
        changed_on=date(2024, 12, 1),
        revision_round=revision_round,
        created_on=date(2024, 10, 10),
    )


def decision(pid: int, version: int = 1, score: float = 80.0, **kw: Any) -> DecisionRow:
    """Return a decided pass of round 0 (override any field by keyword)."""
    values: dict[str, Any] = {
        "participation_id": pid,
        "round": 0,
        "version": version,
        "decision": "pass",
        "score": score,
        "grade": "四星级",
        "decided_on": date(2024, 12, 16),
    }
    values.update(kw)
    return DecisionRow(**values)


def mail(row_id: int, template: str = "feedback_letter", **kw: Any) -> MailRow:
    """Return a sent outbox row about participation 1 (override any field by keyword)."""
    values: dict[str, Any] = {
        "id": row_id,
        "template": template,
        "status": "sent",
        "subject_ref": "participation:1:feedback",
        "facts": {},
        "business_day": None,
        "deadlines": (),
        "lease_until": None,
    }
    values.update(kw)
    return MailRow(**values)


def letter_facts(d: DecisionRow) -> dict[str, Any]:
    """Return the facts a feedback letter of decided version `d` carries."""
    return {
        "participation_id": d.participation_id,
        "round": d.round,
        "version": d.version,
        "decision": d.decision,
        "score": d.score,
        "grade": d.grade,
    }


def snapshot(campaign: CampaignFile, **kw: Any) -> Snapshot:
    """Return a snapshot of `campaign` read at NOW (fields by keyword)."""
    return Snapshot(campaign=campaign, now=NOW, **kw)


SEASON_AT = datetime(2024, 12, 16, 2, 0, tzinfo=UTC)


def _review(session: Session, pid: int) -> None:
    """Two experts on the report: one sheet in, one recorded absent."""
    expert = Reviewer(
        campaign_year=2024,
        key="e@review.example.org",
        name="张专家",
        email="e@review.example.org",
        max_load=5,
    )
    other = Reviewer(
        campaign_year=2024,
        key="f@review.example.org",
        name="李专家",
        email="f@review.example.org",
        max_load=5,
    )
    session.add_all([expert, other])
    session.flush()
    assert expert.id is not None
    assert other.id is not None
    sheet = ReviewAssignment(
        campaign_year=2024,
        participation_id=pid,
        reviewer_id=expert.id,
        assigned_on=date(2024, 12, 3),
        assigned_at=SEASON_AT,
    )
    absent = ReviewAssignment(
        campaign_year=2024,
        participation_id=pid,
        reviewer_id=other.id,
        assigned_on=date(2024, 12, 3),
        assigned_at=SEASON_AT,
        absent_on=date(2024, 12, 14),
        absent_by="chair",
        absent_reason="ill",
    )
    session.add_all([sheet, absent])
    session.flush()
    assert sheet.id is not None
    session.add(
        Review(
            campaign_year=2024,
            assignment_id=sheet.id,
            received_on=date(2024, 12, 10),
            received_at=SEASON_AT,
        )
    )
    session.add(
        ReviewDecision(
            campaign_year=2024, participation_id=pid, decision="pass", normalised_score=85.5,
            raw_score=85.0, reviews=1, grade="四星半级", decided_on=date(2024, 12, 16),
            decided_by="clock", decided_at=SEASON_AT,
        )
    )  # fmt: skip


def seed_audited_season(engine: Engine, campaign: CampaignFile, workspace: Path) -> dict[int, int]:
    """Seed tests/seasonkit.py's season with only unit 1's review decided (two experts, one
    sheet in, one absent), its letter and a meeting decision; return the participation ids."""
    with session_scope(engine) as session:
        ids = seed_season(session, campaign)
        session.flush()
        session.execute(sa.delete(ReviewDecision))  # only unit 1's review is decided here
        _review(session, ids[1])
        facts = {"participation_id": ids[1], "round": 0, "version": 1, "decision": "pass"}
        letter = OutgoingMail(
            campaign_year=2024,
            to=mailbox("contact1@unit1.example.com", "李明"),
            mail=feedback(campaign, "上海测试0001科技有限公司"),
            subject_ref=f"participation:{ids[1]}:feedback",
            version="round-0",
            facts=facts,
        )
        enqueue(
            session,
            letter,
            workspace=workspace,
            message_id_domain="example.org",
            business_day=date(2024, 12, 16),
        )
        session.add(
            MeetingDecision(
                campaign_year=2024,
                meeting_date=date(2024, 12, 27),
                decided_by="op",
                decided_at=SEASON_AT,
                source="cli",
                release_list=["X"],
                added={"X": "override"},
                notes="ok",
                flow_run_id="run-1",
            )
        )
    return ids
