"""The mail benchmark's messages: a season-like mix of zh-CN mails, and the baseline's bytes.

`season_mails` renders N mails through the product (`notifications.render`) from the sample
contexts every template has (tests/data/mail_contexts.py), one unit and contact per mail, cycling
through the templates; training invitations carry the session's .ics as the product attaches it
(tasks/train/mail.py). `prebuilt_bytes` turns the same mails into SMTP DATA bytes with the
standard library only (EmailMessage, policy default, flattened as aiosmtplib does), before any
timing: what the client sends when building costs nothing.
"""

from __future__ import annotations

import importlib
import mimetypes
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from notifications.headers import Mailbox, mailbox
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from tasks.train.mail import session_calendar_file

REPO = Path(__file__).resolve().parent.parent
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
_TRADES = ("科技", "电子", "实业", "新材料", "环保", "物流", "医药", "信息技术", "建设", "食品")


def contact_name(i: int) -> str:
    """Return a synthetic Chinese name for contact `i` (two or three characters)."""
    given = _GIVEN[i % len(_GIVEN)] + ("" if i % 3 else _GIVEN[(i // 7) % len(_GIVEN)])
    return _SURNAMES[(i // len(_GIVEN)) % len(_SURNAMES)] + given


def season_mails(
    campaign: CampaignFile, settings: Settings, count: int, version: str
) -> list[OutgoingMail]:
    """Render `count` mails cycling through every template; one unit and contact each."""
    samples: Any = importlib.import_module("data.mail_contexts")  # tests/data, on sys.path
    invite = str(session_calendar_file(settings, campaign, campaign.training.sessions[1]))
    names = sorted(samples.sample_contexts(campaign))
    items: list[OutgoingMail] = []
    for i in range(count):
        template = names[i % len(names)]
        unit = f"上海测试{i:04d}{_TRADES[i % len(_TRADES)]}股份有限公司"
        context = samples.sample_contexts(campaign, unit_name=unit)[template]
        items.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=mailbox(f"contact{i}@unit{i}.example.com", contact_name(i)),
                mail=render(template, context),
                subject_ref=f"participation:{i}",
                version=version,
                attachments=(invite,) if template == "training_invitation" else (),
            )
        )
    return items


def _stdlib_message(sender: Mailbox, item: OutgoingMail, message_id: str) -> EmailMessage:
    """Build one mail with the standard library alone (the baseline's message)."""
    message = EmailMessage(policy=policy.default)
    message["From"] = Address(display_name=sender.name, addr_spec=sender.address)
    message["To"] = Address(display_name=item.to.name, addr_spec=item.to.address)
    message["Subject"] = item.mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    message.set_content(item.mail.text, charset="utf-8")
    message.add_alternative(item.mail.html, subtype="html", charset="utf-8")
    for attachment in item.attachments:
        path = Path(attachment)
        kind, _ = mimetypes.guess_type(path.name)
        maintype, _, subtype = (kind or "application/octet-stream").partition("/")
        message.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
        )
    return message


def prebuilt_bytes(sender: Mailbox, items: list[OutgoingMail], run: str) -> list[bytes]:
    """Return each mail as SMTP DATA bytes (CRLF, 8-bit), built with the stdlib; not timed."""
    out: list[bytes] = []
    for n, item in enumerate(items):
        message = _stdlib_message(sender, item, f"<raw.{run}.{n}@example.org>")
        with BytesIO() as buffer:
            BytesGenerator(buffer, policy=policy.SMTP).flatten(message)
            out.append(buffer.getvalue())
    return out
