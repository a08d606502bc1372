"""Delivery against a real aiosmtpd server on 127.0.0.1: replies, retries, safety, concurrency."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ipaddress
import logging
import ssl
import threading
import time
from pathlib import Path

import aiosmtplib
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from mailkit import (
    DOMAIN,
    T0,
    Clock,
    ScriptedStore,
    factory,
    feedback,
    invitation,
    message_id_counts,
    queue,
    received,
)
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import select

from notifications.delivery import DeliveryReport, deliver
from notifications.headers import InvalidAddress, mailbox
from notifications.mailers import FileMailer, SmtpMailer, make_mailer
from notifications.message import AttachmentRefused
from notifications.outbox import OutgoingMail, enqueue
from notifications.sink import SmtpSink, free_port, read_eml
from notifications.transmit import SmtpPhase, TransmitError
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from tasks.store import session_scope

PASSWORD = "s3cret-Pa55-word"
SENDER = "上海市企业社会责任报告发布会 <csr-campaign@example.org>"


def _settings(workspace: Path, port: int, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "workspace": workspace,
        "mailer": "smtp",
        "smtp_port": port,
        "smtp_connections": 4,
        "smtp_timeout_seconds": 5.0,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def _mailer(settings: Settings, **options: object) -> SmtpMailer:
    mailer = make_mailer(settings)
    assert isinstance(mailer, SmtpMailer)
    for name, value in options.items():
        setattr(mailer, f"_{name}", value)
    return mailer


def _run(
    engine: Engine, settings: Settings, clock: Clock | None = None, **options: object
) -> DeliveryReport:
    mailer = options.pop("mailer", None) or make_mailer(settings)
    return asyncio.run(
        deliver(factory(engine), mailer, settings, clock=clock or Clock(), **options)  # type: ignore[arg-type]
    )


def _rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def _handler(sink: SmtpSink) -> ScriptedStore:
    assert isinstance(sink.handler, ScriptedStore)
    return sink.handler


def test_happy_path_sends_text_html_and_attachment(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    certificate = workspace / "certificates" / "CSR-13-0042-K.pdf"
    certificate.parent.mkdir()
    certificate.write_bytes(b"%PDF-1.4\n% certificate\n%%EOF\n")
    mail = invitation(campaign_2024)
    [queued] = queue(
        engine, campaign_2024, workspace, 1, attachments=["certificates/CSR-13-0042-K.pdf"]
    )
    settings = _settings(workspace, sink.port)

    report = _run(engine, settings, Clock(T0))

    [message] = received(sink.folder)
    [row] = _rows(engine)
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
    assert str(message["From"]) == SENDER
    assert str(message["To"]) == "联系人0 <u0@unit0.example.com>"
    assert str(message["Reply-To"]) == "csr-office@example.org"
    assert str(message["Subject"]) == mail.subject
    assert str(message["Message-ID"]) == row.message_id
    assert str(message["Date"]) == "Mon, 11 Nov 2024 01:00:00 +0000"
    assert message.get_content_type() == "multipart/mixed"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content() == mail.text
    assert html.get_content() == mail.html
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "CSR-13-0042-K.pdf",
        "application/pdf",
    )
    assert attachment.get_content() == b"%PDF-1.4\n% certificate\n%%EOF\n"
    assert _handler(sink).envelopes == [("csr-campaign@example.org", ("u0@unit0.example.com",))]
    assert (row.id, row.status, row.attempts, row.smtp_reply, row.sent_at, row.claimed_by) == (
        queued.id,
        OutboxStatus.SENT,
        1,
        "250 OK stored",
        T0,
        None,
    )
    assert (report.sent, report.retried, report.failed, report.ambiguous, report.batches) == (
        1,
        0,
        0,
        0,
        1,
    )
    assert report.outbox == {
        "queued": 0,
        "sending": 0,
        "sent": 1,
        "failed": 0,
        "ambiguous": 0,
        "cancelled": 0,
    }


def test_a_4xx_reply_is_retried_with_backoff_until_it_succeeds(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    _handler(sink).data_replies["u0@unit0.example.com"] = [
        "451 4.3.0 try later",
        "451 4.3.0 try later",
    ]
    queue(engine, campaign_2024, workspace, 1)
    settings = _settings(workspace, sink.port)
    clock = Clock(T0)

    first = _run(engine, settings, clock)
    [after_first] = _rows(engine)
    clock.advance(30)
    too_early = _run(engine, settings, clock)
    clock.advance(31)
    second = _run(engine, settings, clock)
    [after_second] = _rows(engine)
    clock.advance(121)
    third = _run(engine, settings, clock)
    [done] = _rows(engine)

    assert [(r.retried, r.sent) for r in (first, too_early, second, third)] == [
        (1, 0),
        (0, 0),
        (1, 0),
        (0, 1),
    ]
    assert (after_first.status, after_first.attempts, after_first.not_before) == (
        OutboxStatus.QUEUED,
        1,
        T0 + dt.timedelta(seconds=60),
    )
    assert (after_first.smtp_reply, after_first.last_error) == (
        "451 4.3.0 try later",
        "end of data: SMTPDataError: 451 4.3.0 try later",
    )
    assert (after_second.attempts, after_second.not_before) == (
        2,
        T0 + dt.timedelta(seconds=61 + 120),
    )
    assert (done.status, done.attempts, done.smtp_reply) == (OutboxStatus.SENT, 3, "250 OK stored")
    assert message_id_counts(sink.folder) == {done.message_id: 1}


def test_a_4xx_reply_fails_for_good_after_the_last_attempt(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    _handler(sink).data_replies["u0@unit0.example.com"] = ["452 4.2.2 mailbox full"] * 2
    queue(engine, campaign_2024, workspace, 1)
    settings = _settings(workspace, sink.port, delivery_max_attempts=2)
    clock = Clock(T0)

    _run(engine, settings, clock)
    clock.advance(61)
    report = _run(engine, settings, clock)

    [row] = _rows(engine)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 2)
    assert row.last_error == (
        "gave up after 2 attempts: end of data: SMTPDataError: 452 4.2.2 mailbox full"
    )
    assert [(f.id, f.status, f.reason) for f in report.failures] == [
        (row.id, "failed", row.last_error)
    ]


def test_a_5xx_reply_fails_at_once_with_the_servers_reply(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    _handler(sink).data_replies["u0@unit0.example.com"] = ["554 5.7.1 message refused"]
    queue(engine, campaign_2024, workspace, 2)
    settings = _settings(workspace, sink.port)

    report = _run(engine, settings, Clock(T0))
    again = _run(engine, settings, Clock(T0 + dt.timedelta(days=1)))

    failed, sent = _rows(engine)
    assert (failed.status, failed.attempts, failed.smtp_reply, failed.last_error) == (
        OutboxStatus.FAILED,
        1,
        "554 5.7.1 message refused",
        "end of data: SMTPDataError: 554 5.7.1 message refused",
    )
    assert sent.status == OutboxStatus.SENT
    assert [(f.recipient, f.reason) for f in report.failures] == [
        ("u0@unit0.example.com", "end of data: SMTPDataError: 554 5.7.1 message refused")
    ]
    assert (again.sent, again.failed, again.batches) == (0, 0, 0)


def test_a_refused_recipient_counts_by_its_code(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    _handler(sink).rcpt_replies.update(
        {
            "u0@unit0.example.com": ["550 5.1.1 no such user"],
            "u1@unit1.example.com": ["450 4.2.1 busy"],
        }
    )
    queue(engine, campaign_2024, workspace, 2)

    _run(engine, _settings(workspace, sink.port), Clock(T0))

    permanent, temporary = _rows(engine)
    assert (permanent.status, permanent.smtp_reply, permanent.last_error) == (
        OutboxStatus.FAILED,
        "550 5.1.1 no such user",
        "RCPT TO: SMTPRecipientsRefused: 550 5.1.1 no such user",
    )
    assert (temporary.status, temporary.smtp_reply, temporary.attempts) == (
        OutboxStatus.QUEUED,
        "450 4.2.1 busy",
        1,
    )
    assert received(sink.folder) == []


def test_a_server_that_is_down_at_first_gets_the_mail_once_it_is_up(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    port = free_port()
    queue(engine, campaign_2024, workspace, 3)
    settings = _settings(workspace, port)
    clock = Clock(T0)

    down = _run(engine, settings, clock)
    while_down = _rows(engine)
    with SmtpSink(workspace / "sink", port=port) as sink:
        clock.advance(61)
        up = _run(engine, settings, clock)
        messages = received(sink.folder)

    assert (down.retried, down.sent, down.stopped) == (3, 0, None)
    assert [(r.status, r.attempts, r.not_before) for r in while_down] == [
        (OutboxStatus.QUEUED, 1, T0 + dt.timedelta(seconds=60))
    ] * 3
    assert all(
        r.last_error is not None and r.last_error.startswith("connecting: SMTPConnectError: ")
        for r in while_down
    )
    assert (up.sent, up.retried) == (3, 0)
    assert sorted(str(m["Message-ID"]) for m in messages) == sorted(
        r.message_id for r in _rows(engine)
    )


def test_an_unreachable_server_stops_the_run_and_releases_untried_rows(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 10)
    settings = _settings(workspace, free_port(), smtp_connections=2)

    report = _run(engine, settings, Clock(T0))

    rows = _rows(engine)
    assert (report.retried, report.released, report.batches) == (4, 6, 1)
    assert report.stopped is not None
    assert report.stopped.startswith("server unreachable: connecting: SMTPConnectError: ")
    assert sorted(r.attempts for r in rows) == [0] * 6 + [1] * 4
    assert {r.status for r in rows} == {OutboxStatus.QUEUED}
    assert sorted(r.not_before for r in rows) == [T0] * 6 + [T0 + dt.timedelta(seconds=60)] * 4


def test_rows_claimed_ahead_go_back_to_the_queue_untouched_when_delivery_stops(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 10)
    settings = _settings(workspace, free_port(), smtp_connections=1)

    report = _run(engine, settings, Clock(T0), batch_size=4)

    rows = _rows(engine)
    assert report.stopped is not None
    assert (report.batches, report.retried, report.released) == (1, 2, 2 + 4)
    assert [(r.status, r.claimed_by, r.lease_until, r.handed_at) for r in rows] == [
        (OutboxStatus.QUEUED, None, None, None)
    ] * 10
    assert [r.attempts for r in rows] == [1, 1] + [0] * 8
    assert [r.last_error == f"not attempted: {report.stopped}" for r in rows] == [False] * 2 + [
        True
    ] * 6 + [False] * 2  # the first batch's last two, the 4 claimed ahead; 2 never claimed


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

    _run(engine, _settings(workspace, sink.port, mail_from_name=evil), Clock(T0))

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
    assert _handler(sink).envelopes == [("csr-campaign@example.org", ("li@unit.example.com",))]


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
    report = _run(engine, _settings(workspace, sink.port), Clock(T0))

    [row] = _rows(engine)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    refusal = f"attachment '../secret.pdf' refused: outside the workspace {workspace}"
    assert row.last_error == f"AttachmentRefused: {refusal}"
    assert (report.failed, received(sink.folder)) == (1, [])


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
        good = _settings(
            workspace, server.port, smtp_user="campaign", smtp_password=SecretStr(PASSWORD)
        )
        wrong = _settings(
            workspace,
            server.port,
            smtp_user="campaign",
            smtp_password=SecretStr("wrong-" + PASSWORD),
        )
        refused = _run(engine, wrong, Clock(T0))
        refused_rows = _rows(engine)
        sent = _run(engine, good, Clock(T0 + dt.timedelta(minutes=5)))
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
        *(f"{r.last_error} {r.smtp_reply} {r.operator_note}" for r in _rows(engine)),
    ]
    assert [s for s in secrets for text in exposed if s in text] == []
    assert repr(make_mailer(good)).endswith("user='campaign', password=**********)")


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_implicit_tls_deliver(
    security: str, engine: Engine, campaign_2024: CampaignFile, workspace: Path, tmp_path: Path
) -> None:
    cert, key = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    options: dict[str, object] = (
        {"tls_context": server_context, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": server_context}
    )
    queue(engine, campaign_2024, workspace, 2)
    with SmtpSink(workspace / "sink", **options) as server:
        settings = _settings(workspace, server.port, smtp_security=security)
        plain = (
            _run(engine, _settings(workspace, server.port), Clock(T0))
            if security == "starttls"
            else None
        )
        report = _run(
            engine,
            settings,
            Clock(T0 + dt.timedelta(minutes=5)),
            mailer=_mailer(settings, tls_context=client_context),
        )
        count = len(received(server.folder))

    assert (report.sent, count) == (2, 2), [r.last_error for r in _rows(engine)]
    if plain is not None:  # a server that requires STARTTLS refuses a plain conversation
        assert (plain.sent, plain.retried, plain.failed) == (0, 0, 0)
        assert plain.configuration_error is not None
        assert plain.configuration_error.startswith("MAIL FROM: SMTPSenderRefused: 530 ")


def test_the_file_mailer_writes_eml_files_inside_the_workspace(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 2)
    settings = Settings(workspace=workspace, mailer="file")
    mailer = make_mailer(settings)
    assert isinstance(mailer, FileMailer)

    report = _run(engine, settings, Clock(T0), mailer=mailer)
    again = _run(engine, settings, Clock(T0))

    files = sorted((workspace / "mail" / "sent").glob("*.eml"))
    assert (report.sent, again.sent, len(files)) == (2, 0, 2)
    assert sorted(str(read_eml(f)["Message-ID"]) for f in files) == sorted(
        r.message_id for r in _rows(engine)
    )
    assert {r.smtp_reply for r in _rows(engine)} == {f"250 written {f.name}" for f in files}


def test_the_rate_limit_spaces_out_sends(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    queue(engine, campaign_2024, workspace, 6)
    settings = _settings(workspace, sink.port, smtp_rate_per_second=20.0)

    started = time.perf_counter()
    report = _run(engine, settings, Clock(T0))
    elapsed = time.perf_counter() - started

    assert report.sent == 6
    assert elapsed >= 0.25  # six slots 50 ms apart: the last starts 250 ms after the first


def test_two_deliverers_at_once_deliver_each_message_exactly_once(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    folder = workspace / "sink"
    queued = queue(engine, campaign_2024, workspace, 120)
    reports: dict[str, DeliveryReport] = {}
    start = threading.Barrier(2)

    def deliverer(name: str, port: int) -> None:
        settings = _settings(workspace, port, smtp_connections=2)
        start.wait()
        reports[name] = _run(engine, settings, worker_id=name, batch_size=6)

    with SmtpSink(folder, handler=ScriptedStore(folder, delay=0.004)) as server:
        threads = [threading.Thread(target=deliverer, args=(n, server.port)) for n in ("w1", "w2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

    rows = _rows(engine)
    counts = message_id_counts(folder)
    assert sorted(counts.values()) == [1] * 120
    assert set(counts) == {r.message_id for r in rows}
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert reports["w1"].sent + reports["w2"].sent == len(queued) == 120
    assert reports["w1"].sent > 0
    assert reports["w2"].sent > 0


def test_a_cancelled_run_records_what_finished_and_marks_only_the_message_on_the_wire(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 10)
    folder = workspace / "sink"
    settings = _settings(workspace, 0, smtp_connections=1)

    async def cancel_midway(port: int) -> None:
        mailer = make_mailer(settings.model_copy(update={"smtp_port": port}))
        run = asyncio.create_task(deliver(factory(engine), mailer, settings, clock=Clock(T0)))
        while len(list(folder.glob("*.eml"))) < 3:  # noqa: ASYNC110 (polls files a server writes)
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the fourth message is waiting for its reply
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run

    with SmtpSink(folder, handler=ScriptedStore(folder, delay=0.3)) as server:
        asyncio.run(cancel_midway(server.port))

    rows = _rows(engine)
    statuses = [r.status for r in rows]
    assert (
        statuses == [OutboxStatus.SENT] * 3 + [OutboxStatus.AMBIGUOUS] + [OutboxStatus.QUEUED] * 6
    )
    assert rows[3].last_error == "ambiguous: delivery stopped while sending"
    assert [r.attempts for r in rows[4:]] == [0] * 6
    assert {r.handed_at for r in rows[4:]} == {None}
