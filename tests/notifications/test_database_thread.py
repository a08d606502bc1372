"""A deliverer's database calls run on one thread of its own, in the order they were asked."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from notifications.database_thread import DatabaseThread


def test_calls_run_one_after_another_on_one_thread_in_the_order_asked() -> None:
    database = DatabaseThread()
    seen: list[tuple[int, str]] = []

    def job(n: int, pause: float) -> int:
        time.sleep(pause)  # the first call is the slowest: a pool of threads would finish it last
        seen.append((n, threading.current_thread().name))
        return n * 10

    async def ask() -> list[int]:
        return list(
            await asyncio.gather(*(database.call(job, n, 0.03 - n / 100) for n in range(3)))
        )

    try:
        results = asyncio.run(ask())
    finally:
        database.close()
    assert results == [0, 10, 20]
    assert [n for n, _ in seen] == [0, 1, 2]
    assert len({name for _, name in seen}) == 1
    assert seen[0][1] != threading.current_thread().name


def test_a_failing_call_raises_in_the_caller_and_the_next_call_still_runs() -> None:
    database = DatabaseThread()

    def fail() -> None:
        raise RuntimeError("database is locked")

    async def ask() -> str:
        with pytest.raises(RuntimeError, match="locked"):
            await database.call(fail)
        return await database.call(str.upper, "next")

    try:
        assert asyncio.run(ask()) == "NEXT"
    finally:
        database.close()
