"""The text + HTML part written when a mail is queued is sent as it is, byte for byte."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from deliverykit import run_delivery, smtp_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mailkit import T0, Clock, queue, received
from sqlalchemy.engine import Engine

from notifications.headers import Mailbox
from notifications.message import alternative_part, build_message, part_boundary
from notifications.sink import SmtpSink
from notifications.wire_format import message_bytes
from schemas.campaign_file import CampaignFile
from schemas.outbox_table import OutboxBody
from tasks.store import session_scope

SENDER = Mailbox(address="csr-campaign@example.org", name="上海市企业社会责任报告发布会")
TO = Mailbox(address="li@unit.example.com", name="李明")
DATE = datetime(2024, 10, 10, 2, 0, tzinfo=UTC)
BODIES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)


def _build(workspace: Path, text: str, html: str, **extra: object) -> EmailMessage:
    return build_message(
        sender=SENDER,
        to=TO,
        subject="提醒",
        text=text,
        html=html,
        message_id="<csr.1@example.org>",
        date=DATE,
        workspace=workspace,
        **extra,  # type: ignore[arg-type]
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=BODIES, html=BODIES.map(lambda b: f"<p>{b}</p>"), with_file=st.booleans())
def test_a_part_written_at_queue_time_gives_the_same_message(
    tmp_path_factory: pytest.TempPathFactory, text: str, html: str, with_file: bool
) -> None:
    workspace = tmp_path_factory.mktemp("queued")
    files = ()
    if with_file:
        (workspace / "invite.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        files = ("invite.ics",)
    stored = alternative_part(text, html)

    stored_part_used = _build(workspace, text, html, attachments=files, alternative=stored)
    assert message_bytes(stored_part_used) == message_bytes(
        _build(workspace, text, html, attachments=files)
    )


def test_a_part_written_by_another_process_keeps_its_boundary(tmp_path: Path) -> None:
    text, html = "您好：\n" + "正文" * 60, "<p>" + "正文" * 60 + "</p>"
    here = alternative_part(text, html)
    other = f"==csr-{secrets.token_hex(16)}=="
    stored = here.replace(part_boundary(here).encode(), other.encode())

    built = _build(tmp_path, text, html, alternative=stored)
    sent = message_bytes(built)

    assert sent.endswith(stored)
    # its EmailMessage form (built the stdlib's way on first use) is the same message
    assert built.get_body(("plain",)).get_content() == text + "\n"  # type: ignore[union-attr]
    assert message_bytes(built) == sent


def test_a_stored_part_without_a_boundary_is_refused() -> None:
    with pytest.raises(ValueError, match="names no multipart boundary"):
        part_boundary(b"Content-Type: text/plain\r\n\r\nx")


def test_delivery_sends_the_part_stored_when_the_mail_was_queued(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    [queued] = queue(engine, campaign_2024, workspace, 1)
    with session_scope(engine) as session:
        body = session.get(OutboxBody, queued.id)
        assert body is not None
        assert body.alternative is not None
        assert body.alternative == alternative_part(body.body_text, body.body_html)
        body.alternative = alternative_part("入队时写下的正文", "<p>入队时写下的正文</p>")
    report = run_delivery(engine, smtp_settings(workspace, sink.port), Clock(T0))

    [message] = received(sink.folder)
    assert report.sent == 1
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().strip() == "入队时写下的正文"
