"""Claim the next batch while the current one is sent; give it back if it is never sent.

A deliverer that claimed its next batch only after the last one ended left every connection
idle meanwhile (a 500-row claim, 25 ms). `NextBatch` starts that claim once the current batch's
first rows are handed over (so they never wait behind it), in transactions of CLAIM_PIECE rows
on the run's database thread (so a connection's hand-over waits for one piece at most;
`claim_in_pieces`). A claim started before the last batch ended that finds nothing is made
once more, so rows that became due meanwhile are not missed. When delivery stops, `release`
gives the rows claimed ahead back to the queue untouched (none was handed over). This module
does not send or record results (batches.py, recorder.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from notifications.claims import ClaimedMail, SessionFactory, claim
from notifications.delivery_plan import DeliveryPlan
from notifications.recorder import Recorder

CLAIM_PIECE = 100  # rows claimed per transaction (a hand-over waits at most for one piece)

log = logging.getLogger(__name__)


async def claim_in_pieces(
    session_factory: SessionFactory,
    plan: DeliveryPlan,
    recorder: Recorder,
    clock: Callable[[], datetime],
    campaign_year: int | None,
) -> list[ClaimedMail]:
    """Claim up to a batch in transactions of CLAIM_PIECE rows; return its rows, oldest first.

    Writes the outbox, through the recorder's database calls (the run's database thread).
    """
    rows: list[ClaimedMail] = []
    while len(rows) < plan.batch_size:
        piece = min(CLAIM_PIECE, plan.batch_size - len(rows))
        got = await recorder.call(
            claim,
            session_factory,
            plan.worker,
            batch=piece,
            lease=plan.lease,
            now=clock(),
            campaign_year=campaign_year,
        )
        rows += got
        if len(got) < piece:
            break
    return rows


class NextBatch:
    """The claim of the next batch: started at most once per batch, taken, or released."""

    def __init__(self, claim_batch: Callable[[], Awaitable[list[ClaimedMail]]]) -> None:
        self._claim_batch = claim_batch
        self._future: asyncio.Future[list[ClaimedMail]] | None = None
        self._fresh = False  # started after the last batch ended

    def start(self, *, fresh: bool) -> None:
        """Start claiming unless a claim is already under way (writes the outbox)."""
        if self._future is None:
            self._future = asyncio.ensure_future(self._claim_batch())
            self._fresh = fresh

    async def take(self) -> list[ClaimedMail]:
        """Return the claimed rows ([] when nothing is due), claiming once more if the claim
        was made before the last batch ended and found nothing."""
        while self._future is not None:
            rows = await self._future
            self._future = None
            if rows or self._fresh:
                return rows
            self.start(fresh=True)
        return []

    async def release(self, recorder: Recorder, reason: str) -> None:
        """Give the rows claimed ahead back to the queue untouched (writes; logs its errors).

        None was handed over: if this write fails they stay `sending` until their lease lapses,
        and the next run's recovery queues them again.
        """
        future, self._future = self._future, None
        if future is None or (future.done() and (future.cancelled() or future.exception())):
            return  # nothing claimed (a failed claim's error is raised where it was taken)
        try:
            claimed = await future
            if claimed:
                recorder.claimed(claimed)
                await recorder.flush(
                    released=[m.id for m in claimed],
                    unsent_reason=reason,
                    mails={m.id: m for m in claimed},
                )
        except Exception as exc:
            log.error(
                "releasing rows claimed ahead failed (queued again after their lease): %s",
                type(exc).__name__,
            )
