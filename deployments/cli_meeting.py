"""`campaign approve`: give the meeting's decision to the paused `meeting` run from the shell.

The command talks to the same Prefect API as the paused run (PREFECT_API_URL, or the
workspace's Prefect home), finds the newest paused `meeting` run of the year (or takes
`--flow-run`), shows which pack the decision is given on (the fingerprint the paused run's form
carries: the pack the meeting saw), resumes it with the decision and that fingerprint as the
form's values, and waits for the run's verdict: recorded, or asked again with the problems
(printed; exit 1). A changes file is JSON or TOML with the fields of MeetingChanges
(docs/meeting.md), `overrides` naming the flags the meeting overrides per USCC.
`approve_paused_meeting` is the same step as a plain function for the demo driver. Prefect and
the tasks are imported inline, after `prepare_prefect` pointed Prefect at the workspace.
"""

from __future__ import annotations

import getpass
import json
import time
import tomllib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import typer
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console

from deployments.environment import prepare_prefect
from schemas.campaign_file import CampaignFileError, latest_campaign_year, load_campaign_file
from schemas.settings import Settings

if TYPE_CHECKING:
    from tasks.meeting.decision import MeetingChanges

console = Console()
MEETING_FLOW = "meeting"
VERDICT_POLL_SECONDS = 1.0


class UnreadableChanges(ValueError):
    """A changes file that cannot be read or does not state MeetingChanges; says why."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class NoPausedMeeting(LookupError):
    """No `meeting` run of the campaign year is paused waiting for the decision."""

    def __init__(self, campaign_year: int) -> None:
        self.campaign_year = campaign_year
        super().__init__(
            f"{campaign_year} 年度没有暂停等待决定的会议 "
            f"no paused `{MEETING_FLOW}` run for {campaign_year}"
        )


class Verdict(BaseModel):
    """What the meeting run did with an answer: recorded it, asked again, or something else."""

    model_config = ConfigDict(frozen=True)

    flow_run_id: str
    accepted: bool | None  # None: still working when we stopped waiting
    state: str
    problems: list[str] = []


def register(app: typer.Typer) -> None:
    """Add the `approve` command to the `campaign` app."""
    app.command("approve")(approve)


def load_changes(path: Path) -> MeetingChanges:
    """Read a changes file (.json or .toml) into MeetingChanges; UnreadableChanges says why."""
    from tasks.meeting.decision import MeetingChanges

    try:
        text = path.read_text(encoding="utf-8-sig")
        data: Any = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        return MeetingChanges.model_validate(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UnreadableChanges(path, f"无法读取 cannot read: {exc}") from None
    except ValidationError as exc:
        lines = [f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in exc.errors()]
        raise UnreadableChanges(path, "; ".join(lines)) from None


def find_paused_meeting(campaign_year: int) -> UUID:
    """Return the newest paused `meeting` run of the year; NoPausedMeeting when there is none."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[MEETING_FLOW])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            ),
            sort=FlowRunSort.START_TIME_DESC,
            limit=50,
        )
    for run in runs:
        if run.parameters.get("campaign_year") == campaign_year:
            return run.id
    raise NoPausedMeeting(campaign_year)


def _pause_key(flow_run_id: UUID) -> str | None:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
    return state.state_details.pause_key if state and state.is_paused() else None


def asked_problems(flow_run_id: UUID) -> list[str]:
    """Return the problems listed above the form of a paused run (its last answer's)."""
    from prefect import get_client
    from prefect.input.run_input import keyset_from_paused_state

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
        if state is None or not state.is_paused():
            return []
        key = keyset_from_paused_state(state)["description"]
        text = json.loads(client.read_flow_run_input(flow_run_id, key))
    head = str(text).split("\n---\n", 1)[0]
    return [line[2:] for line in head.splitlines() if line.startswith("- ")]


def shown_pack(flow_run_id: UUID) -> str:
    """Return the fingerprint of the pack a paused run shows (its form's pre-filled value).

    "" when the run is not paused or its form names no pack. Reads only.
    """
    from prefect import get_client
    from prefect.input.run_input import keyset_from_paused_state

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
        if state is None or not state.is_paused():
            return ""
        key = keyset_from_paused_state(state)["schema"]
        schema = json.loads(client.read_flow_run_input(flow_run_id, key))
    if isinstance(schema, str):  # stored as JSON text of the schema
        schema = json.loads(schema)
    field = schema.get("properties", {}).get("pack_fingerprint", {})
    return str(field.get("default") or "")


def approve_paused_meeting(
    campaign_year: int,
    changes: MeetingChanges,
    meeting_date: date,
    decided_by: str,
    *,
    notes: str = "",
    flow_run_id: UUID | None = None,
    pack_fingerprint: str | None = None,
) -> str:
    """Resume the paused meeting run with this decision; return the run id.

    The decision is given on `pack_fingerprint`, by default the pack the paused run shows (the
    one the meeting saw). Side effect: resumes the run (the run then checks and records the
    decision). Raises NoPausedMeeting when no run is paused, RuntimeError when the server
    refuses the values.
    """
    from prefect.flow_runs import resume_flow_run

    from tasks.meeting.form import form_values

    run_id = flow_run_id or find_paused_meeting(campaign_year)
    fingerprint = shown_pack(run_id) if pack_fingerprint is None else pack_fingerprint
    values = form_values(
        changes,
        meeting_date=meeting_date,
        decided_by=decided_by,
        notes=notes,
        pack_fingerprint=fingerprint,
    )
    resume_flow_run(run_id, run_input=values)
    return str(run_id)


