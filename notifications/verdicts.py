"""Decide what a send attempt means for the row: sent, retry later, or failed for good.

One table, `VERDICT_BY_REPLY_CLASS`, maps the first digit of the server's reply code to a
verdict (2xx sent, 4xx retry, 5xx failed). An attempt that got no reply to the message itself
(refused or dropped connection, timeout, failed greeting, login or STARTTLS, a refused MAIL FROM)
is treated like a 4xx whatever its code: the message was not at fault, and a configuration
problem must not fail the whole outbox in one run (delivery stops after repeated ones). Also the
backoff schedule. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import aiosmtplib

from notifications.mailers import SendReceipt


class Verdict(StrEnum):
    """What to do with a row after one attempt."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


VERDICT_BY_REPLY_CLASS: Final[Mapping[int, Verdict]] = MappingProxyType(
    {2: Verdict.SENT, 4: Verdict.RETRY, 5: Verdict.FAILED}
)
NO_REPLY_CLASS: Final = 4  # connection-level trouble: as if the server said "try again later"
CONNECTION_ERRORS: Final = (
    aiosmtplib.SMTPConnectError,  # includes a refused greeting (SMTPConnectResponseError)
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    aiosmtplib.SMTPHeloError,
    aiosmtplib.SMTPAuthenticationError,
    aiosmtplib.SMTPSenderRefused,  # MAIL FROM refused: our session or sender, not this message
    aiosmtplib.SMTPNotSupported,
    OSError,
    TimeoutError,
)
BACKOFF_BASE: Final = timedelta(seconds=60)
BACKOFF_CAP: Final = timedelta(hours=2)


@dataclass(frozen=True)
class Outcome:
    """The verdict on one attempt, with the server's reply and our error text (if any)."""

    verdict: Verdict
    reply: str | None
    error: str | None
    connection: bool = False  # no reply to the message itself (the connection failed)


def verdict_for(code: int | None) -> Verdict:
    """Return the verdict for a reply code (None: no reply, treated as 4xx). Pure."""
    reply_class = NO_REPLY_CLASS if code is None else code // 100
    return VERDICT_BY_REPLY_CLASS.get(reply_class, Verdict.FAILED)


def outcome_of_receipt(receipt: SendReceipt, recipient: str) -> Outcome:
    """Return the outcome of a send that returned: sent, or judged by a recipient's refusal."""
    refusal = receipt.refused.get(recipient) or next(iter(receipt.refused.values()), None)
    if refusal is None:
        return Outcome(Verdict.SENT, receipt.reply, None)
    code, text = refusal
    reply = f"{code} {text}"
    return Outcome(verdict_for(code), reply, f"recipient refused: {reply}")


def outcome_of_error(exc: BaseException) -> Outcome:
    """Return the outcome of a send that raised. Pure."""
    name = type(exc).__name__
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        first = exc.recipients[0]
        reply = f"{first.code} {first.message}"
        return Outcome(verdict_for(first.code), reply, f"{name}: {reply}")
    if isinstance(exc, CONNECTION_ERRORS):
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            reply = f"{exc.code} {exc.message}"
            return Outcome(verdict_for(None), reply, f"{name}: {reply}", connection=True)
        return Outcome(verdict_for(None), None, f"{name}: {exc}", connection=True)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reply = f"{exc.code} {exc.message}"
        return Outcome(verdict_for(exc.code), reply, f"{name}: {reply}")
    return Outcome(Verdict.FAILED, None, f"{name}: {exc}")


def backoff(attempts: int) -> timedelta:
    """Return the wait before attempt `attempts + 1`: 60 s, doubling, at most two hours. Pure."""
    step: timedelta = BACKOFF_BASE * (2 ** min(max(attempts - 1, 0), 16))
    return min(step, BACKOFF_CAP)
