"""Deliver the outbox: settle crashed claims, then claim, send and record, batch by batch.

`deliver` first settles rows whose lease expired (claims.py: ambiguous if they had been handed
to the server, queued again if not) and notes rows a live deliverer still holds, then loops:
claim a batch sized to finish well inside the lease (the next one is claimed while this one is
sent, once its first rows are handed over, so the connections never wait for a claim), send it
over the mailer's connections (batches.py: a few rows at a time are marked handed over, then
sent), while the recorder writes results every quarter second and the lease of unrecorded rows is
renewed (recorder.py). The run stops when nothing is due, when every connection failed (server
unreachable) or at once on a configuration error (TLS, login, sender refused: the rows go back
to the queue untouched). Who delivers, with which lease and batch size, is planned in
delivery_plan.py; the run's report is tallied in delivery_report.py (DeliveryReport is
re-exported here); verdicts come from verdicts.py. Every database call runs on the run's own
database thread (database_thread.py) with its own short session, in the order asked, so a busy
database never stalls the event loop and the calls never wait for each other in SQLite's busy
handler. No recipient address or secret is logged. This module does not render or enqueue mail.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from notifications.batches import Batch, Clock, HandOver, RateLimiter, Sending, send_batch
from notifications.claims import (
    LiveLeases,
    Recovered,
    SessionFactory,
    live_leases,
    recover_expired,
)
from notifications.database_thread import DatabaseThread
from notifications.delivery_plan import DeliveryPlan, default_worker_id, plan_delivery
from notifications.delivery_report import DeliveryFailure, DeliveryReport, DeliveryTally
from notifications.mailers import Mailer
from notifications.next_batch import NextBatch, claim_in_pieces
from notifications.outbox import count_by_status
from notifications.recorder import Recorder, renew_while_running
from schemas.settings import Settings
from schemas.sqltypes import now_utc

__all__ = ["DeliveryFailure", "DeliveryReport", "deliver", "deliver_now"]

log = logging.getLogger(__name__)


class Stop(NamedTuple):
    """Why a run ended before the queue was empty (None: it did not), and whether by settings."""

    reason: str | None = None
    configuration_error: str | None = None


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

    First settles expired leases (reported), then claims, sends and records batch after batch
    until nothing is due, the server is unreachable or a configuration error stops it. Closes
    the mailer's connections at the end. Cancellation records what finished, marks messages
    that were on the wire ambiguous and releases the rest.
    """
    plan = plan_delivery(
        settings,
        mailer.connections,
        worker=worker_id or default_worker_id(),
        lease=lease,
        batch_size=batch_size,
    )
    started = clock()
    database = DatabaseThread()
    try:
        recovered, leases = await database.call(
            _settle, session_factory, plan.worker, started, campaign_year
        )
        tally = DeliveryTally(recovered=recovered, leases=leases)
        recorder = Recorder(
            session_factory,
            plan.worker,
            max_attempts=plan.max_attempts,
            clock=clock,
            on_written=tally.add,
            call=database.call,
        )
        try:
            stop = await _run(session_factory, mailer, plan, recorder, tally, campaign_year, clock)
        finally:
            await mailer.close()
        outbox = await database.call(_counts, session_factory, campaign_year)
    finally:
        database.close()
    return tally.report(
        worker_id=plan.worker,
        batch_size=plan.batch_size,
        started=started,
        finished=clock(),
        stopped=stop.reason,
        outbox=outbox,
        configuration_error=stop.configuration_error,
    )


def _settle(
    session_factory: SessionFactory, worker: str, now: datetime, campaign_year: int | None
) -> tuple[Recovered, LiveLeases]:
    """Settle rows whose lease lapsed; count rows a live lease holds. Writes the outbox."""
    with session_factory() as session:
        recovered = recover_expired(session, worker, now=now, campaign_year=campaign_year)
        leases = live_leases(session, now=now, campaign_year=campaign_year)
    if recovered.ambiguous or recovered.requeued:
        log.warning(
            "outbox rows left sending by a stopped deliverer: %d ambiguous (handed over), "
            "%d queued again (never handed over)",
            len(recovered.ambiguous),
            len(recovered.requeued),
        )
    if leases.rows:
        log.warning(
            "%d outbox rows are held by a live lease; recoverable after %s",
            leases.rows,
            leases.until.isoformat(timespec="seconds") if leases.until else "?",
        )
    return recovered, leases


def _counts(session_factory: SessionFactory, campaign_year: int | None) -> dict[str, int]:
    """Return the outbox's counts by status (one read transaction)."""
    with session_factory() as session:
        return count_by_status(session, campaign_year=campaign_year)


