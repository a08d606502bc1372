"""`campaign outbox` and `campaign smtp-sink`: list, deliver, requeue and cancel (who and why)."""

from __future__ import annotations

import getpass
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from mailkit import T0, factory, queue
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from deployments import cli_mail
from deployments.cli_mail import register
from notifications.claims import claim
from notifications.outbox import list_messages
from notifications.records import Failure, mark_ambiguous, mark_failed
from notifications.sink import count_eml, free_port
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.settings import Settings
from tasks.store import make_engine, session_scope, upgrade_database

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
app = typer.Typer()
register(app)
app.command("noop", hidden=True)(lambda: None)  # typer needs two commands to keep sub-command names


def _outbox(campaign: CampaignFile, workspace: Path) -> tuple[Engine, list[int]]:
    engine = make_engine(Settings())
    upgrade_database(engine)
    queue(engine, campaign, workspace, 3)
    a, b, c = (
        m.id for m in claim(factory(engine), "w1", batch=3, lease=timedelta(minutes=1), now=T0)
    )
    with session_scope(engine) as session:
        mark_failed(
            session, "w1", [Failure(a, "SMTPDataError: 554 refused", "554 refused")], now=T0
        )
        mark_ambiguous(session, "w1", [b], reason="delivery stopped while sending", now=T0)
    return engine, [a, b, c]


def test_list_by_status_shows_what_a_crash_left(
    campaign_2024: CampaignFile, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_mail.console, "width", 200)
    _, (_, b, _) = _outbox(campaign_2024, workspace)

    result = runner.invoke(app, ["outbox", "list", "--status", "ambiguous", "--wide"])

    assert result.exit_code == 0, result.output
    assert f"│ {b} " in result.output
    assert "u1@unit1.example.com" in result.output
    assert "u0@unit0.example.com" not in result.output
    assert (
        "待发 queued 0  发送中 sending 1  已发 sent 0\n失败 failed 1  待核实 ambiguous 1"
        "  已取消 cancelled 0"
    ) in result.output
    assert "may or may not have them" in result.output
    assert "campaign outbox confirm ID --by NAME" in result.output


LONG_ERROR = (
    "SMTPDataError: 552 5.3.4 Message size exceeds fixed limit of the receiving mail server; "
    "the sender should split the message or send the attachment another way"
)


