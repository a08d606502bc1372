"""Run a deliverer's database calls on one worker thread of its own, one after another.

A delivery run claims batches, marks rows handed over, writes results and renews its lease,
each in a short transaction off the event loop. SQLite lets one transaction write at a time:
from several threads, a call that found the database locked slept in SQLite's busy handler
(1, 2, 5, 10, 15 ms and longer between tries), so a hand-over asked for while the next batch
was being claimed waited 20-35 ms while its connection had nothing to send. On one thread the
calls run back to back in the order they were asked for, and the longest wait is the call
ahead of it. `DatabaseThread.call` is `asyncio.to_thread` on that thread (the context is
copied, cancelling the awaiting task does not stop a call already running); `close` lets the
calls already asked for finish and then ends the thread. This module does not open sessions.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
DatabaseCall = Callable[..., Any]  # asyncio.to_thread, or DatabaseThread.call: awaitable results


class DatabaseThread:
    """One worker thread running a deliverer's database calls in the order they were asked."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="outbox-db"
        )

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(*args, **kwargs)` on the thread after the calls asked for before; return it."""
        context = contextvars.copy_context()
        job = functools.partial(context.run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, job)

    def close(self) -> None:
        """End the thread once the calls already asked for have run (does not wait for them)."""
        self._pool.shutdown(wait=False)