async def _run(
    session_factory: SessionFactory,
    mailer: Mailer,
    plan: DeliveryPlan,
    recorder: Recorder,
    tally: DeliveryTally,
    campaign_year: int | None,
    clock: Clock,
) -> Stop:
    """Run the batches with the recorder's periodic writes and the lease renewal beside them."""
    writer = asyncio.create_task(recorder.run())
    renewer = asyncio.create_task(
        renew_while_running(
            session_factory, plan.worker, recorder.open_ids, plan.lease, clock, recorder.call
        )
    )
    try:
        return await _deliver_batches(
            session_factory, mailer, plan, recorder, tally, campaign_year=campaign_year, clock=clock
        )
    finally:
        recorder.stop()
        renewer.cancel()
        await asyncio.gather(writer, renewer, return_exceptions=True)


async def _deliver_batches(
    session_factory: SessionFactory,
    mailer: Mailer,
    plan: DeliveryPlan,
    recorder: Recorder,
    tally: DeliveryTally,
    *,
    campaign_year: int | None,
    clock: Clock,
) -> Stop:
    """Claim, send and record batch after batch. Sends mail; writes the outbox.

    The next batch is claimed while the current one is sent (next_batch.py) and released when
    delivery stops. Returns an empty Stop once nothing is due, or why delivery stopped early.
    """
    limiter = RateLimiter(plan.rate_per_second) if plan.rate_per_second > 0 else None
    ahead = NextBatch(
        functools.partial(claim_in_pieces, session_factory, plan, recorder, clock, campaign_year)
    )
    ahead.start(fresh=True)

    async def hand_over(ids: Sequence[int]) -> list[int]:
        """Hand rows over; the first hand-over of a batch starts the next batch's claim."""
        marked = await recorder.hand_over(ids)
        ahead.start(fresh=False)
        return marked

    stop = Stop("delivery was cancelled")
    try:
        while claimed := await ahead.take():
            recorder.claimed(claimed)
            tally.batches += 1
            stop = Stop("delivery was cancelled")
            sending = _sending(mailer, plan, recorder, limiter, clock, hand_over)
            stop = await _send_and_record(Batch(claimed), sending, recorder)
            _log_batch(tally)
            if stop.reason is not None:
                return stop
            ahead.start(fresh=True)  # unless this batch's hand-overs started it
        stop = Stop()
        return stop
    finally:
        await ahead.release(recorder, stop.reason or "not reached in this run")


def _sending(
    mailer: Mailer,
    plan: DeliveryPlan,
    recorder: Recorder,
    limiter: RateLimiter | None,
    clock: Clock,
    hand_over: HandOver,
) -> Sending:
    """Return what the workers of one batch share (mailer, sender, pace, recorder)."""
    return Sending(
        mailer=mailer,
        sender=plan.sender,
        workspace=plan.workspace,
        limiter=limiter,
        clock=clock,
        hand_over=hand_over,
        record=recorder.add,
        drained=recorder.write_soon,  # so the batch's last write, which all wait for, is short
    )


def _log_batch(tally: DeliveryTally) -> None:
    """Log the run's counts after a batch (no rows, no addresses)."""
    log.info(
        "outbox batch %d done; so far %d sent, %d to retry, %d failed, %d ambiguous",
        tally.batches,
        tally.sent,
        tally.retried,
        tally.failed,
        tally.ambiguous,
    )


async def _send_and_record(batch: Batch, sending: Sending, recorder: Recorder) -> Stop:
    """Send one claimed batch, then write its last results whatever happened (finally).

    Sends mail; writes the outbox (hand-overs, results as they come, then one transaction that
    records the rest, releases rows never handed over and marks rows that were on the wire when
    sending was interrupted ambiguous). Returns why delivery must stop, if it must.
    """
    stop = Stop("delivery was cancelled")
    try:
        await send_batch(batch, sending)
        stop = _why_stop(batch, sending.mailer.connections)
    finally:
        released, interrupted = batch.leftovers()
        await recorder.final_flush(
            released=released,
            interrupted=interrupted,
            unsent_reason=stop.reason or "not reached in this run",
            mails=batch.claimed,
        )
    return stop


def _why_stop(batch: Batch, connections: int) -> Stop:
    """Return why delivery must stop after this batch (settings refused, server unreachable)."""
    if batch.configuration_error is not None:
        log.error("delivery stopped by a configuration error: %s", batch.configuration_error)
        text = f"configuration error: {batch.configuration_error}"
        return Stop(text, batch.configuration_error)
    if batch.workers_stopped >= max(1, connections):
        return Stop(f"server unreachable: {batch.last_connection_error}")
    return Stop()


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

    Same side effects as `deliver`; its sessions open and close in the threads that run them.
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