def _many(campaign: CampaignFile, workspace: Path, count: int) -> list[int]:
    """Queue `count` rows; the newest fails with a long error, the one before is ambiguous."""
    engine = make_engine(Settings())
    upgrade_database(engine)
    ids = [e.id for e in queue(engine, campaign, workspace, count)]
    claim(factory(engine), "w1", batch=count, lease=timedelta(minutes=1), now=T0)
    with session_scope(engine) as session:
        mark_failed(session, "w1", [Failure(ids[-1], LONG_ERROR, "552 5.3.4")], now=T0)
        mark_ambiguous(session, "w1", [ids[-2]], reason="connection lost after the data", now=T0)
    return ids


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_list_at_80_columns_shows_whole_ids_message_ids_and_the_wrapped_error(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    ids = _many(campaign_2024, workspace, 120)
    with session_scope(make_engine(Settings())) as session:
        views = {m.id: m for m in list_messages(session, limit=None)}

    listed = runner.invoke(app, ["outbox", "list"], env={"COLUMNS": "80"})
    failed = runner.invoke(app, ["outbox", "list", "--status", "failed"], env={"COLUMNS": "80"})

    assert listed.exit_code == 0, listed.output
    assert max(len(line) for line in listed.output.splitlines()) <= 80
    assert "…" not in listed.output
    shown = [int(line.split()[0][1:]) for line in listed.output.splitlines() if line[:1] == "#"]
    assert shown == ids[::-1][:50]  # newest first, whole ids
    for row_id in shown:
        assert views[row_id].message_id in listed.output
    assert "共 120 封，仅显示最新的 50 封" in listed.output
    assert "showing 50 of 120 (newest first; --limit/--all)" in listed.output
    assert failed.exit_code == 0, failed.output
    assert max(len(line) for line in failed.output.splitlines()) <= 80
    assert _flat(LONG_ERROR) in _flat(failed.output)
    assert f"#{ids[-1]}  failed  invitation  1 tries" in failed.output
    assert "共 1 封（最新在前） 1 rows (newest first)" in failed.output


def test_list_all_and_wide_print_every_row_on_one_table_line(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    ids = _many(campaign_2024, workspace, 60)

    result = runner.invoke(app, ["outbox", "list", "--all", "--wide"], env={"COLUMNS": "80"})

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [int(line.split("│")[1]) for line in lines if line.startswith("│")] == ids[::-1]
    [failed] = [line for line in lines if line.startswith(f"│ {ids[-1]} ")]
    assert LONG_ERROR in failed
    assert "u59@unit59.example.com" in failed
    assert "共 60 封（最新在前） 60 rows (newest first)" in result.output


def test_confirm_records_an_ambiguous_row_as_sent_and_refuses_others(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine, (a, b, _) = _outbox(campaign_2024, workspace)

    refused = runner.invoke(
        app, ["outbox", "confirm", str(a), str(b), "--by", "王芳", "--why", "in the log"]
    )
    nameless = runner.invoke(app, ["outbox", "confirm", str(b), "--by", " ", "--why", "seen"])
    confirmed = runner.invoke(
        app, ["outbox", "confirm", str(b), "--by", "王芳", "--why", "in the server log"]
    )

    who = f"王芳 (cli:{getpass.getuser()})"
    assert (refused.exit_code, f"#{a}: status is failed" in refused.output) == (2, True)
    assert "nothing was confirmed" in refused.output
    assert nameless.exit_code == 2
    assert confirmed.exit_code == 0, confirmed.output
    assert f"confirmed 1 rows as sent, by {who}: in the server log" in confirmed.output
    with session_scope(engine) as session:
        rows = {r.id: r for r in list_messages(session, limit=None)}
    assert (rows[a].status, rows[b].status) == (OutboxStatus.FAILED, OutboxStatus.SENT)
    assert (
        (rows[b].operator_note or "")
        .splitlines()[-1]
        .split(" ", 1)[1]
        .startswith(f"{who}: confirmed sent (was ambiguous, 1 attempts")
    )


def test_requeue_and_cancel_record_the_operator_and_the_reason(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine, (a, b, c) = _outbox(campaign_2024, workspace)

    requeued = runner.invoke(app, ["outbox", "requeue", str(a), str(b), "--why", "address fixed"])
    cancelled = runner.invoke(app, ["outbox", "cancel", str(a), "--why", "unit withdrew"])
    refused = runner.invoke(app, ["outbox", "cancel", str(c), "--why", "still sending"])

    who = f"cli:{getpass.getuser()}"
    assert requeued.exit_code == 0, requeued.output
    assert f"re-queued 2 rows as {who}: address fixed" in requeued.output
    assert f"rows {b} were ambiguous" in requeued.output
    assert cancelled.exit_code == 0, cancelled.output
    assert (refused.exit_code, f"#{c}: status is sending" in refused.output) == (2, True)
    with session_scope(engine) as session:
        rows = {r.id: r for r in list_messages(session, limit=None)}
    assert [rows[i].status for i in (a, b, c)] == [
        OutboxStatus.CANCELLED,
        OutboxStatus.QUEUED,
        OutboxStatus.SENDING,
    ]
    notes = (rows[a].operator_note or "").splitlines()
    assert [n.split(" ", 1)[1] for n in notes] == [
        f"{who}: requeued (was failed, 1 attempts): address fixed",
        f"{who}: cancelled (was queued): unit withdrew",
    ]


def test_smtp_sink_command_stores_mail_in_the_workspace(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    port = free_port()
    code = (
        "import typer\nfrom deployments.cli_mail import register\n"
        "app = typer.Typer()\nregister(app)\napp.command('noop')(lambda: None)\napp()\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", code, "smtp-sink", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first_line = server.stdout.readline()
        engine = make_engine(Settings())
        upgrade_database(engine)
        queue(engine, campaign_2024, workspace, 2, not_before=None)
        deadline = time.monotonic() + 10
        result = runner.invoke(
            app,
            ["outbox", "deliver"],
            env={"CAMPAIGN_MAILER": "smtp", "CAMPAIGN_SMTP_PORT": str(port)},
        )
        while count_eml(workspace / "smtp-sink") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert (
        first_line
        == f"本机 SMTP 收件服务 SMTP sink on 127.0.0.1:{port}; 每封邮件写入 each message is "
        f"written to {workspace / 'smtp-sink'}/\n"
    )
    assert result.exit_code == 0, result.output
    assert "发件箱 outbox: queued 0  sending 0  sent 2" in result.output
    assert count_eml(workspace / "smtp-sink") == 2


def test_smtp_sink_refuses_a_folder_outside_the_workspace(workspace: Path) -> None:
    result = runner.invoke(app, ["smtp-sink", "--folder", "../elsewhere"])

    assert result.exit_code == 2
    assert "outside the workspace" in result.output


def test_list_in_a_workspace_without_a_campaign_creates_no_database(empty_workspace: Path) -> None:
    result = runner.invoke(app, ["outbox", "list"])

    assert result.exit_code == 6, result.output
    assert "还没有活动数据库" in result.output
    assert list(empty_workspace.iterdir()) == []
