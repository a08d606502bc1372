"""Helpers for mail tests: a scriptable real SMTP sink, a test clock, queued outbox rows.

Everything here is built from product code (the aiosmtpd sink, render, enqueue); nothing is
mocked. `ScriptedStore` is the product's EmlStore with replies a test can script per recipient.
"""

from __future__ import annotations

import asyncio
import functools
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
from notifications.sink import EmlStore, eml_files, read_eml
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
