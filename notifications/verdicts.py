"""Decide what a send attempt means for the row: sent, retry, failed, ambiguous, or stop.

One table, `VERDICTS`, maps where the conversation failed (the `SmtpPhase` of transmit.py, or
None for a mailer without one) and what went wrong (a `Fault`) to a verdict:
- a 4xx reply, or a connection lost or timed out before the content was handed over: retry with
  backoff (the server cannot hold the message);
- the connection lost or timed out after the end-of-data dot was sent, before the reply:
  `ambiguous` at once, never retried by itself (the server may hold it);
- a 5xx reply to the message (RCPT, DATA, the final reply, a 552 size refusal): failed;
- TLS or login refused, not offered, or failed, or MAIL FROM refused with a 5xx: a
  configuration error. Delivery stops, the rows go back to the queue untouched, the operator
  is told: failing every row in one run would lose the outbox to a wrong setting.
Also the backoff schedule. Pure: no I/O, no clock.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import aiosmtplib

from notifications.mailers import SendReceipt
from notifications.transmit import SmtpPhase, TransmitError


class Verdict(StrEnum):
    """What to do with a row (and the run) after one attempt."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    AMBIGUOUS = "ambiguous"  # the server may or may not hold it: an operator decides
    CONFIGURATION = "configuration"  # our settings are wrong: stop, leave the rows queued


class Fault(StrEnum):
    """What went wrong in an attempt, whatever the phase."""

    LOST = "lost"  # refused, dropped or timed-out connection: no reply
    TEMPORARY = "4xx"
    PERMANENT = "5xx"
    TOO_LARGE = "552"  # the message exceeds the server's size limit
    REFUSED_SETUP = "refused setup"  # STARTTLS/AUTH/SMTPUTF8 not offered, TLS handshake failed
    OTHER = "other"  # anything else: a bad address, a bug of ours


R, F, A, C = Verdict.RETRY, Verdict.FAILED, Verdict.AMBIGUOUS, Verdict.CONFIGURATION
_FAULTS = (
    Fault.LOST,
    Fault.TEMPORARY,
    Fault.PERMANENT,
    Fault.TOO_LARGE,
    Fault.REFUSED_SETUP,
    Fault.OTHER,
)
_ROWS: dict[SmtpPhase | None, tuple[Verdict, ...]] = {
    # phase:               LOST 4xx 5xx 552 setup other
    None: (R, R, F, F, F, F),  # a mailer without phases (the file mailer)
    SmtpPhase.CONNECT: (R, R, R, R, R, C),  # a refused greeting refuses us, not the message
    SmtpPhase.TLS: (R, R, C, C, C, C),
    SmtpPhase.AUTH: (R, R, C, C, C, C),
    SmtpPhase.MAIL: (R, R, C, F, F, F),  # 5xx to MAIL FROM: our sender; SMTPUTF8 missing: ours
    SmtpPhase.RCPT: (R, R, F, F, F, F),
    SmtpPhase.DATA: (R, R, F, F, F, F),
    SmtpPhase.PAYLOAD: (A, R, F, F, A, A),  # handed over: anything but a reply is ambiguous
}
VERDICTS: Final[Mapping[tuple[SmtpPhase | None, Fault], Verdict]] = MappingProxyType(
    {
        (phase, fault): verdict
        for phase, row in _ROWS.items()
        for fault, verdict in zip(_FAULTS, row, strict=True)
    }
)
BACKOFF_BASE: Final = timedelta(seconds=60)
BACKOFF_CAP: Final = timedelta(hours=2)


@dataclass(frozen=True)
class Outcome:
    """The verdict on one attempt, with the server's reply and our error text (if any)."""

    verdict: Verdict
    reply: str | None
    error: str | None
    connection: bool = False  # the connection failed (no reply): counts towards stopping a worker


def fault_of(error: BaseException) -> tuple[Fault, int | None]:
    """Return what kind of failure `error` is and the server's reply code (if it replied). Pure."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 0:
        if error.code == 552:
            return Fault.TOO_LARGE, error.code
        return (Fault.TEMPORARY if error.code // 100 == 4 else Fault.PERMANENT), error.code
    if isinstance(error, ssl.SSLError) or isinstance(error.__cause__, ssl.SSLError):
        return Fault.REFUSED_SETUP, None
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return Fault.LOST, None  # aiosmtplib's disconnect/timeout/connect errors are these too
    if isinstance(error, aiosmtplib.SMTPException):
        return Fault.REFUSED_SETUP, None  # not offered: STARTTLS, AUTH, SMTPUTF8, a mechanism
    return Fault.OTHER, None


def outcome_of_receipt(receipt: SendReceipt, recipient: str) -> Outcome:
    """Return the outcome of a send that returned: sent, or judged by a recipient's refusal."""
    refusal = receipt.refused.get(recipient) or next(iter(receipt.refused.values()), None)
    if refusal is None:
        return Outcome(Verdict.SENT, receipt.reply, None)
    code, text = refusal
    reply = f"{code} {text}"
    fault = Fault.TEMPORARY if code // 100 == 4 else Fault.PERMANENT
    return Outcome(VERDICTS[SmtpPhase.RCPT, fault], reply, f"recipient refused: {reply}")


def outcome_of_error(exc: BaseException) -> Outcome:
    """Return the outcome of a send that raised (TransmitError names the phase). Pure."""
    phase = exc.phase if isinstance(exc, TransmitError) else None
    error: BaseException = exc.error if isinstance(exc, TransmitError) else exc
    fault, code = fault_of(error)
    verdict = VERDICTS[phase, fault]
    reply = _reply(error) if code is not None else None
    text = reply if reply is not None else str(error)
    where = f"{phase.value}: " if phase is not None else ""
    return Outcome(
        verdict, reply, f"{where}{type(error).__name__}: {text}", connection=fault is Fault.LOST
    )


def _reply(error: BaseException) -> str | None:
    """Return the server's reply an error carries, as `<code> <text>`. Pure."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"
    return None


def backoff(attempts: int) -> timedelta:
    """Return the wait before attempt `attempts + 1`: 60 s, doubling, at most two hours. Pure."""
    step: timedelta = BACKOFF_BASE * (2 ** min(max(attempts - 1, 0), 16))
    return min(step, BACKOFF_CAP)
