"""The campaign clock: one run per business day moves the season along.

For `as_of` it sets the campaign's stage from the campaign file (recording the change), then
runs what is due that day as subflows: mobilize when new or changed recommendation lists or
receipts are in the inbox, train (seats every day of the train stage, attendance whenever new
sign-in sheets arrive), submit when forms or report PDFs arrive, remind on the days the
reminder policy names, and it closes the windows of deadlines whose last overdue notice has
passed (units still owing lapse). On the day the review begins it runs review (roster and
assignment); the later stages join as they are built.
Idempotent per day: a second run the same day changes nothing.
"""

from __future__ import annotations

from datetime import date

from prefect import flow
from pydantic import BaseModel, ConfigDict

from flows.mobilize import MobilizeSummary, mobilize
from flows.remind import RemindSummary, remind
from flows.review import ReviewSummary, review
from flows.submit import SubmitSummary, submit
from flows.train import TrainSummary, train
from schemas.enums import Stage
from schemas.settings import Settings
from tasks.campaigns import advance_campaign_stage
from tasks.clock import resolve_as_of
from tasks.inbox import inbox_news
from tasks.windows import ClosedWindows, close_windows, reminders_due_today

INTAKE_STAGES = frozenset({Stage.MOBILIZE, Stage.TRAIN, Stage.SUBMIT})
# Forms and reports are taken in whenever they arrive during the season (revised reports come
# during the review), not only in the submit stage.
FILING_STAGES = frozenset(
    {Stage.MOBILIZE, Stage.TRAIN, Stage.SUBMIT, Stage.REVIEW, Stage.COMMEND, Stage.MEETING}
)


class SeasonDay(BaseModel):
    """What the clock did on one business day."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    stage: Stage
    stage_changed: bool
    mobilize: MobilizeSummary | None = None
    train: TrainSummary | None = None
    submit: SubmitSummary | None = None
    remind: RemindSummary | None = None
    windows: ClosedWindows | None = None
    review: ReviewSummary | None = None


@flow(name="season")
def season(campaign_year: int, as_of: date | None = None) -> SeasonDay:
    """Advance the campaign to `as_of` and run what is due that day."""
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    stage = advance_campaign_stage(settings, campaign_year, day)
    intake = None
    news = inbox_news(settings, campaign_year)
    if stage.stage in INTAKE_STAGES and news.any_intake():
        intake = mobilize(campaign_year, as_of=day)
    training = None
    if stage.stage == Stage.TRAIN or (stage.stage in INTAKE_STAGES and news.attendance_files):
        training = train(campaign_year, as_of=day)
    filed = None
    if stage.stage in FILING_STAGES and news.any_submission():
        filed = submit(campaign_year, as_of=day)
    reminded = None
    if stage.stage in FILING_STAGES and reminders_due_today(settings, campaign_year, day):
        reminded = remind(campaign_year, as_of=day)
    windows = close_windows(settings, campaign_year, day) if stage.stage in FILING_STAGES else None
    reviewed = None
    if stage.stage == Stage.REVIEW and stage.changed:
        reviewed = review(campaign_year, as_of=day)
    return SeasonDay(
        campaign_year=campaign_year,
        as_of=day,
        stage=stage.stage,
        stage_changed=stage.changed,
        mobilize=intake,
        train=training,
        submit=filed,
        remind=reminded,
        windows=windows,
        review=reviewed,
    )
