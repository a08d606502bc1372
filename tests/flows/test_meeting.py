"""The meeting flow on a real Prefect server: paused, answered wrongly, asked again, decided."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import typer
from artifactkit import run_artifacts
from meetingkit import WRONG_YEAR, commendation_statuses, file_report, seed_meeting, statuses, uscc
from sqlmodel import select
from typer.testing import CliRunner

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.release_tables import MeetingDecision
from schemas.settings import Settings
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

S = ParticipationStatus
DAY = date(2024, 12, 23)
GUARD_SECONDS = 240  # only so a broken flow cannot hang the suite; never asserted on


def seeded(campaign: CampaignFile) -> Settings:
    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        seed_meeting(session, campaign)
    return settings


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run the flow in a thread (a paused run blocks); its result or error lands in the dict."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["result"] = call()
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, out


def wait_paused(campaign_year: int, not_key: str | None = None) -> tuple[UUID, str, str]:
    """Wait until the newest meeting run is paused under a new key; return id, key, description."""
    from prefect import get_client
    from prefect.input.run_input import keyset_from_paused_state

    from deployments.cli_meeting import find_paused_meeting

    deadline = time.monotonic() + GUARD_SECONDS
    while time.monotonic() < deadline:
        try:
            run_id = find_paused_meeting(campaign_year)
        except LookupError:
            time.sleep(0.5)
            continue
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(run_id).state
            assert state is not None
            key = state.state_details.pause_key or ""
            if state.is_paused() and key != not_key:
                description = client.read_flow_run_input(
                    run_id, keyset_from_paused_state(state)["description"]
                )
                return run_id, key, json.loads(description)
        time.sleep(0.5)
    raise AssertionError("the meeting run never paused")


def artifact_text(flow_run_id: UUID, key: str) -> str:
    """Return the markdown of the run's one artifact under `key`."""
    [artifact] = run_artifacts(key, flow_run=flow_run_id)
    return str(artifact.data)


def cli_app() -> typer.Typer:
    from deployments.cli_meeting import register

    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """The campaign command (only `approve` here)."""

    register(app)
    return app


