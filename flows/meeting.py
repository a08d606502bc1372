"""指导单位工作会议 meeting: the pack, the guiding units' decision, the final lists.

Leaves behind: the meeting pack (meeting-pack.xlsx and .md in the run's report folder, artifact
`meeting-pack`); then, once the operator gives a valid decision (the Prefect UI's form on the
paused run, or `campaign approve`), every candidate in its final state (`approved` or `removed`
with the reason), the commendations approved or removed (and those the meeting added), one
MeetingDecision row with the exact lists, and artifact `meeting-decision`. Nothing is written
before a valid decision: a timeout or a cancelled run leaves everything as it was.

Waiting: a run started by hand (or by the demo) pauses and keeps its process alive; a run from a
deployment (`serve`, a work pool) suspends instead: the process exits, and after the resume the
run starts again from the top, where the pack is rebuilt and each earlier answer is read back
under its pause key. Each answer carries the fingerprint of the pack it was given on (a field of
the form, filled in with the pack shown; the pause key `decision-<fingerprint[:12]>-<attempt>`
names it too, and a restarted run reuses the keys it already used), and recording compares
that fingerprint with the pack as it is now in the database: never the rebuilt pack with itself.
If the lists changed since, the answer is refused and asked again with what changed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

from prefect import flow, get_client, get_run_logger
from prefect.client.schemas.objects import StateType
from prefect.context import FlowRunContext
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.runtime import flow_run
from prefect.states import Failed
from pydantic import BaseModel, ConfigDict, ValidationError

from schemas.campaign_file import load_campaign_file
from schemas.settings import Settings
from tasks.common.business_day import current_run_label, resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign
from tasks.meeting.form import MeetingForm, form_class, form_to_decision, pause_key
from tasks.meeting.pack_files import PackSummary, build_meeting_pack
from tasks.meeting.record import find_recorded_decision, record_decision
from tasks.meeting.recorded import DecisionSummary

POLL_SECONDS = 2  # how often a paused run asks the server whether it was resumed
CANCELLED_TYPES = frozenset({StateType.CANCELLED, StateType.CANCELLING})


class MeetingSummary(BaseModel):
    """What one meeting run did: the recorded decision, and whether this run recorded it."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    already_recorded: bool
    decision: DecisionSummary
    pack: PackSummary | None = None
    answers: int = 0  # how many answers the run read (invalid ones were asked again)


class MeetingNotDecided(RuntimeError):
    """No valid decision arrived (timeout or cancellation); nothing was changed."""


def _description(pack: PackSummary, problems: list[str], attempt: int) -> str:
    """Return the markdown shown above the form: the problems of the last answer, the digest."""
    if not problems:
        return pack.digest
    lines = "\n".join(f"- {p}" for p in problems)
    return (
        f"**请修改后重新提交 The last answer (no. {attempt - 1}) was not accepted; correct it and "
        f"submit again. Nothing has been changed yet.**\n\n{lines}\n\n---\n\n{pack.digest}"
    )


def _from_deployment() -> bool:
    """Return whether the current run belongs to a deployment (then it suspends, not pauses)."""
    context = FlowRunContext.get()
    return bool(context and context.flow_run and context.flow_run.deployment_id)


def _ended_without_decision(wait_seconds: int) -> MeetingNotDecided:
    """Mark the run as ended without a decision (Failed, unless cancelled) and say why.

    The server may already have failed a timed-out pause with its own words; the run's final
    state is set again with ours, so the UI says that nothing was changed.
    """
    run_id = UUID(flow_run.get_id() or str(UUID(int=0)))
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
        cancelled = state is not None and state.type in CANCELLED_TYPES
        why = "the run was cancelled" if cancelled else f"no decision within {wait_seconds} s"
        message = (
            f"Meeting not decided ({why}): nothing was changed; statuses, commendations and "
            "decisions are as they were. Run `meeting` again to ask again."
        )
        if not cancelled:
            client.set_flow_run_state(run_id, Failed(message=message), force=True)
    return MeetingNotDecided(message)


def _used_pause_keys() -> set[str]:
    """Return the pause keys this run has already used (its earlier questions); reads only."""
    run_id = flow_run.get_id()
    if not run_id:
        return set()
    with get_client(sync_client=True) as client:
        return set(client.read_flow_run(UUID(run_id)).empirical_policy.pause_keys or set())


