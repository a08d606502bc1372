"""Delivery safety against a real aiosmtpd server: header injection, attachments, the password."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
from pathlib import Path

import aiosmtplib
import pytest
from deliverykit import run_delivery, scripted, smtp_settings
from mailkit import DOMAIN, T0, Clock, feedback, queue, received
from outboxkit import outbox_rows
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from notifications.headers import InvalidAddress, mailbox
from notifications.mailers import make_mailer
from notifications.message import AttachmentRefused
from notifications.outbox import OutgoingMail, enqueue
from notifications.sink import SmtpSink, read_eml
from notifications.transmit import SmtpPhase, TransmitError
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxBody, OutboxMessage
from tasks.store import session_scope

PASSWORD = "s3cret-Pa55-word"


def test_header_injection_in_a_name_and_a_subject_adds_no_header(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    evil = "Evil Corp\r\nBcc: victim@example.com\nX-Injected: 1\u2028Cc: other@example.com"
    mail = feedback(campaign_2024, unit_name=evil)
    with session_scope(engine) as session:
        from tasks.common.campaigns import ensure_campaign

        ensure_campaign(session, campaign_2024, T0)
        enqueue(
            session,
            OutgoingMail(
                campaign_year=2024,
                to=mailbox("li@unit.example.com", evil),
                mail=mail,
                subject_ref="participation:1",
                version="1",
            ),
            workspace=workspace,
            message_id_domain=DOMAIN,
            now=T0,
        )

    run_delivery(engine, smtp_settings(workspace, sink.port, mail_from_name=evil), Clock(T0))

    [message] = received(sink.folder)
    cleaned = "Evil Corp Bcc: victim@example.com X-Injected: 1 Cc: other@example.com"
    assert list(message.keys()) == [
        "From",
        "To",
        "Reply-To",  # the campaign file's contact: a reply reaches the organisers
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
    ]
    assert str(message["From"]) == f'"{cleaned}" <csr-campaign@example.org>'
    assert str(message["To"]) == f'"{cleaned}" <li@unit.example.com>'
    assert str(message["Subject"]) == (
        f"【第十三届上海市企业社会责任报告发布会】{cleaned}2023年度社会责任报告评审意见"
    )
    assert scripted(sink).envelopes == [("csr-campaign@example.org", ("li@unit.example.com",))]


def test_an_address_with_a_line_break_is_refused_before_it_is_queued() -> None:
    with pytest.raises(InvalidAddress, match="contains control characters"):
        mailbox("li@unit.example.com\r\nBcc: victim@example.com", "李明")


def test_attachments_from_outside_the_workspace_are_refused(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, tmp_path: Path, sink: SmtpSink
) -> None:
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"%PDF secret")
    (workspace / "link.pdf").symlink_to(outside)
    inside = workspace / "ok.pdf"
    inside.write_bytes(b"%PDF ok")

    for path in (str(outside), "../secret.pdf", "link.pdf", "missing.pdf"):
        with pytest.raises(AttachmentRefused) as info:
            queue(engine, campaign_2024, workspace, 1, attachments=[path])
        assert info.value.path == path
    [queued] = queue(engine, campaign_2024, workspace, 1, attachments=["ok.pdf"])
    with session_scope(engine) as session:
        row = session.get(OutboxMessage, queued.id)
        assert row is not None
        row.attachments = ["../secret.pdf"]  # a row changed behind the outbox's back
    report = run_delivery(engine, smtp_settings(workspace, sink.port), Clock(T0))

    [row] = outbox_rows(engine)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    refusal = f"attachment '../secret.pdf' refused: outside the workspace {workspace}"
    assert row.last_error == f"AttachmentRefused: {refusal}"
    assert (report.failed, received(sink.folder)) == (1, [])


def test_a_mail_whose_bodies_are_missing_fails_for_good_and_sends_nothing(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    [queued] = queue(engine, campaign_2024, workspace, 1)
    with session_scope(engine) as session:
        body = session.get(OutboxBody, queued.id)
        assert body is not None
        session.delete(body)  # the outbox_body row lost behind the outbox's back
    settings = smtp_settings(workspace, sink.port)

    report = run_delivery(engine, settings, Clock(T0))
    again = run_delivery(engine, settings, Clock(T0 + dt.timedelta(days=1)))

    [row] = outbox_rows(engine)
    assert (row.status, row.attempts, row.last_error) == (
        OutboxStatus.FAILED,
        1,
        "the mail's bodies are missing (outbox_body)",
    )
    assert (report.sent, report.failed, again.batches) == (0, 1, 0)
    assert (received(sink.folder), scripted(sink).envelopes) == ([], [])


def _auth_server(folder: Path) -> SmtpSink:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"campaign",
            PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return SmtpSink(folder, authenticator=authenticator, auth_require_tls=False, auth_required=True)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_smtp_password_never_reaches_a_log_a_row_or_an_exception(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    queue(engine, campaign_2024, workspace, 2)
    with _auth_server(workspace / "sink") as server:
        good = smtp_settings(
            workspace, server.port, smtp_user="campaign", smtp_password=SecretStr(PASSWORD)
        )
        wrong = smtp_settings(
            workspace,
            server.port,
            smtp_user="campaign",
            smtp_password=SecretStr("wrong-" + PASSWORD),
        )
        refused = run_delivery(engine, wrong, Clock(T0))
        refused_rows = outbox_rows(engine)
        sent = run_delivery(engine, good, Clock(T0 + dt.timedelta(minutes=5)))
        mailer = make_mailer(wrong)
        one = read_eml(next((workspace / "sink").glob("*.eml")))
        sending = mailer.send(one, sender="a@example.org", recipients=["b@example.org"])
        with pytest.raises(TransmitError) as info:
            asyncio.run(sending)

    login_refused = "login: SMTPAuthenticationError: 535 5.7.8 Authentication credentials invalid"
    assert (refused.retried, refused.failed, sent.sent) == (0, 0, 2)
    assert refused.configuration_error == login_refused
    assert [(r.status, r.attempts, r.last_error) for r in refused_rows] == [
        (OutboxStatus.QUEUED, 0, f"not attempted: configuration error: {login_refused}")
    ] * 2
    assert (info.value.phase, type(info.value.error)) == (
        SmtpPhase.AUTH,
        aiosmtplib.SMTPAuthenticationError,
    )
    secrets = [
        PASSWORD,
        base64.b64encode(PASSWORD.encode()).decode(),
        base64.b64encode(f"\0campaign\0{PASSWORD}".encode()).decode(),
    ]
    exposed = [
        caplog.text,
        str(refused),
        str(sent),
        repr(make_mailer(good)),
        repr(good),
        good.model_dump_json(),
        str(info.value),
        repr(info.value),
        *(f"{r.last_error} {r.smtp_reply} {r.operator_note}" for r in outbox_rows(engine)),
    ]
    assert [s for s in secrets for text in exposed if s in text] == []
    assert repr(make_mailer(good)).endswith("user='campaign', password=**********)")
