"""Deliver the outbox: recover crashed claims, then claim, send and record, batch by batch.

`deliver` first turns rows whose lease expired into `ambiguous` (reported, never resent on its
own), then loops: claim a batch sized to finish well inside the lease, send it concurrently over
the mailer's connections (optionally rate-limited) while renewing the lease, and record every
result in one short synchronous transaction (batches.py). Retry and failure decisions come from
verdicts.py. Database work never crosses threads: every transaction opens and closes inside one
call. No recipient address or secret is logged. This module does not render or enqueue mail.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from notifications.batches import (
    INTERRUPTED,
    Batch,
    Clock,
    RateLimiter,
    record_batch,
    renew_while_running,
    send_batch,
)
from notifications.claims import ClaimedMail, SessionFactory, claim, recover_expired
from notifications.headers import mailbox
from notifications.mailers import Mailer
from notifications.outbox import count_by_status
from schemas.settings import Settings
from schemas.sqltypes import now_utc

log = logging.getLogger(__name__)

SECONDS_PER_MESSAGE_ESTIMATE = 0.05  # a slow relay; loopback is much faster
BATCH_MAX = 200  # also the most rows a crash can leave ambiguous


class DeliveryFailure(BaseModel):
    """A row this run could not deliver, and why."""

    model_config = ConfigDict(frozen=True)

    id: int
    template: str
    recipient: str
    status: str  # failed | ambiguous
    reason: str


class DeliveryReport(BaseModel):
    """What one delivery run did, and the outbox's counts by status afterwards."""

    model_config = ConfigDict(frozen=True)

    worker_id: str
    started_at: datetime
    finished_at: datetime
    batch_size: int
    batches: int
    sent: int
    retried: int
    failed: int
    released: int
    ambiguous: int
    recovered: tuple[int, ...]  # rows found ambiguous at start (left by a stopped deliverer)
    failures: tuple[DeliveryFailure, ...]
    stopped: str | None  # why the run ended before the queue was empty
    outbox: dict[str, int]


def default_worker_id() -> str:
    """Return a worker id naming this host and process, unique per call."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def batch_size_for(settings: Settings, lease: timedelta, connections: int) -> int:
    """Return how many rows to claim at once so a batch finishes well inside the lease. Pure.

    A quarter of the lease at a slow relay's pace per connection, capped by the rate limit
    and BATCH_MAX.
    """
    budget = lease.total_seconds() / 4
    size = connections * budget / SECONDS_PER_MESSAGE_ESTIMATE
    if settings.smtp_rate_per_second > 0:
        size = min(size, settings.smtp_rate_per_second * budget)
    return max(1, min(int(size), BATCH_MAX))


def _failure(mail: ClaimedMail, status: str, reason: str) -> DeliveryFailure:
    return DeliveryFailure(
        id=mail.id, template=mail.template, recipient=mail.recipient, status=status, reason=reason
    )


async def deliver(
    session_factory: SessionFactory,
    mailer: Mailer,
    settings: Settings,
    *,
    campaign_year: int | None = None,
    worker_id: str | None = None,
    lease: timedelta | None = None,
    batch_size: int | None = None,
    clock: Clock = now_utc,
) -> DeliveryReport:
    """Deliver every due outbox row; return counts and failures. Sends mail; writes the outbox.

    First recovers expired leases (rows become ambiguous and are reported), then claims, sends
    and records batch after batch until nothing is due or the server is unreachable. Closes the
    mailer's connections at the end. Cancellation records what finished, marks messages that
    were on the wire ambiguous and releases the rest.
    """
    worker = worker_id or default_worker_id()
    lease_for = lease or timedelta(seconds=settings.delivery_lease_seconds)
    size = batch_size or batch_size_for(settings, lease_for, mailer.connections)
    sender = mailbox(settings.mail_from, settings.mail_from_name)
    rate = settings.smtp_rate_per_second
    limiter = RateLimiter(rate) if rate > 0 else None
    started = clock()
    with session_factory() as session:
        recovered = recover_expired(session, worker, now=started, campaign_year=campaign_year)
    if recovered:
        log.warning("%d outbox rows left sending by a stopped deliverer: ambiguous", len(recovered))
    counts = {"sent": 0, "retried": 0, "failed": 0, "released": 0, "ambiguous": len(recovered)}
    failures: list[DeliveryFailure] = []
    batches = 0
    stopped: str | None = None
    try:
        while stopped is None:
            claimed = claim(
                session_factory,
                worker,
                batch=size,
                lease=lease_for,
                now=clock(),
                campaign_year=campaign_year,
            )
            if not claimed:
                break
            batches += 1
            batch = Batch(claimed)
            renewer = asyncio.create_task(
                renew_while_running(session_factory, worker, batch, lease_for, clock)
            )
            reason = "delivery was cancelled"
            try:
                await send_batch(
                    batch,
                    mailer,
                    sender=sender,
                    workspace=settings.workspace,
                    limiter=limiter,
                    clock=clock,
                )
                if batch.workers_stopped >= max(1, mailer.connections):
                    stopped = reason = f"server unreachable: {batch.last_connection_error}"
            finally:
                renewer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewer
                done = record_batch(
                    session_factory,
                    worker,
                    batch,
                    max_attempts=settings.delivery_max_attempts,
                    now=clock(),
                    unsent_reason=reason,
                )
                counts["sent"] += len(done.sent)
                counts["retried"] += len(done.retries)
                counts["failed"] += len(done.failures)
                counts["released"] += len(done.released)
                counts["ambiguous"] += len(done.ambiguous)
                failures += [
                    _failure(batch.claimed[f.id], "failed", f.error) for f in done.failures
                ]
                failures += [
                    _failure(batch.claimed[i], "ambiguous", INTERRUPTED) for i in done.ambiguous
                ]
            log.info(
                "outbox batch %d: %d sent, %d to retry, %d failed",
                batches,
                len(done.sent),
                len(done.retries),
                len(done.failures),
            )
    finally:
        await mailer.close()
    with session_factory() as session:
        outbox = count_by_status(session, campaign_year=campaign_year)
    return DeliveryReport(
        worker_id=worker,
        started_at=started,
        finished_at=clock(),
        batch_size=size,
        batches=batches,
        sent=counts["sent"],
        retried=counts["retried"],
        failed=counts["failed"],
        released=counts["released"],
        ambiguous=counts["ambiguous"],
        recovered=tuple(recovered),
        failures=tuple(failures),
        stopped=stopped,
        outbox=outbox,
    )


def deliver_now(
    session_factory: SessionFactory,
    mailer: Mailer,
    settings: Settings,
    *,
    campaign_year: int | None = None,
    worker_id: str | None = None,
    lease: timedelta | None = None,
    batch_size: int | None = None,
) -> DeliveryReport:
    """Run `deliver` to completion from synchronous code (in a fresh thread if a loop runs).

    Same side effects as `deliver`; its sessions open and close in the thread that runs it.
    """

    def run() -> DeliveryReport:
        return asyncio.run(
            deliver(
                session_factory,
                mailer,
                settings,
                campaign_year=campaign_year,
                worker_id=worker_id,
                lease=lease,
                batch_size=batch_size,
            )
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
