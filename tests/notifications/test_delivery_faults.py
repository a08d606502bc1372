"""Delivery against an independent server, Postfix's smtp-sink, one fault at a time.

Each test starts smtp-sink in its own process with one fault option and checks the verdict
table of notifications/verdicts.py end to end: what the outbox rows became, what the run
reported, and what the server stored (counted by Message-ID).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from mailkit import (
    MISSING_SMTP_SINK,
    SMTP_SINK,
    T0,
    Clock,
    PostfixSink,
    factory,
    queue,
    received,
)
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import select

from notifications.delivery import DeliveryReport, deliver
from notifications.mailers import SmtpMailer, make_mailer
from notifications.sink import SmtpSink
from notifications.transmit import SmtpPhase, TransmitError
from notifications.verdicts import Verdict, outcome_of_error
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from tasks.store import session_scope

pytestmark = pytest.mark.skipif(SMTP_SINK is None, reason=MISSING_SMTP_SINK)
DUE = T0 + dt.timedelta(seconds=60)  # the first backoff


def _settings(workspace: Path, port: int, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "workspace": workspace,
        "mailer": "smtp",
        "smtp_port": port,
        "smtp_connections": 1,
        "smtp_timeout_seconds": 5.0,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def _run(engine: Engine, settings: Settings, clock: Clock | None = None) -> DeliveryReport:
    return asyncio.run(
        deliver(factory(engine), make_mailer(settings), settings, clock=clock or Clock())
    )


def _rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_smtp_sink_receives_each_message_once_and_every_row_was_handed_over_first(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 9)
    with PostfixSink() as server:
        report = _run(engine, _settings(workspace, server.port, smtp_connections=2))
        ids = server.message_ids()

    rows = _rows(engine)
    assert (report.sent, report.batches, report.configuration_error) == (9, 1, None)
    assert ids == {r.message_id: 1 for r in rows}
    assert [(r.status, r.attempts, r.last_error, r.handed_at) for r in rows] == [
        (OutboxStatus.SENT, 1, None, T0)
    ] * 9
    assert {r.smtp_reply for r in rows} == {"250 2.0.0 Ok"}


@pytest.mark.parametrize(
    ("options", "status", "error"),
    [
        (("-r", "rcpt"), OutboxStatus.QUEUED, "RCPT TO: SMTPRecipientsRefused: 450 "),
        (("-r", "."), OutboxStatus.QUEUED, "end of data: SMTPDataError: 450 "),
        (("-f", "rcpt"), OutboxStatus.FAILED, "RCPT TO: SMTPRecipientsRefused: 500 "),
        (("-f", "."), OutboxStatus.FAILED, "end of data: SMTPDataError: 500 "),
    ],
    ids=["4xx-rcpt", "4xx-end-of-data", "5xx-rcpt", "5xx-end-of-data"],
)
def test_a_reply_refusing_the_message_retries_a_4xx_and_fails_a_5xx(
    options: tuple[str, ...],
    status: OutboxStatus,
    error: str,
    engine: Engine,
    campaign_2024: CampaignFile,
    workspace: Path,
) -> None:
    queue(engine, campaign_2024, workspace, 3)
    with PostfixSink(*options) as server:
        report = _run(engine, _settings(workspace, server.port), Clock(T0))

    rows = _rows(engine)
    assert [(r.status, r.attempts) for r in rows] == [(status, 1)] * 3
    assert all(r.last_error is not None and r.last_error.startswith(error) for r in rows)
    if status is OutboxStatus.QUEUED:
        assert ({r.not_before for r in rows}, report.retried) == ({DUE}, 3)
    else:
        assert (report.failed, [f.status for f in report.failures]) == (3, ["failed"] * 3)
    assert (report.ambiguous, report.stopped) == (0, None)  # a reply keeps the connection


@pytest.mark.parametrize("command", ["mail", "rcpt", "data"])
def test_a_disconnect_before_the_content_is_retried_and_nothing_arrives(
    command: str, engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 3)
    with PostfixSink("-q", command) as server:
        report = _run(engine, _settings(workspace, server.port), Clock(T0))
        stored = server.message_ids()

    rows = _rows(engine)
    phase = {"mail": "MAIL FROM", "rcpt": "RCPT TO", "data": "DATA"}[command]
    assert stored == {}
    assert [(r.status, r.attempts, r.not_before) for r in rows] == [
        (OutboxStatus.QUEUED, 1, DUE),
        (OutboxStatus.QUEUED, 1, DUE),
        (OutboxStatus.QUEUED, 0, T0),  # the connection failed twice: the run stopped
    ]
    assert rows[0].last_error == f"{phase}: SMTPServerDisconnected: Unexpected EOF received"
    assert (report.retried, report.released, report.ambiguous) == (2, 1, 0)
    assert report.stopped == f"server unreachable: {rows[0].last_error}"


def test_a_disconnect_after_the_end_of_data_is_ambiguous_and_never_sent_again(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 3)
    clock = Clock(T0)
    with PostfixSink("-q", ".") as server:
        first = _run(engine, _settings(workspace, server.port), clock)
        after_first = _rows(engine)
        clock.advance(3600)
        second = _run(engine, _settings(workspace, server.port), clock)
        stored = server.message_ids()

    rows = _rows(engine)
    lost = "end of data: SMTPServerDisconnected: Unexpected EOF received"
    assert [r.status for r in after_first] == [OutboxStatus.AMBIGUOUS] * 2 + [OutboxStatus.QUEUED]
    assert (first.ambiguous, first.released, second.ambiguous, second.sent) == (2, 1, 1, 0)
    assert [(r.status, r.attempts, r.last_error) for r in rows] == [
        (OutboxStatus.AMBIGUOUS, 1, f"ambiguous: {lost}")
    ] * 3
    assert [(f.status, f.reason) for f in first.failures] == [("ambiguous", lost)] * 2
    assert stored == {r.message_id: 1 for r in rows}  # the server has them: none twice


def test_a_timeout_waiting_for_the_final_reply_is_ambiguous(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 1)
    with PostfixSink("-A", "3") as server:
        settings = _settings(workspace, server.port, smtp_timeout_seconds=0.5)
        report = _run(engine, settings, Clock(T0))

    [row] = _rows(engine)
    assert (row.status, row.attempts, report.ambiguous, report.retried) == (
        OutboxStatus.AMBIGUOUS,
        1,
        1,
        0,
    )
    assert row.last_error == (
        "ambiguous: end of data: SMTPReadTimeoutError: Timed out waiting for server response"
    )


@pytest.mark.parametrize(
    ("options", "overrides", "error"),
    [
        (
            (),
            {"smtp_security": "starttls"},
            "TLS: SMTPNotSupported: STARTTLS is configured but the server does not offer it",
        ),
        (
            ("-a",),
            {"smtp_user": "campaign", "smtp_password": SecretStr("s3cret-Pa55-word")},
            "login: SMTPNotSupported: a user is configured but the server does not offer AUTH",
        ),
        (("-f", "mail"), {}, "MAIL FROM: SMTPSenderRefused: 500 5.3.0 Error: command failed"),
    ],
    ids=["starttls-not-offered", "auth-not-offered", "sender-refused"],
)
def test_a_configuration_error_stops_delivery_and_leaves_the_rows_queued_untouched(
    options: tuple[str, ...],
    overrides: dict[str, object],
    error: str,
    engine: Engine,
    campaign_2024: CampaignFile,
    workspace: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue(engine, campaign_2024, workspace, 5)
    with PostfixSink(*options) as server:
        settings = _settings(workspace, server.port, smtp_connections=2, **overrides)
        report = _run(engine, settings, Clock(T0))
        stored = server.message_ids()

    rows = _rows(engine)
    assert stored == {}
    assert (report.configuration_error, report.stopped) == (error, f"configuration error: {error}")
    assert (report.sent, report.retried, report.failed, report.ambiguous, report.released) == (
        0,
        0,
        0,
        0,
        5,
    )
    assert [(r.status, r.attempts, r.not_before, r.claimed_by, r.handed_at) for r in rows] == [
        (OutboxStatus.QUEUED, 0, T0, None, None)
    ] * 5
    assert {r.last_error for r in rows} == {f"not attempted: configuration error: {error}"}
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert logged == [f"delivery stopped by a configuration error: {error}"]
    assert "s3cret" not in caplog.text


def _utf8_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "csr-campaign@example.org"
    message["To"] = "undisclosed-recipients:;"
    message["Subject"] = "国际化地址"
    message["Message-ID"] = "<utf8-1@example.org>"
    message.set_content("正文")
    return message


def test_an_address_beyond_ascii_takes_the_smtputf8_route_or_fails_where_it_is_missing(
    workspace: Path,
) -> None:
    recipient = "李明@例子.example.org"
    folder = workspace / "utf8"

    async def send(port: int) -> object:
        mailer = SmtpMailer(host="127.0.0.1", port=port, connections=1, timeout=5.0)
        try:
            return await mailer.send(
                _utf8_message(), sender="csr-campaign@example.org", recipients=[recipient]
            )
        finally:
            await mailer.close()

    with SmtpSink(folder, enable_SMTPUTF8=True) as utf8_server:
        asyncio.run(send(utf8_server.port))
    with PostfixSink() as ascii_server, pytest.raises(TransmitError) as info:
        asyncio.run(send(ascii_server.port))

    [message] = received(folder)
    assert (str(message["Message-ID"]), message.get_content().strip()) == (
        "<utf8-1@example.org>",
        "正文",
    )
    assert (info.value.phase, type(info.value.error)) == (
        SmtpPhase.MAIL,
        aiosmtplib.SMTPNotSupported,
    )
    assert outcome_of_error(info.value).verdict is Verdict.FAILED
