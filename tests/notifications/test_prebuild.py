"""Messages written ahead by the helper process: the same bytes, failures kept, never waited for."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
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
from notifications.prebuild import (
    AHEAD_MIN,
    Builder,
    BuildFailed,
    Stamp,
    helper_pool,
    process_alive,
)
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


def test_process_alive_tells_running_ended_and_zombie_processes() -> None:
    assert process_alive(os.getpid())
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{ended.pid}/stat").exists() and "Z" not in _state(ended.pid):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert not process_alive(ended.pid)  # a zombie: ended, not yet reaped by us
    ended.wait()
    assert not process_alive(ended.pid)


def _state(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rfind(")") + 2 :].split(" ", 1)[0]


HELPER_OWNER = """
import sys, time
from notifications.prebuild import helper_pool
pool = helper_pool()
pool.submit(int).result(timeout=60)
import os
print(os.getpid(), flush=True)
time.sleep(600)
"""


def test_a_killed_deliverer_leaves_no_helper_behind() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", HELPER_OWNER],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    owner.stdout.readline()  # the helper is running
    helpers = _descendants(owner.pid)
    assert helpers  # the forkserver and the helper it forked

    os.kill(owner.pid, signal.SIGKILL)
    owner.communicate(timeout=30)  # nobody holds the owner's stdout any more

    deadline = time.monotonic() + 30
    while any(process_alive(p) for p in helpers):
        assert time.monotonic() < deadline, "a helper process outlived its deliverer"
        time.sleep(0.1)


def _descendants(pid: int) -> list[int]:
    """Return the ids of `pid`'s descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rfind(")") + 2 :].split()[1])
            parents.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found
