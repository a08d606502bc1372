"""Operator-facing summaries for the command line: the campaign's stage and status counts."""

from __future__ import annotations

from sqlmodel import func, select

from schemas.enums import ParticipationStatus
from schemas.settings import Settings
from schemas.tables import Campaign, Participation
from tasks.store import campaign_session


def status_counts(settings: Settings, year: int) -> tuple[str, dict[str, int]]:
    """Return the campaign's stage and the number of participations per status."""
    with campaign_session(settings) as session:
        campaign = session.get(Campaign, year)
        stage = campaign.stage.value if campaign else "(no campaign yet)"
        rows = session.exec(
            select(Participation.status, func.count())
            .where(Participation.campaign_year == year)
            .group_by(Participation.status)
        ).all()
    return stage, {ParticipationStatus(s).value: int(n) for s, n in sorted(rows)}


def campaign_status(settings: Settings, year: int) -> str:
    """Return a short text block: stage and participations per status."""
    stage, counts = status_counts(settings, year)
    lines = [f"campaign {year}: stage {stage}"]
    lines += [f"  {status:<20} {n:>6}" for status, n in counts.items()]
    if not counts:
        lines.append("  no participations yet")
    return "\n".join(lines)
