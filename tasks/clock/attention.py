"""What needs an operator's attention after a day of the clock: failed stages and the audit.

The clock runs each due stage's steps isolated from the others (flows/season.py): a stage that
raises is recorded here as a `StageFailure` (the stage, the step that raised, the error) and the
other stages still run. `failing_step` names the step from the traceback (the outermost frame in
the product's tasks). Every day `publish_needs_attention` shows the operators the day's 今日待办
(needs attention) page as the `needs-attention` artifact: the failed stages, what the day's
steps found (rejected rows, failed or ambiguous mail, lapsed units: tasks/clock/step_log.py),
then the season's audit (`campaign audit`'s list, worded by tasks/audit); a clean day says so in
one line. The page is published by the flow itself, not by a task, so the Prefect UI shows it
first, alone under the run's own artifacts, above the many task artifacts. Nothing
here retries or hides a failure: a day with failed stages ends Failed (`SeasonDayFailed`); the
audit's violations are the operators' list and fail nothing.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from datetime import date

from prefect.artifacts import create_markdown_artifact
from pydantic import BaseModel, ConfigDict

from tasks.common.markdown import markdown_text

ATTENTION_KEY = "needs-attention"
TITLE = "今日待办 (needs attention)"
DETAIL_CHARS = 300  # an error's message, cut: the artifact is a list, the logs hold the rest
PRODUCT_STEPS = ("tasks.", "notifications.")


class StageFailure(BaseModel):
    """One stage of one day that raised: which stage, which step, what error."""

    model_config = ConfigDict(frozen=True)

    stage: str
    step: str  # the module and function of the step that raised, e.g. tasks.review.scores.x
    error: str  # the exception's class
    detail: str  # its message, cut to DETAIL_CHARS


class SeasonDayFailed(RuntimeError):
    """A day of the clock ran, but one or more of its stages failed (the others ran)."""

    def __init__(self, day: date, failures: Sequence[StageFailure]) -> None:
        self.day, self.failures = day, tuple(failures)
        listed = "; ".join(f"{f.stage} at {f.step} ({f.error})" for f in failures)
        super().__init__(
            f"{day}: {len(failures)} stage(s) failed, the others ran: {listed}. "
            f"See the {ATTENTION_KEY} artifact and the task run logs."
        )


def failing_step(exc: BaseException, fallback: str) -> str:
    """Return `module.function` of the outermost product step in the traceback, or `fallback`."""
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(PRODUCT_STEPS):
            return f"{module}.{frame.f_code.co_name}"
    return fallback


def stage_failure(stage: str, exc: Exception) -> StageFailure:
    """Return the record of `stage` failing with `exc`. Pure."""
    detail = " ".join(str(exc).split())
    if len(detail) > DETAIL_CHARS:
        detail = detail[: DETAIL_CHARS - 1] + "…"
    return StageFailure(
        stage=stage,
        step=failing_step(exc, f"flows.{stage}"),
        error=type(exc).__name__,
        detail=detail,
    )


def attention_markdown(day: date, failures: Sequence[StageFailure]) -> str:
    """Return the markdown of the day's failures, one row per failed stage. Pure."""
    lines = [
        f"**{day}: {len(failures)} stage(s) failed (需要处理：以下环节运行失败)**; the other due"
        " stages ran. Fix the cause, then run the stage by hand (`campaign run <stage>`) or wait"
        " for tomorrow's clock.",
        "",
        "| stage 环节 | step 步骤 | error 错误 | detail 说明 |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {markdown_text(f.stage)} | {markdown_text(f.step)} | {markdown_text(f.error)} "
        f"| {markdown_text(f.detail)} |"
        for f in failures
    ]
    return "\n".join(lines)


def needs_attention_markdown(
    day: date,
    failures: Sequence[StageFailure],
    audited: str | None,
    clean: bool,
    findings: Sequence[str] = (),
) -> str:
    """Return the day's 今日待办 page: failed stages, the day's findings, the audit's part. Pure.

    `audited` is the audit's markdown (None: the audit itself failed, listed among the
    failures); `clean` says it found nothing; `findings` are the day's steps' lines that need a
    look (tasks/clock/step_log.findings). A day with none of these is one line.
    """
    if not failures and clean and not findings:
        return f"**{day}: 今日无待办：各环节运行正常，核查通过 (nothing needs attention today)**"
    parts = [f"# {TITLE} {day}"]
    if failures:
        parts += ["## 运行失败的环节 Stages that failed", attention_markdown(day, failures)]
    if findings:
        parts += [
            "## 今日发现 What today's steps found (details in their artifacts)",
            "\n".join(f"- {markdown_text(line)}" for line in findings),
        ]
    parts += [
        "## 本届核查 Season audit (`campaign audit`)",
        audited if audited is not None else "核查未能完成，见上表 (the audit failed: see above)",
    ]
    return "\n\n".join(parts)


def publish_needs_attention(
    day: date,
    failures: list[StageFailure],
    audited: str | None,
    clean: bool,
    findings: Sequence[str] = (),
) -> None:
    """Publish the day's 今日待办 page as `needs-attention`, from the flow (first in the UI).

    Called in the flow's own body, never in a task: the artifact belongs to the run itself, so
    the UI lists it on top, apart from the task runs' artifacts.
    """
    create_markdown_artifact(
        key=ATTENTION_KEY,
        markdown=needs_attention_markdown(day, failures, audited, clean, findings),
        description=f"{TITLE} {day}",
    )
