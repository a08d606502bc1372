"""Mark claimed rows handed over just before they are sent, several connections' rows at once.

A deliverer's connections each ask, before sending their next few rows, for those rows to be
marked handed over (`handed_at`, records.py `mark_handed`) in a committed transaction: a crash
then leaves ambiguous only rows marked so. `HandOvers.mark` writes in a worker thread
(`asyncio.to_thread`, or the deliverer's database thread, database_thread.py), and the rows
other connections ask for while one write is running go together into the next one (a group
commit): at 4 connections 120-150 transactions for 2,000 mails instead of 250, each 0.5 ms of
CPU. Every asker still waits until its own rows are committed, and gets back only its own rows
the worker still holds. This module does not send or record results (batches.py, recorder.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from notifications.claims import SessionFactory
from notifications.database_thread import DatabaseCall
from notifications.records import mark_handed


class HandOvers:
    """Group-committed hand-over marks for one deliverer (one event loop)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        worker_id: str,
        clock: Callable[[], datetime],
        call: DatabaseCall = asyncio.to_thread,
    ) -> None:
        self._factory = session_factory
        self._call = call
        self._worker = worker_id
        self._clock = clock
        self._waiting: list[tuple[list[int], asyncio.Future[list[int]]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, ids: Sequence[int]) -> list[int]:
        """Return `ids` this worker still holds, once they are marked handed over (writes).

        Raises the database's error if the write failed: nothing of it may be sent.
        """
        waiter: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        self._waiting.append((list(ids), waiter))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        return await waiter

    async def _write_waiting(self) -> None:
        """Write every waiting hand-over in one transaction, again until none waits (writes)."""
        while self._waiting:
            waiting, self._waiting = self._waiting, []
            ids = [i for chunk, _ in waiting for i in chunk]
            try:
                marked = set(
                    await self._call(_hand_over, self._factory, self._worker, ids, self._clock())
                )
            except Exception as exc:  # each waiting connection gets the error (sends nothing)
                for _, waiter in waiting:
                    if not waiter.done():
                        waiter.set_exception(exc)
                continue
            for chunk, waiter in waiting:
                if not waiter.done():  # a cancelled asker's rows: left to its batch's end
                    waiter.set_result([i for i in chunk if i in marked])


def _hand_over(
    session_factory: SessionFactory, worker_id: str, ids: Sequence[int], now: datetime
) -> list[int]:
    """Set handed_at on the `ids` still held, in one transaction; return them. Writes."""
    with session_factory() as session:
        return mark_handed(session, worker_id, ids, now=now)