def await_verdict(flow_run_id: UUID, answered_key: str | None, wait_seconds: float) -> Verdict:
    """Watch the run after an answer until it records it, asks again, or stops; read-only."""
    from prefect import get_client

    deadline = time.monotonic() + wait_seconds
    while True:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(flow_run_id).state
        name = state.type.value if state else "UNKNOWN"
        if state is not None and state.is_paused():
            if state.state_details.pause_key != answered_key:
                problems = asked_problems(flow_run_id)
                return Verdict(
                    flow_run_id=str(flow_run_id), accepted=False, state=name, problems=problems
                )
        elif state is not None and state.is_completed():
            return Verdict(flow_run_id=str(flow_run_id), accepted=True, state=name)
        elif state is not None and state.is_final():
            message = [state.message] if state.message else []
            return Verdict(
                flow_run_id=str(flow_run_id), accepted=False, state=name, problems=message
            )
        if time.monotonic() >= deadline:
            return Verdict(flow_run_id=str(flow_run_id), accepted=None, state=name)
        time.sleep(VERDICT_POLL_SECONDS)


def _year_and_day(settings: Settings, year: int | None, day: str | None) -> tuple[int, date]:
    try:
        chosen = year if year is not None else latest_campaign_year(settings.campaigns_dir)
        campaign = load_campaign_file(settings.campaign_file(chosen))
    except CampaignFileError as exc:
        raise typer.BadParameter(str(exc), param_hint="--year") from None
    if day is None:
        return chosen, campaign.events.meeting
    try:
        return chosen, date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter(
            f"{day!r} 不是日期 is not a date like YYYY-MM-DD", param_hint="--meeting-date"
        ) from None


def approve(
    year: Annotated[
        int | None, typer.Option("--year", help="活动年度 / campaign year; default: the newest.")
    ] = None,
    flow_run: Annotated[
        str | None,
        typer.Option(
            "--flow-run", help="暂停的会议运行编号 / the paused run's id; default: newest."
        ),
    ] = None,
    changes: Annotated[
        Path | None,
        typer.Option(
            "--changes",
            exists=True,
            dir_okay=False,
            help="调整内容文件 / JSON or TOML file of the changes.",
        ),
    ] = None,
    as_proposed: Annotated[
        bool, typer.Option("--as-proposed", help="会议按建议通过 / approved as proposed.")
    ] = False,
    meeting_date: Annotated[
        str | None,
        typer.Option("--meeting-date", help="会议日期 / YYYY-MM-DD; default: the campaign file's."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="录入人 / who enters the decision; default: you.")
    ] = None,
    notes: Annotated[str, typer.Option("--notes", help="备注 / notes recorded with it.")] = "",
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="等待秒数 / seconds to wait for the verdict.")
    ] = 120,
) -> None:
    """Give the meeting's decision to the paused `meeting` run; exit 1 if it asks again."""
    if as_proposed == (changes is not None):
        raise typer.BadParameter("请只给出其一 give exactly one of --as-proposed or --changes FILE")
    settings = Settings()
    prepare_prefect(settings)
    chosen, day = _year_and_day(settings, year, meeting_date)
    stated = _stated_changes(changes)
    run_id = _paused_run(chosen, flow_run)
    key = _pause_key(run_id)
    who = by or getpass.getuser()
    _resume(chosen, stated, day, who, notes, run_id)
    _report(await_verdict(run_id, key, wait), run_id, who)


def _resume(
    year: int, stated: MeetingChanges, day: date, who: str, notes: str, run_id: UUID
) -> None:
    """Say which pack the decision rests on and resume the paused run; exit 2 if refused."""
    fingerprint = shown_pack(run_id)
    console.print(
        f"决定依据的会议材料 deciding on the pack {fingerprint[:12] or '(none shown)'} "
        f"shown by run {run_id} (artifact `meeting-pack`)"
    )
    try:
        approve_paused_meeting(
            year,
            stated,
            day,
            who,
            notes=notes,
            flow_run_id=run_id,
            pack_fingerprint=fingerprint,
        )
    except Exception as exc:  # the server's REJECT or ABORT, a run not paused: say so, exit 2
        console.print(f"[red]未能继续会议 not resumed[/red]: {exc}")
        raise typer.Exit(2) from None


def _stated_changes(changes: Path | None) -> MeetingChanges:
    """Return the changes file's MeetingChanges, or none for --as-proposed; bad file: exit 2."""
    from tasks.meeting.decision import MeetingChanges

    try:
        return load_changes(changes) if changes is not None else MeetingChanges()
    except UnreadableChanges as exc:
        raise typer.BadParameter(str(exc), param_hint="--changes") from None


def _paused_run(campaign_year: int, flow_run: str | None) -> UUID:
    """Return the run given by --flow-run, or the newest paused one; none or a bad id: exit 2."""
    try:
        return UUID(flow_run) if flow_run else find_paused_meeting(campaign_year)
    except (NoPausedMeeting, ValueError) as exc:  # ValueError: --flow-run is not a UUID
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _report(verdict: Verdict, run_id: UUID, who: str) -> None:
    """Print what the run did with the answer; exit 1 when it asked again."""
    if verdict.accepted:
        console.print(
            f"会议决定已记录 decision recorded by run {run_id} ({verdict.state}), "
            f"录入人 entered by {who}"
        )
        return
    if verdict.accepted is None:
        console.print(
            f"会议已继续，状态仍为 run {run_id} resumed; still {verdict.state}: "
            "请在 Prefect 界面查看 see it in the Prefect UI"
        )
        return
    console.print(f"[red]未被接受 not accepted[/red] by run {run_id} ({verdict.state}):")
    for line in verdict.problems:
        console.print(f"  - {line}", soft_wrap=True)
    raise typer.Exit(1)
