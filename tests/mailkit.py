"""Helpers for mail tests: real SMTP sinks, a test clock, queued outbox rows.

Everything here is built from product code (the aiosmtpd sink, render, enqueue) or is a real
independent server; nothing is mocked. `ScriptedStore` is the product's EmlStore with replies a
test can script per recipient. `PostfixSink` runs Postfix's smtp-sink in its own process with
its fault options (soft or hard rejects, a disconnect after a given command, a delay before the
final reply) and counts what it stored by Message-ID.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from notifications.contexts import FeedbackLetterContext, InvitationContext, campaign_context
from notifications.headers import mailbox
from notifications.outbox import Enqueued, OutgoingMail, enqueue_many
from notifications.render import RenderedMail, render
from notifications.sink import LOOPBACK, EmlStore, eml_files, free_port, read_eml
from schemas.campaign_file import CampaignFile
from tasks.common.campaigns import ensure_campaign
from tasks.store import session_scope

T0 = datetime(2024, 11, 11, 1, 0, tzinfo=UTC)
DOMAIN = "example.org"


class ScriptedStore(EmlStore):
    """The product's .eml sink, answering scripted replies per recipient before accepting."""

    def __init__(self, folder: Path, *, delay: float = 0.0) -> None:
        super().__init__(folder)
        self.data_replies: dict[str, list[str]] = {}
        self.rcpt_replies: dict[str, list[str]] = {}
        self.delay = delay
        self.envelopes: list[tuple[str, tuple[str, ...]]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        """Refuse a recipient while a scripted RCPT reply is left for it."""
        script = self.rcpt_replies.get(address)
        if script:
            return script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Answer the next scripted DATA reply for the first recipient, else store and accept."""
        if self.delay:
            await asyncio.sleep(self.delay)
        script = self.data_replies.get(envelope.rcpt_tos[0])
        if script:
            return script.pop(0)
        self.envelopes.append((envelope.mail_from, tuple(envelope.rcpt_tos)))
        return await super().handle_DATA(server, session, envelope)


class Clock:
    """A settable clock for deliver(clock=...): technical time under the test's control."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def factory(engine: Engine) -> functools.partial[Any]:
    """Return the session factory the product uses: one committed transaction per call."""
    return functools.partial(session_scope, engine)


def invitation(campaign: CampaignFile, unit_name: str = "上海示例科技股份有限公司") -> RenderedMail:
    """Render an invitation for `unit_name` from the real campaign file."""
    context = InvitationContext(
        campaign=campaign_context(campaign),
        unit_name=unit_name,
        contact_name="李明",
        association_name="上海市电子信息行业协会",
        deadline=campaign_context(campaign).deadlines["receipt"],
    )
    return render("invitation", context)


def feedback(campaign: CampaignFile, unit_name: str) -> RenderedMail:
    """Render a feedback letter (its subject carries the unit name)."""
    context = FeedbackLetterContext(
        campaign=campaign_context(campaign),
        unit_name=unit_name,
        contact_name="李明",
        score=82.5,
        grade_name="四星半级",
        grade_label="领先",
        strengths=(),
        suggestions=("补充量化指标",),
        revision_requested=False,
    )
    return render("feedback_letter", context)


def queue(
    engine: Engine,
    campaign: CampaignFile,
    workspace: Path,
    count: int,
    *,
    mail: RenderedMail | None = None,
    name: str = "联系人",
    attachments: Sequence[str] = (),
    not_before: datetime | None = T0,
    now: datetime = T0,
) -> list[Enqueued]:
    """Enqueue `count` mails to u<i>@unit<i>.example.com in one transaction (campaign row too)."""
    rendered = mail or invitation(campaign)
    items = [
        OutgoingMail(
            campaign_year=campaign.year,
            to=mailbox(f"u{i}@unit{i}.example.com", f"{name}{i}" if name else ""),
            mail=rendered,
            subject_ref=f"participation:{i}",
            version="1",
            attachments=tuple(attachments),
            not_before=not_before,
        )
        for i in range(count)
    ]
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now)
        return enqueue_many(session, items, workspace=workspace, message_id_domain=DOMAIN, now=now)


def received(folder: Path) -> list[EmailMessage]:
    """Return every message the sink stored, parsed, oldest first."""
    return [read_eml(p) for p in eml_files(folder)]


def message_id_counts(folder: Path) -> Counter[str]:
    """Return how many times the sink received each Message-ID."""
    return Counter(str(m["Message-ID"]) for m in received(folder))


SMTP_SINK = shutil.which("smtp-sink") or next(
    (p for p in ("/usr/sbin/smtp-sink", "/usr/lib/postfix/sbin/smtp-sink") if os.path.exists(p)),
    None,
)
MISSING_SMTP_SINK = "Postfix's smtp-sink is not installed (Debian package postfix; `make sysdeps`)"
_MESSAGE_ID = re.compile(rb"^Message-ID: *(.+?)\r?$", re.MULTILINE | re.IGNORECASE)


class PostfixSink:
    """Postfix's smtp-sink on a free 127.0.0.1 port in its own process; a context manager.

    `options` are smtp-sink's own, e.g. ("-r", "rcpt") soft-rejects RCPT, ("-f", ".") hard-
    rejects the end of data, ("-q", ".") disconnects after the end of data (having stored the
    message), ("-A", "2") waits 2 s after the end of data before a 5xx reply, ("-a",) offers no
    AUTH. Each message is dumped to a file in a folder the unprivileged server can write (run as
    root, smtp-sink is told to drop to `nobody`).
    """

    def __init__(self, *options: str) -> None:
        assert SMTP_SINK is not None, MISSING_SMTP_SINK
        self.options = options
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="smtp-sink-"))
        self.folder.chmod(0o777)
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> PostfixSink:
        """Start smtp-sink and wait until it accepts connections (at most 5 s)."""
        dump = f"{self.folder}/%H%M%S."  # smtp-sink appends a random suffix per message
        user = ["-u", "nobody"] if os.geteuid() == 0 else []  # it refuses to run as root
        command = [
            SMTP_SINK or "smtp-sink",
            *user,
            "-d",
            dump,
            *self.options,
            f"{LOOPBACK}:{self.port}",
            "64",
        ]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection((LOOPBACK, self.port), timeout=0.2).close()
                return self
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.02)
        self.stop()
        self.cleanup()
        raise RuntimeError(f"smtp-sink did not start: {command}")

    def stop(self) -> None:
        """Stop the server (its dump folder stays until `cleanup`)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=5)

    def cleanup(self) -> None:
        """Remove the dump folder."""
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def received(self) -> int:
        """How many messages the server has dumped so far (works while it runs)."""
        with os.scandir(self.folder) as entries:
            return sum(1 for e in entries if e.is_file())

    def message_ids(self) -> Counter[str]:
        """Return how many times the server stored each Message-ID."""
        ids: Counter[str] = Counter()
        for path in sorted(self.folder.iterdir()):
            match = _MESSAGE_ID.search(path.read_bytes())
            assert match is not None, path.name
            ids[match.group(1).decode()] += 1
        return ids

    def __enter__(self) -> PostfixSink:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.cleanup()
