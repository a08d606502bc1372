"""The guiding units' recorded decisions, read by the stages that act on them.

The meeting (tasks/meeting/record.py) writes one MeetingDecision row per decision; the commend
stage stops proposing once one exists, the release acts on the newest, and the clock asks whether
the meeting has decided. Reads only: no writes, no Prefect.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from schemas.release_tables import MeetingDecision


def latest_decision(session: Session, campaign_year: int) -> MeetingDecision | None:
    """Return the campaign's newest MeetingDecision row, or None. Read-only."""
    return session.exec(
        select(MeetingDecision)
        .where(MeetingDecision.campaign_year == campaign_year)
        .order_by(col(MeetingDecision.version).desc())
        .limit(1)
    ).first()


def meeting_decided(session: Session, campaign_year: int) -> bool:
    """Return whether the guiding units' meeting recorded its decision for the campaign."""
    return latest_decision(session, campaign_year) is not None
