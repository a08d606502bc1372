"""Send one claimed batch and record its results: the inner loop of delivery.

`send_batch` runs one worker per mailer connection over the batch (optionally paced by an asyncio
`RateLimiter`); a worker whose connection failed twice in a row stops taking messages.
`renew_while_running` keeps the batch's lease alive. `record_batch` turns the outcomes into the
named state changes of records.py in one short transaction: sent; retry with backoff until the
last attempt, then failed; failed; unsent rows released; rows that were on the wire when the
batch was interrupted marked ambiguous. No recipient address or secret is logged here.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from notifications.claims import ClaimedMail, SessionFactory, renew_lease
from notifications.headers import Mailbox, mailbox
from notifications.mailers import Mailer
from notifications.message import build_message
from notifications.records import (
    Failure,
    Retry,
    Sent,
    mark_ambiguous,
    mark_failed,
    mark_retry,
    mark_sent,
    release,
)
from notifications.verdicts import Outcome, Verdict, backoff, outcome_of_error, outcome_of_receipt

CONNECTION_STRIKES = 2  # a connection that failed twice in a row stops taking messages
INTERRUPTED = "delivery stopped while sending"
Clock = Callable[[], datetime]


class RateLimiter:
    """Space out sends to at most `rate` per second across all connections (asyncio)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        """Sleep until the next send slot is due."""
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Batch:
    """One claimed batch in flight: what is pending, on the wire and done."""

    def __init__(self, claimed: Sequence[ClaimedMail]) -> None:
        self.claimed = {m.id: m for m in claimed}
        self.pending: deque[ClaimedMail] = deque(claimed)
        self.in_flight: set[int] = set()
        self.outcomes: dict[int, Outcome] = {}
        self.last_connection_error: str | None = None
        self.workers_stopped = 0

    def open_ids(self) -> list[int]:
        """Return the ids of rows without an outcome yet."""
        return [i for i in self.claimed if i not in self.outcomes]


@dataclass
class Recorded:
    """What `record_batch` wrote for one batch."""

    sent: list[Sent] = field(default_factory=list)
    retries: list[Retry] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    ambiguous: list[int] = field(default_factory=list)


async def attempt(
    mailer: Mailer, mail: ClaimedMail, sender: Mailbox, workspace: Path, now: datetime
) -> Outcome:
    """Build and send one message; return its outcome (raises only on cancellation)."""
    try:
        message = build_message(
            sender=sender,
            to=mailbox(mail.recipient, mail.recipient_name),
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            message_id=mail.message_id,
            date=now,
            workspace=workspace,
            attachments=mail.attachments,
        )
    except Exception as exc:  # a row that cannot become a message fails for good
        return Outcome(Verdict.FAILED, None, f"{type(exc).__name__}: {exc}")
    try:
        receipt = await mailer.send(message, sender=sender.address, recipients=[mail.recipient])
    except Exception as exc:  # classified and recorded on the row
        return outcome_of_error(exc)
    return outcome_of_receipt(receipt, mail.recipient)


async def send_batch(
    batch: Batch,
    mailer: Mailer,
    *,
    sender: Mailbox,
    workspace: Path,
    limiter: RateLimiter | None,
    clock: Clock,
) -> None:
    """Send a batch over `mailer.connections` concurrent workers until it is done. Sends mail."""

    async def worker() -> None:
        strikes = 0
        while batch.pending and strikes < CONNECTION_STRIKES:
            mail = batch.pending.popleft()
            if limiter is not None:
                await limiter.wait()
            batch.in_flight.add(mail.id)
            outcome = await attempt(mailer, mail, sender, workspace, clock())
            batch.in_flight.discard(mail.id)
            batch.outcomes[mail.id] = outcome
            if outcome.connection:
                strikes += 1
                batch.last_connection_error = outcome.error
            else:
                strikes = 0
        if strikes >= CONNECTION_STRIKES:
            batch.workers_stopped += 1

    await asyncio.gather(*(worker() for _ in range(max(1, mailer.connections))))


async def renew_while_running(
    session_factory: SessionFactory, worker_id: str, batch: Batch, lease: timedelta, clock: Clock
) -> None:
    """Every third of the lease, extend the lease of the batch's unfinished rows (writes)."""
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        with session_factory() as session:
            renew_lease(session, worker_id, batch.open_ids(), lease=lease, now=clock())


def record_batch(
    session_factory: SessionFactory,
    worker_id: str,
    batch: Batch,
    *,
    max_attempts: int,
    now: datetime,
    unsent_reason: str,
) -> Recorded:
    """Write every outcome of a batch in one transaction; release rows never attempted."""
    done = Recorded()
    for row_id, outcome in batch.outcomes.items():
        attempts = batch.claimed[row_id].attempts + 1
        error = outcome.error or ""
        if outcome.verdict is Verdict.SENT:
            done.sent.append(Sent(row_id, outcome.reply or "250"))
        elif outcome.verdict is Verdict.RETRY and attempts < max_attempts:
            done.retries.append(Retry(row_id, error, outcome.reply, now + backoff(attempts)))
        elif outcome.verdict is Verdict.RETRY:
            reason = f"gave up after {attempts} attempts: {error}"
            done.failures.append(Failure(row_id, reason, outcome.reply))
        else:
            done.failures.append(Failure(row_id, error, outcome.reply))
    done.ambiguous = sorted(batch.in_flight)
    done.released = [m.id for m in batch.pending]
    with session_factory() as session:
        mark_sent(session, worker_id, done.sent, now=now)
        mark_retry(session, worker_id, done.retries, now=now)
        mark_failed(session, worker_id, done.failures, now=now)
        release(session, worker_id, done.released, reason=unsent_reason, not_before=now)
        mark_ambiguous(session, worker_id, done.ambiguous, reason=INTERRUPTED, now=now)
    return done
