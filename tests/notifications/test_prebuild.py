"""Messages written ahead by the helper process: the same bytes, failures kept, never waited for."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailkit import T0, Clock, factory, queue, received
from sqlalchemy.engine import Engine

from notifications.claims import ClaimedMail
from notifications.delivery import deliver
from notifications.headers import mailbox
from notifications.mailers import make_mailer
from notifications.message import message_bytes
from notifications.prebuild import AHEAD_MIN, Builder, BuildFailed, Stamp, helper_pool
from notifications.sink import SmtpSink
from schemas.campaign_file import CampaignFile
from schemas.settings import Settings

NOW = datetime(2024, 11, 11, 9, 30, tzinfo=UTC)


def _mails(count: int, attachments: tuple[str, ...] = ()) -> list[ClaimedMail]:
    return [
        ClaimedMail(
            id=i,
            campaign_year=2024,
            key=f"k{i}",
            template="invitation",
            recipient=f"u{i}@unit{i}.example.com",
            recipient_name=f"联系人{i}",
            subject=f"关于第{i}家单位报告的通知",
            text=f"尊敬的联系人{i}：\n请于11月15日前提交报告。\n" * 20,
            html=f"<p>尊敬的联系人{i}：</p><p>请于11月15日前提交报告。</p>" * 20,
            attachments=attachments,
            message_id=f"<m{i}@example.org>",
            attempts=0,
        )
        for i in range(count)
    ]


def _stamp(workspace: Path) -> Stamp:
    return Stamp(mailbox("csr-campaign@example.org", "上海市企业社会责任报告发布会"), workspace)


def _settled(builder: Builder, timeout: float = 60) -> None:
    """Wait until every slice handed to the helper is written (the test wants them all ahead)."""
    deadline = time.monotonic() + timeout
    while not all(f.done() for f, _ in builder._ahead.values()):
        assert time.monotonic() < deadline, "the helper process did not write its slices"
        time.sleep(0.02)


def _unbounded(data: bytes) -> bytes:
    """Return the message bytes with its multipart boundaries replaced by fixed tokens."""
    for n, boundary in enumerate(dict.fromkeys(re.findall(rb'boundary="([^"]+)"', data))):
        data = data.replace(boundary, b"BOUNDARY-%d" % n)
    return data


def test_bytes_written_ahead_are_the_bytes_written_on_the_spot(workspace: Path) -> None:
    (workspace / "invite.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    mails = _mails(AHEAD_MIN + 5, attachments=("invite.ics",))
    ahead = Builder(_stamp(workspace), lambda: NOW, helper_pool())
    on_the_spot = Builder(_stamp(workspace), lambda: NOW, None)

    ahead.start(mails)
    _settled(ahead)
    pairs = [(ahead.message(m), on_the_spot.message(m)) for m in mails]

    assert ahead.written_ahead == len(mails)
    assert on_the_spot.written_ahead == 0
    for written, spot in pairs:  # each process draws its own MIME boundaries
        assert _unbounded(message_bytes(written)) == _unbounded(message_bytes(spot))
    first = pairs[0][0]  # still a full EmailMessage for whoever reads it as one
    assert str(first["To"]) == "联系人0 <u0@unit0.example.com>"
    assert [a.get_filename() for a in first.iter_attachments()] == ["invite.ics"]


def test_a_row_that_cannot_become_a_message_fails_the_same_way_ahead(workspace: Path) -> None:
    mails = _mails(AHEAD_MIN, attachments=("../outside.pdf",))
    ahead = Builder(_stamp(workspace), lambda: NOW, helper_pool())
    ahead.start(mails)
    _settled(ahead)

    with pytest.raises(BuildFailed, match="AttachmentRefused") as from_helper:
        ahead.message(mails[0])
    with pytest.raises(BuildFailed) as on_the_spot:
        Builder(_stamp(workspace), lambda: NOW).message(mails[0])
    assert str(from_helper.value) == str(on_the_spot.value)


def test_a_small_batch_is_not_handed_to_the_helper(workspace: Path) -> None:
    builder = Builder(_stamp(workspace), lambda: NOW, helper_pool())
    builder.start(_mails(AHEAD_MIN - 1))
    assert builder._ahead == {}


def test_rows_the_helper_has_not_written_yet_are_written_on_the_spot(workspace: Path) -> None:
    never_done: Future[list[object]] = Future()

    class Stalled(ProcessPoolExecutor):
        def submit(self, *args: object, **kwargs: object) -> Future[list[object]]:  # type: ignore[override]
            return never_done

    mails = _mails(AHEAD_MIN)
    stalled = Stalled(max_workers=1)
    try:
        builder = Builder(_stamp(workspace), lambda: NOW, stalled)
        builder.start(mails)
        message = builder.message(mails[3])  # does not wait for the helper
    finally:
        stalled.shutdown()
    assert builder.written_ahead == 0
    assert str(message["Message-ID"]) == "<m3@example.org>"


def test_a_helper_that_is_gone_leaves_every_row_written_on_the_spot(workspace: Path) -> None:
    gone = ProcessPoolExecutor(max_workers=1)
    gone.shutdown()
    mails = _mails(AHEAD_MIN)
    builder = Builder(_stamp(workspace), lambda: NOW, gone)
    builder.start(mails)
    assert [str(builder.message(m)["Message-ID"]) for m in mails[:2]] == [
        "<m0@example.org>",
        "<m1@example.org>",
    ]


def test_a_big_batch_is_delivered_whole_and_correct_with_messages_written_ahead(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    count = 3 * AHEAD_MIN
    queue(engine, campaign_2024, workspace, count)
    settings = Settings(
        workspace=workspace, mailer="smtp", smtp_connections=4, mail_write_ahead=True
    )
    folder = workspace / "sink"
    with SmtpSink(folder) as server:
        settings = settings.model_copy(update={"smtp_port": server.port})
        report = asyncio.run(
            deliver(factory(engine), make_mailer(settings), settings, clock=Clock(T0))
        )
    messages = received(folder)
    assert report.sent == count
    assert sorted(str(m["To"]) for m in messages) == sorted(
        f"联系人{i} <u{i}@unit{i}.example.com>" for i in range(count)
    )
    assert {str(m["Date"]) for m in messages} == {"Mon, 11 Nov 2024 01:00:00 +0000"}
    assert all(m.get_body(("plain",)) is not None for m in messages)