def test_an_invalid_answer_is_asked_again_then_the_decision_is_recorded(
    workspace: Path, tmp_path: Path, campaign_2024: CampaignFile
) -> None:
    from prefect.flow_runs import resume_flow_run

    from deployments.cli_meeting import shown_pack
    from flows.meeting import meeting
    from tasks.meeting.decision import MeetingChanges
    from tasks.meeting.form import form_values

    settings = seeded(campaign_2024)
    thread, out = in_thread(lambda: meeting(2024, as_of=DAY, wait_seconds=600))

    run_id, first_key, description = wait_paused(2024)
    assert "Proposed: **4** units to release, **4** commendations (2 speakers)" in description
    assert "not accepted" not in description

    # A value the form's schema refuses (an empty reason) never reaches the flow.
    broken = form_values(
        MeetingChanges(remove_from_release={uscc(1): ""}), meeting_date=DAY, decided_by="王主任"
    )
    with pytest.raises(RuntimeError, match="Cannot resume"):
        resume_flow_run(run_id, run_input=broken)

    # A valid form naming a unit the meeting does not know is asked again, with the reason.
    unknown = form_values(
        MeetingChanges(remove_from_release={uscc(77): "不在名单"}),
        meeting_date=DAY,
        decided_by="王主任",
        entered_via="ui",
        pack_fingerprint=shown_pack(run_id),  # the form's pre-filled value, kept by the UI
    )
    resume_flow_run(run_id, run_input=unknown)
    again_id, _, asked = wait_paused(2024, not_key=first_key)

    assert again_id == run_id
    assert f"unknown USCC {uscc(77)}" in asked
    assert "was not accepted" in asked
    with campaign_session(settings) as session:
        assert statuses(session)[uscc(1)] == S.REVIEW_PASSED
        assert session.exec(select(MeetingDecision)).all() == []

    # The operator answers from the command line with a file of changes.
    changes = tmp_path / "changes.toml"
    changes.write_text(
        f"""
[remove_from_release]
"{uscc(2)}" = "报告数据与年报不符"

[add_to_release]
"{uscc(5).lower()}" = "复核后同意发布"

[remove_from_commendation]
"{uscc(3)}" = "发言名额调整"

[[add_to_commendation]]
uscc = "{uscc(5)}"
kind = "case"
category_key = "community"
reason = "社区案例突出"

[overrides]
"{uscc(5)}" = ["below-pass"]
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli_app(),
        ["approve", "--year", "2024", "--changes", str(changes), "--by", "王主任", "--wait", "200"],
    )
    thread.join(GUARD_SECONDS)

    assert result.exit_code == 0, result.output
    assert "decision recorded" in result.output
    assert "error" not in out, out.get("error")
    summary = out["result"]
    assert (summary.already_recorded, summary.answers) == (False, 2)
    assert (summary.decision.released, summary.decision.removed, summary.decision.added) == (
        4,
        3,
        1,
    )
    with campaign_session(settings) as session:
        now = statuses(session)
        row = session.exec(select(MeetingDecision)).one()
        commended = commendation_statuses(session)
    assert {n: now[uscc(n)] for n in range(1, 10)} == {
        1: S.APPROVED,
        2: S.REMOVED,
        3: S.APPROVED,
        4: S.APPROVED,
        5: S.APPROVED,
        6: S.REMOVED,
        7: S.REMOVED,
        8: S.WITHDRAWN,
        9: S.SUBMITTED,
    }
    assert (row.source, row.flow_run_id, row.meeting_date, row.decided_by) == (
        "cli",
        str(run_id),
        campaign_2024.events.meeting,
        "王主任",
    )
    assert row.release_list == [uscc(1), uscc(3), uscc(4), uscc(5)]
    assert row.added == {uscc(5): "复核后同意发布"}
    assert row.overrides[uscc(5)]["flags"] == ["below-pass"]
    assert row.pack_fingerprint == summary.pack.fingerprint  # the pack the paused run showed
    assert "deciding on the pack" in result.output
    assert row.removed[uscc(2)] == "报告数据与年报不符"
    pack_page = (workspace / summary.pack.markdown_file).read_text("utf-8")
    assert artifact_text(run_id, "meeting-pack") == pack_page
    decided = artifact_text(run_id, "meeting-decision")
    assert "**4** units release; **2** commendations approved, 3 removed." in decided
    assert f"| {uscc(2)} | 报告数据与年报不符 |" in decided
    assert {k for k, v in commended.items() if v == "approved"} == {
        (uscc(1), "excellent_unit", ""),
        (uscc(5), "case", "community"),
    }

    # Running the meeting again reports the recorded decision and does not pause.
    rerun = meeting(2024, as_of=DAY, wait_seconds=600)
    assert rerun.already_recorded
    assert rerun.decision == summary.decision


def test_a_meeting_nobody_answers_changes_nothing_and_says_so(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    from flows.meeting import MeetingNotDecided, meeting

    settings = seeded(campaign_2024)
    with campaign_session(settings) as session:
        before = statuses(session)
        commendations_before = commendation_statuses(session)

    with pytest.raises(MeetingNotDecided, match="nothing was changed"):
        meeting(2024, as_of=DAY, wait_seconds=1)

    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["meeting"])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
    assert run.state is not None
    assert run.state.is_failed()
    assert "nothing was changed" in (run.state.message or "")

    with campaign_session(settings) as session:
        assert statuses(session) == before
        assert commendation_statuses(session) == commendations_before
        assert session.exec(select(MeetingDecision)).all() == []


def test_a_restarted_run_compares_the_answer_with_the_pack_it_was_given_on(
    workspace: Path, campaign_2024: CampaignFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `serve` a suspended run restarts from the top and rebuilds the pack; the answer
    read back under its pause key was given on the pack shown before (A). If the database moved
    to pack B meanwhile, the answer is refused and asked again with what changed."""
    import flows.meeting as module
    from flows.meeting import MeetingNotDecided, meeting
    from tasks.meeting.form import MeetingForm
    from tasks.meeting.pack_files import write_meeting_pack

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ids = seed_meeting(session, campaign_2024)
    seen = write_meeting_pack(settings, 2024, DAY, "reports/before-suspend").summary  # pack A
    with campaign_session(settings) as session:  # while suspended: unit 1's report is flagged
        file_report(session, ids[1], [WRONG_YEAR])
    answer = MeetingForm(  # what the operator gave on pack A, read back after the restart
        approve_as_proposed=True,
        meeting_date=DAY,
        decided_by="王主任",
        pack_fingerprint=seen.fingerprint,
    )
    asked: list[type[MeetingForm]] = []

    def ask_after_restart(form: type[MeetingForm], attempt: int, *_: Any) -> MeetingForm:
        if attempt == 1:
            return answer  # Prefect hands back the answer stored under the used pause key
        asked.append(form)
        raise MeetingNotDecided("no second answer in this test")

    monkeypatch.setattr(module, "_ask", ask_after_restart)
    with pytest.raises(MeetingNotDecided):
        meeting(2024, as_of=DAY, wait_seconds=5)

    [again] = asked
    description = str(getattr(again, "_description", ""))
    assert "本决定未被采用" in description
    removed = f"Removed from the proposed release list: 上海测试0001科技有限公司（{uscc(1)}）"
    assert f"移出拟发布名单 {removed}" in description
    assert "报告年度存疑" in description
    assert "撤回拟表彰 Commendations withdrawn since" in description
    shown_now = again.model_fields["pack_fingerprint"].default
    assert shown_now not in {"", seen.fingerprint}  # the form now names pack B
    with campaign_session(settings) as session:
        assert session.exec(select(MeetingDecision)).all() == []
        assert statuses(session)[uscc(1)] == S.REVIEW_PASSED


def test_the_pack_is_published_once_per_pack_not_once_per_restart(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    """A suspended run restarts from the top and rebuilds the pack: the same pack is not
    published again (4 copies before); a pack that changed is."""
    from prefect import flow

    from tasks.meeting.pack_files import build_meeting_pack

    settings = Settings()
    with campaign_session(settings) as session:
        ids = seed_meeting(session, campaign_2024)

    @flow(name="pack-twice")
    def pack_twice() -> None:
        build_meeting_pack(settings, 2024, DAY, "reports/first")
        build_meeting_pack(settings, 2024, DAY, "reports/restarted")  # the same pack
        with campaign_session(settings) as session:
            file_report(session, ids[1], [WRONG_YEAR])
        build_meeting_pack(settings, 2024, DAY, "reports/changed")

    state = pack_twice(return_state=True)

    published = run_artifacts("meeting-pack", flow_run=state.state_details.flow_run_id)
    assert len(published) == 2
    assert published[0].description != published[1].description
