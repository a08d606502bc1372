"""Delivery to a real aiosmtpd server (replies, retries, reachability) and to .eml files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from deliverykit import run_delivery, scripted, smtp_settings
from mailkit import T0, Clock, invitation, message_id_counts, queue, received
from outboxkit import outbox_rows
from sqlalchemy.engine import Engine

from notifications.mailers import FileMailer, make_mailer
from notifications.sink import SmtpSink, free_port, read_eml
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.settings import Settings

SENDER = "上海市企业社会责任报告发布会 <csr-campaign@example.org>"


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
    settings = smtp_settings(workspace, sink.port)

    report = run_delivery(engine, settings, Clock(T0))

    [message] = received(sink.folder)
    [row] = outbox_rows(engine)
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
    assert scripted(sink).envelopes == [("csr-campaign@example.org", ("u0@unit0.example.com",))]
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
    scripted(sink).data_replies["u0@unit0.example.com"] = [
        "451 4.3.0 try later",
        "451 4.3.0 try later",
    ]
    queue(engine, campaign_2024, workspace, 1)
    settings = smtp_settings(workspace, sink.port)
    clock = Clock(T0)

    first = run_delivery(engine, settings, clock)
    [after_first] = outbox_rows(engine)
    clock.advance(30)
    too_early = run_delivery(engine, settings, clock)
    clock.advance(31)
    second = run_delivery(engine, settings, clock)
    [after_second] = outbox_rows(engine)
    clock.advance(121)
    third = run_delivery(engine, settings, clock)
    [done] = outbox_rows(engine)

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
    scripted(sink).data_replies["u0@unit0.example.com"] = ["452 4.2.2 mailbox full"] * 2
    queue(engine, campaign_2024, workspace, 1)
    settings = smtp_settings(workspace, sink.port, delivery_max_attempts=2)
    clock = Clock(T0)

    run_delivery(engine, settings, clock)
    clock.advance(61)
    report = run_delivery(engine, settings, clock)

    [row] = outbox_rows(engine)
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
    scripted(sink).data_replies["u0@unit0.example.com"] = ["554 5.7.1 message refused"]
    queue(engine, campaign_2024, workspace, 2)
    settings = smtp_settings(workspace, sink.port)

    report = run_delivery(engine, settings, Clock(T0))
    again = run_delivery(engine, settings, Clock(T0 + dt.timedelta(days=1)))

    failed, sent = outbox_rows(engine)
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
    scripted(sink).rcpt_replies.update(
        {
            "u0@unit0.example.com": ["550 5.1.1 no such user"],
            "u1@unit1.example.com": ["450 4.2.1 busy"],
        }
    )
    queue(engine, campaign_2024, workspace, 2)

    run_delivery(engine, smtp_settings(workspace, sink.port), Clock(T0))

    permanent, temporary = outbox_rows(engine)
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
    settings = smtp_settings(workspace, port)
    clock = Clock(T0)

    down = run_delivery(engine, settings, clock)
    while_down = outbox_rows(engine)
    with SmtpSink(workspace / "sink", port=port) as sink:
        clock.advance(61)
        up = run_delivery(engine, settings, clock)
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
        r.message_id for r in outbox_rows(engine)
    )


def test_an_unreachable_server_stops_the_run_and_releases_untried_rows(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 10)
    settings = smtp_settings(workspace, free_port(), smtp_connections=2)

    report = run_delivery(engine, settings, Clock(T0))

    rows = outbox_rows(engine)
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
    settings = smtp_settings(workspace, free_port(), smtp_connections=1)

    report = run_delivery(engine, settings, Clock(T0), batch_size=4)

    rows = outbox_rows(engine)
    assert report.stopped is not None
    assert (report.batches, report.retried, report.released) == (1, 2, 2 + 4)
    assert [(r.status, r.claimed_by, r.lease_until, r.handed_at) for r in rows] == [
        (OutboxStatus.QUEUED, None, None, None)
    ] * 10
    assert [r.attempts for r in rows] == [1, 1] + [0] * 8
    assert [r.last_error == f"not attempted: {report.stopped}" for r in rows] == [False] * 2 + [
        True
    ] * 6 + [False] * 2  # the first batch's last two, the 4 claimed ahead; 2 never claimed


def test_the_file_mailer_writes_eml_files_inside_the_workspace(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 2)
    settings = Settings(workspace=workspace, mailer="file")
    mailer = make_mailer(settings)
    assert isinstance(mailer, FileMailer)

    report = run_delivery(engine, settings, Clock(T0), mailer=mailer)
    again = run_delivery(engine, settings, Clock(T0))

    files = sorted((workspace / "mail" / "sent").glob("*.eml"))
    assert (report.sent, again.sent, len(files)) == (2, 0, 2)
    assert sorted(str(read_eml(f)["Message-ID"]) for f in files) == sorted(
        r.message_id for r in outbox_rows(engine)
    )
    assert {r.smtp_reply for r in outbox_rows(engine)} == {f"250 written {f.name}" for f in files}
