"""The walking-skeleton season on the real Prefect engine: stage, intake, report, artifacts."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from artifactkit import artifact_keys, run_artifacts
from factories import recommendation_row, write_associations, write_csv, write_recommendations
from mailkit import T0, factory, queue
from openpyxl import load_workbook
from sqlmodel import select

from notifications.claims import claim
from notifications.mailers import FILE_MAILER_FOLDER
from notifications.outbox import list_messages
from notifications.records import Retry, mark_retry
from notifications.sink import count_eml
from schemas.campaign_file import CampaignFile
from schemas.columns import RECOMMENDATIONS
from schemas.enums import OutboxStatus, Stage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import CampaignStageChange, Participation
from tasks.store import make_engine, session_scope

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def _inbox(workspace: Path) -> Path:
    inbox = workspace / "inbox" / "2024"
    write_associations(inbox / "associations.xlsx", ["A001", "A002"])
    write_recommendations(inbox / "recommendations" / "A001.xlsx", "A001", range(1, 11))
    rows = [recommendation_row("A002", n) for n in range(11, 21)]
    rows.append(recommendation_row("A002", 21, uscc="91310115XXXXXXXXX1"))
    rows.append(recommendation_row("A002", 22, email="@@"))
    write_csv(inbox / "recommendations" / "A002.csv", rows, RECOMMENDATIONS)
    return inbox


def task_run_tags(run_id: UUID | None, *, last: str) -> dict[str, set[str]]:
    """Return the tags of each task run of a flow run by task name, once `last` is recorded.

    The server records task runs from events, a moment after they ran.
    """
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    assert run_id is not None
    in_run = FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
    tagged: dict[str, set[str]] = {}
    with get_client(sync_client=True) as client:
        for _ in range(150):
            runs = client.read_task_runs(flow_run_filter=in_run)
            tagged = {r.name.rsplit("-", 1)[0]: set(r.tags) for r in runs}
            if last in tagged:
                break
            time.sleep(0.2)
    return tagged


def test_season_day_moves_to_mobilize_and_ingests_the_inbox(workspace: Path) -> None:
    from flows.season import season

    _inbox(workspace)
    engine = make_engine(Settings())

    first_state = season(2024, as_of=date(2024, 10, 10), return_state=True)
    first = first_state.result()
    again = season(2024, as_of=date(2024, 10, 10))

    assert (first.stage, first.stage_changed, again.stage_changed) == (Stage.MOBILIZE, True, False)
    assert first.mobilize is not None
    assert first.mobilize.recommendations is not None
    assert (
        first.mobilize.recommendations.participations_new,
        first.mobilize.recommendations.rows_rejected,
    ) == (20, 2)
    assert again.mobilize is None  # nothing new in the inbox: nothing is taken in again
    # 20 invitations to register and one receipt per association, delivered once.
    assert (first.mobilize.recommendations.mails_queued, first.mobilize.mail_sent) == (22, 22)
    assert len(list((workspace / "mail").rglob("*.eml"))) == 22
    with session_scope(engine) as session:
        assert len(session.exec(select(Participation)).all()) == 20
        changes = session.exec(select(CampaignStageChange)).all()
    assert [(c.from_stage, c.to_stage) for c in changes] == [(Stage.PREPARING, Stage.MOBILIZE)]
    report = workspace / first.mobilize.recommendations.report
    sheet = load_workbook(report).active
    assert sheet is not None
    codes = sorted(str(r[5]) for r in sheet.iter_rows(min_row=2, values_only=True))
    assert codes == ["bad-email", "bad-uscc"]
    keys = set(artifact_keys(flow_run=first_state.state_details.flow_run_id))
    assert {"recommendation-rejections", "recommendations-per-association"} <= keys
    engine.dispose()


def test_a_changed_list_is_taken_in_again_the_next_day(workspace: Path) -> None:
    from flows.season import season

    inbox = _inbox(workspace)
    season(2024, as_of=date(2024, 10, 10))
    write_recommendations(inbox / "recommendations" / "A001.xlsx", "A001", [*range(1, 11), 30])

    day = season(2024, as_of=date(2024, 10, 11))

    assert day.mobilize is not None
    assert day.mobilize.recommendations is not None
    assert (
        day.mobilize.recommendations.participations_new,
        day.mobilize.recommendations.recommendations_new,
    ) == (1, 1)
    # One invitation for the new unit and a fresh receipt for A001 only.
    assert day.mobilize.mail_sent == 2


def test_season_before_the_first_stage_is_preparing_and_ingests_nothing(workspace: Path) -> None:
    from flows.season import season

    _inbox(workspace)

    day = season(2024, as_of=date(2024, 9, 20))

    assert (day.stage, day.stage_changed, day.mobilize) == (Stage.PREPARING, False, None)


def test_the_clock_runs_a_stage_in_its_own_run_with_the_task_runs_tagged(workspace: Path) -> None:
    from flows.season import season

    _inbox(workspace)

    state = season(2024, as_of=date(2024, 10, 10), return_state=True)

    run_id = state.state_details.flow_run_id
    assert run_id is not None
    tagged = task_run_tags(run_id, last="deliver-outbox")
    # mobilize's steps ran in the season's own run, not in a subflow, each tagged "mobilize";
    # the clock's own steps carry no stage tag.
    assert tagged["ingest-recommendations"] == {"mobilize"}
    assert tagged["deliver-outbox"] == {"mobilize"}
    assert tagged["advance-campaign-stage"] == set()
    assert flow_run_name(run_id) == "season 2024-10-10"  # named for the day, not calm-cricket


def flow_run_name(run_id: UUID) -> str:
    """Return the name the server holds for a flow run."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id).name


