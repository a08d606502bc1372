"""Recording the meeting's decision: the task that checks it against the pack and writes it.

`check_and_record` reads the pack afresh inside the write transaction and compares it with the
fingerprint of the pack the decision was given on (the answer's, never one rebuilt after a
restart); when they agree and the decision is valid it writes the decision
(tasks/meeting/apply.py), so a decision given against a pack that has since changed is refused,
with what changed (the pack it was given on is read back from its snapshot), rather than
applied. `record_decision` (task) does that and publishes the recorded decision as the
`meeting-decision` artifact; `find_recorded_decision` (task) reads a decision already recorded.
Returns decisions in numbers (DecisionSummary); the lists stay in the MeetingDecision row and
the artifact.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.business_day import current_actor
from tasks.common.meeting_decisions import latest_decision
from tasks.meeting.apply import apply_decision, recorded_view
from tasks.meeting.decision import (
    MeetingDecisionInput,
    validate_decision,
)
from tasks.meeting.decision_page import publish_decision
from tasks.meeting.pack import pack_fingerprint
from tasks.meeting.pack_diff import pack_changes
from tasks.meeting.pack_load import load_meeting_pack
from tasks.meeting.pack_snapshots import load_snapshot
from tasks.meeting.recorded import DecisionSummary, RecordedDecision
from tasks.store import campaign_session

STALE = (
    "会议材料在决定作出后已有变化，本决定未被采用，请核对新材料后重新决定。The pack changed since "
    "the decision was given on it (the lists below moved); nothing was recorded: check the new "
    "pack and decide again."
)
NO_SNAPSHOT = (
    "作出决定时所见材料未存档，无法逐项列出变化。The pack the decision was given on is not kept, "
    "so the changes cannot be listed."
)


class RecordOutcome(BaseModel):
    """What `record_decision` did: the recorded decision, or the problems that stopped it."""

    model_config = ConfigDict(frozen=True)

    decision: DecisionSummary | None = None
    problems: list[str] = []
    stale: bool = False
    already_recorded: bool = False
    fingerprint: str = ""  # of the pack as it is now, when stale


@task(name="find-recorded-decision", cache_policy=NO_CACHE)
def find_recorded_decision(settings: Settings, campaign_year: int) -> DecisionSummary | None:
    """Return the campaign's recorded meeting decision (newest version), or None. Read-only."""
    with campaign_session(settings) as session:
        row = latest_decision(session, campaign_year)
        return recorded_view(row).summary() if row else None


class Recording(NamedTuple):
    """What check_and_record did: the decision recorded (or found), and the run's outcome."""

    decision: RecordedDecision | None
    outcome: RecordOutcome


def check_and_record(
    settings: Settings,
    campaign_year: int,
    built_on: date,
    decision: MeetingDecisionInput,
    fingerprint: str,
    flow_run_id: str = "",
) -> Recording:
    """Check the decision against the current pack and record it, all in one transaction.

    `fingerprint` is that of the pack the answer was given on. Side effects (only when the pack
    is unchanged and the decision valid): participations' final statuses, commendation statuses
    and rows, one MeetingDecision row (with that fingerprint). Nothing is written
    when a decision already exists, the pack changed (`stale`), or the decision has problems.
    Publishes nothing (record_decision does).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        existing = latest_decision(session, campaign_year)
        if existing is not None:
            found = recorded_view(existing)
            return Recording(found, RecordOutcome(decision=found.summary(), already_recorded=True))
        pack = load_meeting_pack(session, campaign, built_on)
        current = pack_fingerprint(pack)
        if current != fingerprint:
            seen = load_snapshot(settings, campaign_year, fingerprint)
            changed = pack_changes(seen, pack) if seen is not None else [NO_SNAPSHOT]
            stale = RecordOutcome(problems=[STALE, *changed], stale=True, fingerprint=current)
            return Recording(None, stale)
        problems = validate_decision(pack, decision.changes)
        if problems:
            return Recording(None, RecordOutcome(problems=problems))
        recorded = apply_decision(
            session,
            pack,
            decision,
            actor=current_actor(default=f"cli:{decision.decided_by}"),
            now=now_utc(),
            flow_run_id=flow_run_id,
            pack_fingerprint=fingerprint,
        )
    return Recording(recorded, RecordOutcome(decision=recorded.summary()))


@task(name="record-decision", cache_policy=NO_CACHE)
def record_decision(
    settings: Settings,
    campaign_year: int,
    built_on: date,
    decision: MeetingDecisionInput,
    fingerprint: str,
    flow_run_id: str = "",
) -> RecordOutcome:
    """Check the decision against the current pack, record it, and publish it.

    Side effects: those of check_and_record; then, when a decision is recorded (by this run or
    already before it), the `meeting-decision` markdown artifact.
    """
    recording = check_and_record(
        settings, campaign_year, built_on, decision, fingerprint, flow_run_id
    )
    if recording.decision is not None:
        publish_decision(recording.decision)
    return recording.outcome
