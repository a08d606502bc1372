"""Every stage flow, and outbox delivery, as a Prefect deployment, served by `campaign serve`.

`STAGE_DEPLOYMENTS` is the registry: one line per stage (flow import path, deployment name,
description, tags, cron schedule or None; delivery has an interval instead). Adding a stage is
adding a line; prefect.yaml lists the same deployments for a process work pool, and
tests/deployments/test_serve.py keeps the two in step. Flows are imported lazily (importlib)
when the deployments are built, and a registered flow that cannot be imported is an error, never
skipped.

Schedules (cron, in the campaign's time zone, so `as_of` left empty is the business day the run
starts on):
- season `30 7 * * *`: the campaign clock, every day (a holiday or a make-up working day is the
  working-day calendar's business, not the cron's). It runs before office hours so files that
  came in overnight are taken in and reminders are out when the day starts; on the days the
  reminder policy names it runs remind's steps itself.
- remind `0 10 * * *`: the safety net of the reminders, every day. After a clock run that
  already reminded, it finds every reminder of the day in the outbox (the idempotency key names
  template, unit, deadline and reminder number) and queues and sends nothing; if the clock failed
  or stopped before reminding, this run sends the day's reminders. On days the policy names
  nothing it queues nothing. Never at the clock's hour: the two do not race for the outbox (and
  if they did, the outbox's unique key would keep every mail single). It does not re-send mail
  queued earlier that failed to go out: the `deliver` deployment does.
- deliver, every `CAMPAIGN_DELIVER_EVERY_MINUTES` (default 10) minutes: sends the outbox mail
  that is due (retries after their backoff, rows a stopped deliverer left), every campaign year;
  one count query and nothing more when nothing is due. Interval schedules take the setting
  when the deployments are built (`build_deployments(..., deliver_every_minutes=...)`).
Every other stage is triggered by an operator (Prefect UI "Run", or `prefect deployment run`).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval, Schedule
from prefect.types.entrypoint import EntrypointType

CAMPAIGN_TIMEZONE = "Asia/Shanghai"
PROJECT_TAG = "csr-campaign"
COMMON_PARAMETERS = (
    "Parameters: campaign_year (default: set when the deployment was made, normally the newest "
    "campaign file); as_of (business date YYYY-MM-DD, default: today in Asia/Shanghai)"
)


class RegisteredFlowMissing(ImportError):
    """A flow named in the deployment registry cannot be imported."""


@dataclass(frozen=True)
class StageDeployment:
    """One stage flow as a deployment: where its flow lives, and how it is run."""

    target: str  # "<module>:<flow function>", e.g. "flows.season:season"
    name: str
    summary: str
    tags: tuple[str, ...]
    cron: str | None = None
    extra_parameters: str = ""  # the flow's parameters besides campaign_year and as_of
    defaults: Mapping[str, Any] = field(default_factory=dict)  # besides campaign_year
    every_minutes: int | None = None  # an interval schedule instead of a cron
    common_parameters: str = COMMON_PARAMETERS
    pins_year: bool = True  # the deployment's runs default to the year it was made for

    @property
    def module(self) -> str:
        """Return the module that defines the flow."""
        return self.target.partition(":")[0]

    @property
    def function(self) -> str:
        """Return the name of the flow function in its module."""
        return self.target.partition(":")[2]

    @property
    def entrypoint(self) -> str:
        """Return the file entrypoint (relative to the repository root), as prefect.yaml has it."""
        return f"{self.module.replace('.', '/')}.py:{self.function}"

    @property
    def description(self) -> str:
        """Return the deployment's description: what it does and every parameter it takes."""
        parameters = self.common_parameters + (
            f"; {self.extra_parameters}" if self.extra_parameters else ""
        )
        every = f" 每 {self.every_minutes} 分钟 / every {self.every_minutes} minutes."
        return f"{self.summary}{every if self.every_minutes else ''}\n\n{parameters}."

    @property
    def all_tags(self) -> list[str]:
        """Return the deployment's tags: the project's, then the entry's."""
        return [PROJECT_TAG, *self.tags]

    def parameters(self, campaign_year: int) -> dict[str, Any]:
        """Return the deployment's default parameters for `campaign_year`."""
        return (
            {"campaign_year": campaign_year, **self.defaults}
            if self.pins_year
            else {**self.defaults}
        )

    def load_flow(self) -> Flow[..., Any]:
        """Import and return the flow; raise RegisteredFlowMissing when it is not there."""
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            if exc.name != self.module:
                raise  # the module exists but one of its own imports is missing
            raise RegisteredFlowMissing(
                f"deployment {self.name!r}: module {self.module} does not exist"
            ) from exc
        found = getattr(module, self.function, None)
        if not isinstance(found, Flow):
            raise RegisteredFlowMissing(
                f"deployment {self.name!r}: {self.target} is not a Prefect flow"
            )
        return found

    def schedules(self, timezone: str = CAMPAIGN_TIMEZONE) -> list[Schedule]:
        """Return the deployment's schedules: its cron or interval in `timezone`, or none."""
        if self.every_minutes:
            return [Interval(timedelta(minutes=self.every_minutes), timezone=timezone)]
        return [Cron(self.cron, timezone=timezone)] if self.cron else []

    def every(self, minutes: int | None) -> StageDeployment:
        """Return this entry with its interval set to `minutes` (entries without one unchanged)."""
        if not self.every_minutes or not minutes:
            return self
        return dataclasses.replace(self, every_minutes=minutes)


