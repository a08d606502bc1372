"""The campaign clock: one run per business day moves the season along.

For `as_of` it sets the campaign's stage from the campaign file (recording the change), then
runs the steps of the stage flows due that day inside its own run (their task runs tagged with
the stage's name): mobilize when new or changed recommendation lists or receipts are in the
inbox, train (seats every day of the train stage, attendance whenever new sign-in sheets
arrive), submit when forms or report PDFs arrive, remind on the days the reminder policy names,
and it closes the windows of deadlines whose last overdue notice has passed (units still owing
lapse). From the day the review begins, while reports are in review or revision, it runs review
on the days the review has something to do: the first day of each review stage, new or changed
review files (roster, overrides, chair decisions, returned score sheets), new filings, reports
waiting for experts or sheets not sent, a round's sheets overdue, a reviewer reminder day, late
revisions to lapse. It runs commend on the first day of the commend and of the meeting stage. It
never runs the meeting, which waits for people: an operator starts it (Prefect UI or `campaign
run meeting`) and approves it there or with `campaign approve`. Once the meeting decided, it
runs release while commendation notices are owed and then every day from the release date until
every approved unit is released (certificates, catalogue and release mail). A stage with nothing
to do that day is not run at all. After the stages it delivers whatever outbox mail of the year
is due (step `deliver`: one count query, then delivery only if anything is due), so retries whose
backoff passed and rows a stopped deliverer left go out even on a day no stage queued mail.
The stage flows are not started as subflows: a subflow costs the engine ~0.14 s of server round
trips, and a 5,000-unit season started ~140 (docs/architecture.md); operators still run any
stage by hand as its own flow.
Each stage's work of the day is isolated (`StageWork`): a stage that raises is recorded (which
step, why), the other due stages still run, and the day's run then ends Failed with
`SeasonDayFailed`. Every day ends with the season's audit (tasks/audit, as `campaign audit`) and
the `needs-attention` artifact (今日待办), the run's own so the UI shows it first: the failed
stages, what the day's steps found (rejected rows, failed mail, lapsed units) and the audit's
violations; a clean day says so in one line. Violations do not fail the day: they are the
operators' list. The run's log has one INFO line per step: its day and its counts.
Idempotent per day: a second run the same day changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from prefect import Flow, flow, tags
from pydantic import BaseModel, ConfigDict

from flows.commend import commend
from flows.mobilize import MobilizeSummary, mobilize
from flows.release import ReleaseSummary, release
from flows.remind import RemindSummary, remind
from flows.review import ReviewSummary, review
from flows.submit import SubmitSummary, submit
from flows.train import TrainSummary, train
from notifications.delivery import DeliveryReport
from schemas.enums import Stage
from schemas.settings import Settings
from tasks.audit.daily import audit_day
from tasks.clock.agenda import season_agenda
from tasks.clock.attention import (
    SeasonDayFailed,
    StageFailure,
    publish_needs_attention,
    stage_failure,
)
from tasks.clock.step_log import findings, log_day, log_step
from tasks.clock.windows import ClosedWindows, close_windows
from tasks.commend.proposal import CommendSummary
from tasks.common.business_day import resolve_as_of, stage_run_name
from tasks.common.campaigns import advance_campaign_stage
from tasks.common.delivery import deliver_due
from tasks.release.due import release_due
from tasks.review.due import review_due

INTAKE_STAGES = frozenset({Stage.MOBILIZE, Stage.TRAIN, Stage.SUBMIT})
# Forms and reports are taken in whenever they arrive during the season (revised reports come
# during the review), not only in the submit stage.
FILING_STAGES = frozenset(
    {Stage.MOBILIZE, Stage.TRAIN, Stage.SUBMIT, Stage.REVIEW, Stage.COMMEND, Stage.MEETING}
)
REVIEW_STAGES = frozenset({Stage.REVIEW, Stage.COMMEND, Stage.MEETING})
COMMEND_STAGES = frozenset({Stage.COMMEND, Stage.MEETING})  # proposes on each one's first day
CLOSING_STAGES = frozenset({Stage.MEETING, Stage.RELEASE, Stage.CLOSED})

R = TypeVar("R")
T = TypeVar("T")


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
    commend: CommendSummary | None = None
    awaiting_meeting: bool = False
    release: ReleaseSummary | None = None
    delivery: DeliveryReport | None = None  # the clock's own delivery of the mail due that day


@flow(name="season", flow_run_name=stage_run_name("season"))
def season(campaign_year: int, as_of: date | None = None) -> SeasonDay:
    """Advance the campaign to `as_of` and run what is due that day, each stage isolated."""
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    stage = advance_campaign_stage(settings, campaign_year, day)
    agenda = season_agenda(settings, campaign_year, day)
    now, news = stage.stage, agenda.news
    log_day(day, now.value, stage.changed)
    work = StageWork(campaign_year, day)
    intake = work.run(mobilize) if now in INTAKE_STAGES and news.any_intake() else None
    training = None
    if now == Stage.TRAIN or (now in INTAKE_STAGES and news.attendance_files):
        training = work.run(train)
    filed = work.run(submit) if now in FILING_STAGES and news.any_submission() else None
    reminded = work.run(remind) if now in FILING_STAGES and agenda.reminders_due else None
    windows = None
    if now in FILING_STAGES and agenda.windows_to_close:
        windows = work.step("windows", close_windows, settings, campaign_year, day)
    reviewed = None
    review_news = news.any_review() or bool(filed)  # filings today may change who is in review
    if now in REVIEW_STAGES and (
        stage.changed or work.step("review", review_due, settings, campaign_year, day, review_news)
    ):
        reviewed = work.run(review)
    proposed = (
        work.run(commend) if now in {Stage.COMMEND, Stage.MEETING} and stage.changed else None
    )
    closing = None
    if now in CLOSING_STAGES:
        closing = work.step("release", release_due, settings, campaign_year, day)
    released = work.run(release) if closing is not None and closing.release_due else None
    delivered = work.step("deliver", deliver_due, settings, campaign_year)
    work.finish(settings)
    return SeasonDay(
        campaign_year=campaign_year,
        as_of=day,
        stage=now,
        stage_changed=stage.changed,
        mobilize=intake,
        train=training,
        submit=filed,
        remind=reminded,
        windows=windows,
        review=reviewed,
        commend=proposed,
        awaiting_meeting=closing is not None and not closing.meeting_decided,
        release=released,
        delivery=delivered,
    )


class StageWork:
    """The day's stage steps, each isolated: a stage that raises is recorded, the others run."""

    def __init__(self, campaign_year: int, day: date) -> None:
        self.campaign_year, self.day = campaign_year, day
        self.failures: list[StageFailure] = []
        self.findings: list[str] = []  # the steps' counts that need a look, for 今日待办

    def run(self, stage: Flow[..., R]) -> R | None:
        """Run a stage flow's steps for the day in this run, tagged with its name.

        The stage's tasks become task runs of the day's `season` run (not a subflow: a subflow
        cost ~0.14 s of server round trips). Returns None, and records why, if the stage raised.
        Side effects: those of the stage flow.
        """
        return self.step(stage.name, stage.fn, self.campaign_year, as_of=self.day)

    def step(
        self, stage: str, do: Callable[..., T], /, *args: object, **kwargs: object
    ) -> T | None:
        """Call a stage's step tagged with the stage; if it raises, record why and return None.

        Side effects: those of the step; one INFO line in the run's log (the step, its counts).
        """
        try:
            with tags(stage):
                result = do(*args, **kwargs)
        except Exception as exc:  # one stage's failure never stops the other stages of the day
            self.failures.append(stage_failure(stage, exc))
            return None
        log_step(self.day, stage, result)  # the run's log: one line per step, its counts
        found = findings(stage, result)
        if found is not None:
            self.findings.append(found)
        return result

    def finish(self, settings: Settings) -> None:
        """Audit the season, publish the day's needs-attention page; end Failed if a stage failed.

        Side effects: the `needs-attention` artifact (the run's own, so the UI shows it first).
        The audit's violations fail nothing; an audit that raises is recorded as the failed
        stage "audit".
        """
        found = list(self.findings)  # the audit's counts are in its own section
        audited = self.step("audit", audit_day, settings, self.campaign_year, self.day)
        markdown = audited.markdown if audited is not None else None
        clean = audited is not None and audited.violations == 0
        publish_needs_attention(self.day, self.failures, markdown, clean, found)
        if self.failures:
            raise SeasonDayFailed(self.day, self.failures)
