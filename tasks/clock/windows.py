"""Deadline housekeeping for the clock: which reminders are due, and closing windows.

A deadline's window closes the day after its last scheduled overdue notice (notifications/
policy.py): by then the unit was reminded before, on and after the deadline. A unit that is
still `recommended` or `registered` and owes a step of that deadline moves to `lapsed`, with
the audit row naming the deadline. Idempotent: a lapsed unit is final and is never touched again.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, func, select

from notifications.policy import campaign_calendar, digest_due, reminders_due, window_last_day
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import ParticipationStatus
from schemas.participation import transition
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.business_day import current_actor
from tasks.common.standings import load_standings
from tasks.store import campaign_session

LAPSABLE = frozenset({ParticipationStatus.RECOMMENDED, ParticipationStatus.REGISTERED})


def units_that_can_lapse(session: Session, campaign_year: int) -> int:
    """Count the participations still recommended or registered. Reads only."""
    return session.exec(
        select(func.count())
        .where(Participation.campaign_year == campaign_year)
        .where(col(Participation.status).in_(LAPSABLE))
    ).one()


def closed_deadlines(campaign: CampaignFile, as_of: date) -> list[str]:
    """Return the keys of deadlines with steps whose window has closed by `as_of`."""
    calendar = campaign_calendar(campaign)
    closed: list[str] = []
    for key in sorted(campaign.deadlines):
        deadline = campaign.deadlines[key]
        if not deadline.steps:
            continue
        if as_of > window_last_day(key, deadline, campaign.reminders, calendar):
            closed.append(key)
    return closed


class ClosedWindows(BaseModel):
    """What closing the windows did on one day."""

    model_config = ConfigDict(frozen=True)

    deadlines: list[str]
    lapsed: int


@task(name="close-windows", cache_policy=NO_CACHE)
def close_windows(settings: Settings, campaign_year: int, as_of: date) -> ClosedWindows:
    """Lapse the units that still owe a step of a deadline whose window has closed.

    Side effects: moves participations to `lapsed` and writes their StageTransitions.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    keys = closed_deadlines(campaign, as_of)
    if not keys:
        return ClosedWindows(deadlines=[], lapsed=0)
    now = now_utc()
    actor = current_actor()
    with campaign_session(settings) as session:
        if not units_that_can_lapse(session, campaign_year):  # all filed or lapsed already
            return ClosedWindows(deadlines=keys, lapsed=0)
        standings = load_standings(session, campaign_year)
        reasons: dict[int, str] = {}
        for unit in standings.units:
            for key in keys:
                deadline = campaign.deadlines[key]
                if unit.owes(deadline.steps) and unit.participation_id not in reasons:
                    reasons[unit.participation_id] = (
                        f"逾期未提交《{deadline.title}》（截止{deadline.date.isoformat()}），"
                        "提交窗口已关闭"
                    )
        rows = session.exec(
            select(Participation).where(col(Participation.id).in_(list(reasons)))
        ).all()
        lapsed = 0
        for p in rows:
            assert p.id is not None
            if p.status in LAPSABLE:
                session.add(
                    transition(
                        p, ParticipationStatus.LAPSED, actor=actor, at=now, reason=reasons[p.id]
                    )
                )
                lapsed += 1
    return ClosedWindows(deadlines=keys, lapsed=lapsed)


def reminders_due_on(campaign: CampaignFile, as_of: date) -> bool:
    """Return whether any reminder or the weekly digest is due on `as_of`. Pure."""
    calendar = campaign_calendar(campaign)
    return bool(reminders_due(campaign, calendar, as_of)) or digest_due(
        campaign.reminders, calendar, as_of
    )