def _ask(
    form: type[MeetingForm], attempt: int, fingerprint: str, wait_seconds: int
) -> MeetingForm | None:
    """Wait for the operator's answer on the form; None when the answer could not be read.

    The key names the pack shown and the attempt; a restarted run asks under the key it used
    before for that attempt, so Prefect hands back the answer given then. Raises
    MeetingNotDecided when the wait ends without an answer.
    """
    key = pause_key(fingerprint, attempt, _used_pause_keys())
    try:
        if _from_deployment():
            return suspend_flow_run(wait_for_input=form, timeout=wait_seconds, key=key)
        return pause_flow_run(
            wait_for_input=form, timeout=wait_seconds, poll_interval=POLL_SECONDS, key=key
        )
    except FlowPauseTimeout:
        raise _ended_without_decision(wait_seconds) from None
    except ValidationError:
        return None  # resumed without a complete form: ask again


class Deliberation(NamedTuple):
    """How the asking ended: the decision recorded, the pack last shown, answers read."""

    decision: DecisionSummary
    already_recorded: bool  # recorded meanwhile by another run, not by this answer
    pack: PackSummary
    answers: int


def _ask_until_recorded(
    settings: Settings,
    campaign_year: int,
    day: date,
    report_dir: str,
    pack: PackSummary,
    wait_seconds: int,
) -> Deliberation:
    """Ask for the decision until one is recorded; an invalid answer is asked again.

    Each answer goes to the record-decision task (which writes and publishes it); a stale pack
    is rebuilt and shown again. Raises MeetingNotDecided when a wait ends without an answer.
    """
    logger = get_run_logger()
    defaults: dict[str, object] = {
        "meeting_date": load_campaign_file(settings.campaign_file(campaign_year)).events.meeting
    }
    problems: list[str] = []
    attempt = 0
    while True:
        attempt += 1
        defaults["pack_fingerprint"] = pack.fingerprint  # the pack shown above this form
        form = form_class(_description(pack, problems, attempt), **defaults)
        try:
            answer = _ask(form, attempt, pack.fingerprint, wait_seconds)
        except MeetingNotDecided as exc:
            logger.error("%s", exc)
            raise
        if answer is None:
            problems = [
                "表单未填完整（会议日期须为 YYYY-MM-DD 格式，录入人必填）The run was resumed "
                "without a complete form: fill in the meeting date (YYYY-MM-DD) and who decides"
            ]
            continue
        defaults = answer.model_dump(exclude={"entered_via"})
        decision, problems = form_to_decision(answer)
        if decision is not None:
            outcome = record_decision(
                settings,
                campaign_year,
                day,
                decision,
                decision.pack_fingerprint,  # the pack the answer was given on, not a rebuilt one
                flow_run.get_id() or "",
            )
            if outcome.decision is not None:
                return Deliberation(outcome.decision, outcome.already_recorded, pack, attempt)
            problems = outcome.problems
            if outcome.stale:
                pack = build_meeting_pack(settings, campaign_year, day, report_dir)
        if problems:
            logger.warning("Answer %s not accepted, asking again: %s", attempt, "; ".join(problems))


@flow(name="meeting", flow_run_name=stage_run_name("meeting"))
def meeting(
    campaign_year: int, as_of: date | None = None, wait_seconds: int = 3600
) -> MeetingSummary:
    """Build the meeting pack, wait for the meeting's decision, and record it.

    `wait_seconds` bounds each wait for an answer (default one hour; the run fails with
    "nothing was changed" when it passes). An invalid answer is asked again with its problems
    above the form. When a decision is already recorded the run reports it and does not wait.
    """
    settings = Settings()
    logger = get_run_logger()
    day = resolve_as_of(as_of, settings.timezone)
    prepare_campaign(settings, campaign_year)
    recorded = find_recorded_decision(settings, campaign_year)
    if recorded is not None:
        logger.info(
            "The meeting decision of %s is already recorded (version %s, %s by %s): not asking "
            "again.",
            campaign_year,
            recorded.version,
            recorded.meeting_date,
            recorded.decided_by,
        )
        return MeetingSummary(campaign_year=campaign_year, already_recorded=True, decision=recorded)
    report_dir = str(Path("reports") / current_run_label())
    pack = build_meeting_pack(settings, campaign_year, day, report_dir)
    asked = _ask_until_recorded(settings, campaign_year, day, report_dir, pack, wait_seconds)
    logger.info(
        "Meeting decision recorded: %s units release, %s removed, %s commendations approved.",
        asked.decision.released,
        asked.decision.removed,
        asked.decision.commendations_approved,
    )
    return MeetingSummary(
        campaign_year=campaign_year,
        already_recorded=asked.already_recorded,
        decision=asked.decision,
        pack=asked.pack,
        answers=asked.answers,
    )