def test_a_failing_stage_is_recorded_and_the_other_stages_of_the_day_still_run(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.mobilize
    from flows.season import season

    _inbox(workspace)  # new lists: mobilize is due; 15 October is in the train stage: so is train

    def unreadable_inbox(*_: object) -> None:
        raise RuntimeError("injected: the inbox could not be read")

    monkeypatch.setattr(flows.mobilize, "inbox_news", unreadable_inbox)

    state = season(2024, as_of=date(2024, 10, 15), return_state=True)

    assert state.is_failed()
    assert "mobilize at flows.mobilize (RuntimeError)" in str(state.message)
    run_id = state.state_details.flow_run_id
    tagged = task_run_tags(run_id, last="audit-season")
    [attention] = run_artifacts("needs-attention", flow_run=run_id)
    assert tagged["enrol-units"] == {"train"}  # the train stage ran after mobilize failed
    assert "ingest-recommendations" not in tagged
    assert "| mobilize | flows.mobilize | RuntimeError |" in str(attention.data)
    assert "injected: the inbox could not be read" in str(attention.data)


def test_every_day_ends_with_the_audit_and_the_needs_attention_page(workspace: Path) -> None:
    from flows.season import season

    _inbox(workspace)

    state = season(2024, as_of=date(2024, 10, 10), return_state=True)

    assert state.is_completed()  # what the audit lists fails nothing
    run_id = state.state_details.flow_run_id
    tagged = task_run_tags(run_id, last="audit-season")
    [attention] = run_artifacts("needs-attention", flow_run=run_id)
    assert tagged["audit-season"] == {"audit"}
    assert "2024-10-10" in str(attention.data)
    assert attention.task_run_id is None  # the run's own artifact: the UI lists it first
    assert "- mobilize: " in str(attention.data)  # the day's findings: the rejected rows
    assert "rows\\_rejected=2" in str(attention.data)


def test_the_days_run_log_has_one_info_line_per_step_with_its_day_and_counts(
    workspace: Path,
) -> None:
    import logging

    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    from flows.season import season

    _inbox(workspace)
    prefect_logger = logging.getLogger("prefect")
    level = prefect_logger.level
    prefect_logger.setLevel(logging.INFO)  # as `campaign serve` and `campaign run` log
    try:
        state = season(2024, as_of=date(2024, 10, 10), return_state=True)
        APILogHandler().flush()  # the log worker sends in batches: send what it holds now
    finally:
        prefect_logger.setLevel(level)

    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        for _ in range(100):
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            messages = [log.message for log in logs]
            if any("邮件投递 deliver" in m for m in messages):
                break
            time.sleep(0.1)
    steps = [m for m in messages if m.startswith("2024-10-10 ")]
    assert (
        steps[0]
        == "2024-10-10 业务日 business day: 阶段 stage mobilize (今日进入该阶段 entered today)"
    )
    [mobilize] = [m for m in steps if " 动员报名 mobilize: " in m]
    assert "recommendations.rows_accepted=20" in mobilize
    assert "recommendations.rows_rejected=2" in mobilize
    assert any(m.startswith("2024-10-10 邮件投递 deliver: ") for m in steps)


def test_the_clock_delivers_a_retry_whose_backoff_passed_on_a_day_nothing_was_queued(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    from flows.season import season

    engine = make_engine(Settings())
    [row] = (e.id for e in queue(engine, campaign_2024, workspace, 1))
    claim(factory(engine), "w1", batch=1, lease=timedelta(minutes=5), now=T0)
    with session_scope(engine) as session:
        retry = Retry(row, "451 4.3.0 try later", "451 4.3.0", now_utc() - timedelta(minutes=1))
        mark_retry(session, "w1", [retry], now=T0)

    day = season(2024, as_of=date(2024, 9, 20))  # before the first stage: no stage runs

    assert (day.stage, day.mobilize, day.remind) == (Stage.PREPARING, None, None)
    assert day.delivery is not None
    assert (day.delivery.sent, day.delivery.retried) == (1, 0)
    with session_scope(engine) as session:
        [sent] = list_messages(session, ids=[row])
    assert sent.status == OutboxStatus.SENT
    assert count_eml(workspace.joinpath(*FILE_MAILER_FOLDER)) == 1