DELIVER_EVERY_MINUTES = 10  # the default of CAMPAIGN_DELIVER_EVERY_MINUTES
MEETING_WAIT_SECONDS = 14 * 24 * 3600  # a suspended run holds no process: days are fine
FILES_NOTE = "paths of files to take in; default: what is new in the inbox"

STAGE_DEPLOYMENTS: tuple[StageDeployment, ...] = (
    StageDeployment(
        "flows.season:season",
        "campaign-clock",
        "The campaign clock, daily at 07:30: sets the stage from the campaign file and runs "
        "what is due that day (intake of new files, training seats, reminders on policy days, "
        "closing windows, the review every day while reports are in review). Idempotent per day.",
        ("clock", "scheduled"),
        cron="30 7 * * *",
    ),
    StageDeployment(
        "flows.remind:remind",
        "daily-reminders",
        "催报提醒: reminders, overdue notices and the weekly association digest due on the day; "
        "daily at 10:00 as the safety net of the clock (sends nothing the clock already sent).",
        ("mail", "scheduled"),
        cron="0 10 * * *",
        extra_parameters="dry_run (true: only list what would be sent; default false)",
    ),
    StageDeployment(
        "flows.deliver:deliver",
        "deliver",
        "邮件投递: sends the outbox mail that is due (retries whose backoff has passed, rows a "
        "stopped deliverer left) for every campaign year; after one count query it returns at "
        "once when nothing is due. Fails, with the reason, when delivery stopped early (server "
        "unreachable, configuration error); the mail stays queued.",
        ("mail", "scheduled"),
        every_minutes=DELIVER_EVERY_MINUTES,
        common_parameters="Parameters: campaign_year (default: empty, every year)",
        pins_year=False,
    ),
    StageDeployment(
        "flows.mobilize:mobilize",
        "mobilize",
        "组织发动: take in association and recommendation lists and receipts, invite units to "
        "register, send each association the receipt of its lists.",
        ("stage", "operator"),
        extra_parameters=(
            "over_quota (hold or cut lists over the quota; default hold); associations_file, "
            f"recommendation_files, receipt_files ({FILES_NOTE})"
        ),
    ),
    StageDeployment(
        "flows.train:train",
        "train",
        "宣贯培训: seats and waiting lists in the training sessions, attendance from sign-in "
        "sheets.",
        ("stage", "operator"),
        extra_parameters=f"attendance_files ({FILES_NOTE})",
    ),
    StageDeployment(
        "flows.submit:submit",
        "submit",
        "报告编制: take in basic-information forms, financial statements and report PDFs "
        "(pre-screened), acknowledge each new report.",
        ("stage", "operator"),
        extra_parameters=(
            f"basic_info_files, financial_files, report_files, manifest_files ({FILES_NOTE})"
        ),
    ),
    StageDeployment(
        "flows.review:review",
        "review",
        "报告评审: roster, reviewer assignment, score sheets out and in, ranked outcomes.",
        ("stage", "operator"),
        extra_parameters=(
            f"roster_files, override_files, returned_files, chair_files, absent_files "
            f"({FILES_NOTE})"
        ),
    ),
    StageDeployment(
        "flows.commend:commend",
        "commend",
        "推荐表彰: ranked, quota-bound, explained selection of excellent units, cases and "
        "speakers.",
        ("stage", "operator"),
    ),
    StageDeployment(
        "flows.meeting:meeting",
        "meeting",
        "指导单位工作会议: the meeting pack, then the run suspends (its process exits) until the "
        "guiding units' decision is entered in the run's form or with `campaign approve`.",
        ("stage", "operator", "approval"),
        extra_parameters=(
            "wait_seconds (how long the run waits for the decision before it fails; "
            f"default here {MEETING_WAIT_SECONDS} s = 14 days)"
        ),
        defaults={"wait_seconds": MEETING_WAIT_SECONDS},
    ),
    StageDeployment(
        "flows.release:release",
        "release",
        "发布: certificates, the public catalogue, release and media mail, season statistics.",
        ("stage", "operator"),
    ),
)


def build_deployments(
    campaign_year: int,
    timezone: str = CAMPAIGN_TIMEZONE,
    entries: Sequence[StageDeployment] = STAGE_DEPLOYMENTS,
    *,
    deliver_every_minutes: int | None = None,
) -> list[RunnerDeployment]:
    """Return every registered stage flow as a deployment defaulting to `campaign_year`.

    `deliver_every_minutes` (the setting) replaces the registry's interval of interval entries.
    Imports the flow modules; raises RegisteredFlowMissing when a registered flow is missing.
    """
    entries = [e.every(deliver_every_minutes) for e in entries]
    return [
        RunnerDeployment.from_flow(  # what flow.to_deployment does, without its async twin
            entry.load_flow(),
            name=entry.name,
            schedules=entry.schedules(timezone),
            parameters=entry.parameters(campaign_year),
            description=entry.description,
            tags=entry.all_tags,
            entrypoint_type=EntrypointType.MODULE_PATH,  # runs from any folder
        )
        for entry in entries
    ]


def serve_campaign(
    campaign_year: int,
    timezone: str = CAMPAIGN_TIMEZONE,
    *,
    deliver_every_minutes: int | None = None,
) -> None:
    """Register every stage deployment and run their flow runs here until interrupted.

    Side effects: creates or updates the deployments on the Prefect API; blocks, starting a
    subprocess per flow run; on shutdown Prefect pauses the schedules (serving again resumes).
    """
    serve(*build_deployments(campaign_year, timezone, deliver_every_minutes=deliver_every_minutes))
