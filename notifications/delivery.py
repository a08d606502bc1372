"""Deliver the outbox: recover crashed claims, then claim, send and record, batch by batch.

`deliver` first turns rows whose lease expired into `ambiguous` (reported, never resent on its
own), then loops: claim a batch sized to finish well inside the lease, send it concurrently over
the mailer's connections (optionally rate-limited) while renewing the lease, and record every
result in one short synchronous transaction (batches.py). Who delivers, with which lease and
batch size, is planned in delivery_plan.py; what each batch recorded is tallied into the run's
report in delivery_report.py (DeliveryReport is re-exported here); retry and failure decisions
come from verdicts.py. Database work never crosses threads: every transaction opens and closes
inside one call. No recipient address or secret is logged. This module does not render or
enqueue mail.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from datetime import datetime, timedelta

from notifications.batches import (
    Batch,
    Clock,
    RateLimiter,
    record_batch,
    renew_while_running,
    send_batch,
)
from notifications.claims import SessionFactory, claim, recover_expired
from notifications.delivery_plan import DeliveryPlan, default_worker_id, plan_delivery
from notifications.delivery_report import DeliveryFailure, DeliveryReport, DeliveryTally
from notifications.mailers import Mailer
from notifications.outbox import count_by_status
from schemas.settings import Settings
from schemas.sqltypes import now_utc

__all__ = ["DeliveryFailure", "DeliveryReport", "deliver", "deliver_now"]

log = logging.getLogger(__name__)


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
    plan = plan_delivery(
        settings,
        mailer.connections,
        worker=worker_id or default_worker_id(),
        lease=lease,
        batch_size=batch_size,
    )
    started = clock()
    recovered = _recover(session_factory, plan.worker, started, campaign_year)
    tally = DeliveryTally(recovered=recovered, ambiguous=len(recovered))  # those count as ambiguous
    try:
        stopped = await _deliver_batches(
            session_factory, mailer, plan, tally, campaign_year=campaign_year, clock=clock
        )
    finally:
        await mailer.close()
    with session_factory() as session:
        outbox = count_by_status(session, campaign_year=campaign_year)
    return tally.report(
        worker_id=plan.worker,
        batch_size=plan.batch_size,
        started=started,
        finished=clock(),
        stopped=stopped,
        outbox=outbox,
    )


def _recover(
    session_factory: SessionFactory, worker: str, now: datetime, campaign_year: int | None
) -> tuple[int, ...]:
    """Turn rows whose lease lapsed into ambiguous and return their ids. Writes the outbox."""
    with session_factory() as session:
        recovered = recover_expired(session, worker, now=now, campaign_year=campaign_year)
    if recovered:
        log.warning("%d outbox rows left sending by a stopped deliverer: ambiguous", len(recovered))
    return tuple(recovered)


async def _deliver_batches(
    session_factory: SessionFactory,
    mailer: Mailer,
    plan: DeliveryPlan,
    tally: DeliveryTally,
    *,
    campaign_year: int | None,
    clock: Clock,
) -> str | None:
    """Claim, send and record batch after batch; tally each. Sends mail; writes the outbox.

    Returns None once nothing is due, or why delivery stopped early (the server unreachable).
    """
    limiter = RateLimiter(plan.rate_per_second) if plan.rate_per_second > 0 else None
    while True:
        claimed = claim(
            session_factory,
            plan.worker,
            batch=plan.batch_size,
            lease=plan.lease,
            now=clock(),
            campaign_year=campaign_year,
        )
        if not claimed:
            return None
        tally.batches += 1
        stopped = await _send_and_record(
            session_factory, mailer, plan, Batch(claimed), tally, limiter=limiter, clock=clock
        )
        if stopped is not None:
            return stopped


async def _send_and_record(
    session_factory: SessionFactory,
    mailer: Mailer,
    plan: DeliveryPlan,
    batch: Batch,
    tally: DeliveryTally,
    *,
    limiter: RateLimiter | None,
    clock: Clock,
) -> str | None:
    """Send one claimed batch while renewing its lease, then record and tally every result.

    Sends mail; writes the outbox (lease renewals, then one transaction for the results, even
    when sending was cancelled or raised). Returns why delivery must stop (every connection
    failed: the server is unreachable), or None to claim the next batch.
    """
    renewer = asyncio.create_task(
        renew_while_running(session_factory, plan.worker, batch, plan.lease, clock)
    )
    stopped: str | None = None
    reason = "delivery was cancelled"
    try:
        await send_batch(
            batch,
            mailer,
            sender=plan.sender,
            workspace=plan.workspace,
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
            plan.worker,
            batch,
            max_attempts=plan.max_attempts,
            now=clock(),
            unsent_reason=reason,
        )
        tally.add(batch, done)
    log.info(
        "outbox batch %d: %d sent, %d to retry, %d failed",
        tally.batches,
        len(done.sent),
        len(done.retries),
        len(done.failures),
    )
    return stopped


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
