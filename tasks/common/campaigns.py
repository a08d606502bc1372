"""The campaign row and its stage: created from the campaign file, moved by the clock.

`stage_on` is the plain rule (which stage a date falls in); `ensure_campaign` and
`advance_stage` write the Campaign row and its CampaignStageChange audit rows in the caller's
session; `status_counts` reads how many units stand at each status (the clock and the stages'
checks of what is due read it).
"""

from __future__ import annotations

from datetime import date, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, func, select

from schemas.campaign_file import SEASON_STAGES, CampaignFile, load_campaign_file
from schemas.enums import ParticipationStatus, Stage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Campaign, CampaignStageChange, Participation
from tasks.common.business_day import current_actor
from tasks.store import campaign_engine, check_schema, session_scope


def stage_on(campaign: CampaignFile, day: date) -> Stage:
    """Return the stage the campaign is in on `day` (preparing before, closed after release)."""
    current = Stage.PREPARING
    for stage in SEASON_STAGES:
        if campaign.stages.start_of(stage) <= day:
            current = stage
    if current == Stage.RELEASE and day > campaign.events.release:
        return Stage.CLOSED
    return current


def ensure_campaign(session: Session, campaign: CampaignFile, now: datetime) -> Campaign:
    """Return the Campaign row for the file's year, creating it (stage preparing) if needed.

    Edition, theme and report year follow the file on every call.
    """
    row = session.get(Campaign, campaign.year)
    if row is None:
        row = Campaign(
            year=campaign.year,
            edition=campaign.campaign.edition,
            theme=campaign.campaign.theme,
            report_year=campaign.campaign.report_year,
            stage=Stage.PREPARING,
            stage_changed_at=now,
        )
        session.add(row)
    else:
        row.edition = campaign.campaign.edition
        row.theme = campaign.campaign.theme
        row.report_year = campaign.campaign.report_year
    session.flush()
    return row


def advance_stage(
    session: Session, row: Campaign, target: Stage, *, as_of: date, actor: str, now: datetime
) -> CampaignStageChange | None:
    """Move the campaign to `target` and record the change; None when it is already there."""
    if row.stage == target:
        return None
    change = CampaignStageChange(
        campaign_year=row.year,
        from_stage=row.stage,
        to_stage=target,
        as_of=as_of,
        actor=actor,
        at=now,
        reason=f"campaign file: {target.value} begins on or before {as_of.isoformat()}",
    )
    row.stage = target
    row.stage_changed_at = now
    session.add(change)
    session.flush()
    return change


class StageOfDay(BaseModel):
    """The campaign's stage on a business day, and whether the clock moved it today."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    stage: Stage
    previous: Stage
    changed: bool


@task(name="advance-campaign-stage", cache_policy=NO_CACHE)
def advance_campaign_stage(settings: Settings, campaign_year: int, as_of: date) -> StageOfDay:
    """Set the campaign's stage for `as_of` from the campaign file; record a change if any.

    Side effects: creates the Campaign row on first use; writes CampaignStageChange rows. Raises
    SchemaNotCurrent (run `campaign db upgrade`) when the database schema is behind the code.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    target = stage_on(campaign, as_of)
    engine = campaign_engine(settings)
    now = now_utc()
    check_schema(engine)
    with session_scope(engine) as session:
        row = ensure_campaign(session, campaign, now)
        previous = row.stage
        change = advance_stage(session, row, target, as_of=as_of, actor=current_actor(), now=now)
    return StageOfDay(
        campaign_year=campaign_year,
        as_of=as_of,
        stage=target,
        previous=previous,
        changed=change is not None,
    )


@task(name="prepare-campaign", cache_policy=NO_CACHE)
def prepare_campaign(settings: Settings, campaign_year: int) -> None:
    """Check the campaign file and the database schema, ensure the Campaign row.

    Side effect: creates or refreshes the Campaign row. Raises SchemaNotCurrent (run `campaign
    db upgrade`) when the database schema is behind the code: flows never migrate, so workers
    starting together after a deploy cannot race on an upgrade.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    engine = campaign_engine(settings)
    check_schema(engine)
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())


def status_counts(session: Session, campaign_year: int) -> dict[ParticipationStatus, int]:
    """Return how many of the campaign's units stand at each status. Reads only."""
    rows = session.exec(
        select(Participation.status, func.count())
        .where(Participation.campaign_year == campaign_year)
        .group_by(col(Participation.status))
    ).all()
    return {ParticipationStatus(status): n for status, n in rows}
