"""`campaign outbox deliver` against Postfix's smtp-sink: what the operator reads, the exit code.

(Beside test_cli_mail.py, which covers list, requeue, cancel and the sink command.)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import typer
from mailkit import MISSING_SMTP_SINK, SMTP_SINK, PostfixSink, factory, queue
from sqlmodel import select
from typer.testing import CliRunner

from deployments.cli_mail import register
from notifications.claims import claim
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.store import make_engine, session_scope, upgrade_database

pytestmark = pytest.mark.skipif(SMTP_SINK is None, reason=MISSING_SMTP_SINK)
runner = CliRunner()
app = typer.Typer()
register(app)
app.command("noop", hidden=True)(lambda: None)  # typer needs two commands to keep sub-command names


def _statuses() -> list[tuple[OutboxStatus, int]]:
    with session_scope(make_engine(Settings())) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.status, r.attempts) for r in rows]


def test_a_configuration_error_exits_3_and_says_what_to_fix_in_chinese_and_english(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine = make_engine(Settings())
    upgrade_database(engine)
    queue(engine, campaign_2024, workspace, 3, not_before=None, now=now_utc())

    with PostfixSink() as server:
        env = {
            "CAMPAIGN_MAILER": "smtp",
            "CAMPAIGN_SMTP_PORT": str(server.port),
            "CAMPAIGN_SMTP_SECURITY": "starttls",
        }
        result = runner.invoke(app, ["outbox", "deliver"], env=env)

    error = "TLS: SMTPNotSupported: STARTTLS is configured but the server does not offer it"
    assert result.exit_code == 3, result.output
    assert f"SMTP 配置错误，投递已停止：{error}" in result.output
    assert f"SMTP configuration error, delivery stopped: {error}" in result.output
    assert _statuses() == [(OutboxStatus.QUEUED, 0)] * 3


def test_a_run_inside_a_live_lease_says_when_those_rows_become_recoverable(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine = make_engine(Settings())
    upgrade_database(engine)
    started = now_utc()
    queue(engine, campaign_2024, workspace, 4, not_before=None, now=started - timedelta(minutes=2))
    claim(
        factory(engine),
        "crashed",
        batch=1,
        lease=timedelta(seconds=1),
        now=started - timedelta(minutes=1),
    )
    claim(factory(engine), "alive", batch=2, lease=timedelta(minutes=5), now=started)
    until = (started + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")

    with PostfixSink() as server:
        env = {"CAMPAIGN_MAILER": "smtp", "CAMPAIGN_SMTP_PORT": str(server.port)}
        result = runner.invoke(app, ["outbox", "deliver"], env=env)
        stored = len(server.message_ids())

    assert result.exit_code == 0, result.output
    assert f"2 封邮件仍由另一个投递进程的租约占用，{until} UTC 之后可以恢复" in result.output
    assert (
        "2 messages are held by another deliverer's live lease; they become recoverable after "
        f"{until} UTC" in result.output
    )
    assert "1 封邮件在上次投递中断时尚未交给服务器，已重新排队。" in result.output
    assert stored == 2  # the crashed deliverer's row (never handed over) and the free one
    assert sorted(s for s, _ in _statuses()) == sorted(
        [OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.SENDING, OutboxStatus.SENDING]
    )
