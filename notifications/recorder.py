"""Record delivery results as they come, and keep the claim's lease alive while sending.

`Recorder` marks rows handed over just before they are sent (`hand_over`), collects each row's
outcome the moment its attempt ends and writes everything collected since the last write in one
short transaction: every RECORD_INTERVAL seconds (its `run` loop; at once when a batch's last
rows are taken, `write_soon`) and at the end of each batch (`flush`, which also releases rows
never handed over and marks rows that were on the wire when the batch was interrupted
ambiguous). The named state changes are records.py's: sent; retry with backoff until the last
attempt, then failed; failed; ambiguous. `renew_while_running` extends the lease of the rows not
yet recorded; it logs its own errors and keeps going, so a failed renewal never loses a result.
All database work runs in a worker thread (`asyncio.to_thread`, or the deliverer's one database
thread) with a session opened and closed inside that call, so a busy database never freezes the
SMTP connections. No recipient address or secret is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notifications.claims import ClaimedMail, SessionFactory, renew_lease
from notifications.database_thread import DatabaseCall
from notifications.handover import HandOvers
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
from notifications.verdicts import Outcome, Verdict, backoff

RECORD_INTERVAL = 0.25  # seconds between writes of the results collected meanwhile
FINAL_WRITE_TRIES = 3  # a batch's last write is retried this often (1 s apart) before it raises
INTERRUPTED = "delivery stopped while sending"
Clock = Callable[[], datetime]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ambiguous:
    """The server may or may not have the message: an operator decides."""

    id: int
    reason: str


@dataclass
class Recorded:
    """What one write recorded, with the claimed rows it concerns (for the run's report)."""

    sent: list[Sent] = field(default_factory=list)
    retries: list[Retry] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    mails: dict[int, ClaimedMail] = field(default_factory=dict)


def results_of(
    outcomes: Sequence[tuple[ClaimedMail, Outcome]], *, max_attempts: int, now: datetime
) -> Recorded:
    """Return the state changes for attempts' outcomes (retries give up at the last). Pure."""
    done = Recorded(mails={mail.id: mail for mail, _ in outcomes})
    for mail, outcome in outcomes:
        attempts = mail.attempts + 1
        error = outcome.error or ""
        if outcome.verdict is Verdict.SENT:
            done.sent.append(Sent(mail.id, outcome.reply or "250"))
        elif outcome.verdict is Verdict.RETRY and attempts < max_attempts:
            done.retries.append(Retry(mail.id, error, outcome.reply, now + backoff(attempts)))
        elif outcome.verdict is Verdict.RETRY:
            reason = f"gave up after {attempts} attempts: {error}"
            done.failures.append(Failure(mail.id, reason, outcome.reply))
        elif outcome.verdict is Verdict.AMBIGUOUS:
            done.ambiguous.append(Ambiguous(mail.id, error))
        else:
            done.failures.append(Failure(mail.id, error, outcome.reply))
    return done


def write(
    session_factory: SessionFactory,
    worker_id: str,
    done: Recorded,
    *,
    now: datetime,
    unsent_reason: str,
) -> None:
    """Write `done` in one transaction (the rows this worker still holds). Writes the outbox."""
    with session_factory() as session:
        mark_sent(session, worker_id, done.sent, now=now)
        mark_retry(session, worker_id, done.retries, now=now)
        mark_failed(session, worker_id, done.failures, now=now)
        release(session, worker_id, done.released, reason=unsent_reason, not_before=now)
        for reason in sorted({a.reason for a in done.ambiguous}):
            ids = [a.id for a in done.ambiguous if a.reason == reason]
            mark_ambiguous(session, worker_id, ids, reason=reason, now=now)


class Recorder:
    """Collects outcomes as attempts end; writes them every quarter second and at batch end."""

    def __init__(
        self,
        session_factory: SessionFactory,
        worker_id: str,
        *,
        max_attempts: int,
        clock: Clock,
        on_written: Callable[[Recorded], None],
        interval: float = RECORD_INTERVAL,
        call: DatabaseCall = asyncio.to_thread,
    ) -> None:
        self._factory = session_factory
        self._worker = worker_id
        self._max_attempts = max_attempts
        self._clock = clock
        self._on_written = on_written
        self.interval = interval
        self._collected: list[tuple[ClaimedMail, Outcome]] = []
        self._open: set[int] = set()  # claimed and not yet written: their lease is renewed
        self._writing = asyncio.Lock()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()  # set by stop and write_soon
        self.call = call  # runs each database call off the event loop
        self._hand_overs = HandOvers(session_factory, worker_id, clock, call)

    def claimed(self, mails: Sequence[ClaimedMail]) -> None:
        """Note newly claimed rows (their lease is renewed until their result is written)."""
        self._open.update(m.id for m in mails)

    def open_ids(self) -> list[int]:
        """Return the claimed rows whose result is not written yet."""
        return sorted(self._open)

    async def hand_over(self, ids: Sequence[int]) -> list[int]:
        """Mark rows handed over, committed before they are sent; return the ids still ours.

        Runs in a worker thread, together with the hand-overs other connections ask for
        meanwhile (handover.py). A row not returned was recovered by another deliverer after
        this one's lease lapsed: it is dropped from this run (neither sent nor recorded).
        """
        marked = await self._hand_overs.mark(ids)
        lost = set(ids) - set(marked)
        if lost:
            self._open.difference_update(lost)
            log.warning("%d claimed outbox rows were recovered by another deliverer", len(lost))
        return marked

    def add(self, mail: ClaimedMail, outcome: Outcome) -> None:
        """Collect one attempt's outcome for the next write (no I/O)."""
        self._collected.append((mail, outcome))

    async def run(self) -> None:
        """Write what was collected every `interval` seconds (or at once when `write_soon` is
        called) until `stop`; log failed writes."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            if self._collected and not self._stop.is_set():
                try:
                    await self.flush()
                except Exception as exc:  # kept collected: the next write tries again
                    log.error("recording delivery results failed (will retry): %s", _name(exc))

    def write_soon(self) -> None:
        """Ask `run` to write what was collected now rather than at the end of its interval
        (a batch's last rows are on their way: its last write is then a short one)."""
        self._wake.set()

    def stop(self) -> None:
        """Ask `run` to end (it finishes a write in progress first)."""
        self._stop.set()
        self._wake.set()

    async def flush(
        self,
        *,
        released: Sequence[int] = (),
        interrupted: Sequence[int] = (),
        unsent_reason: str = "",
        mails: dict[int, ClaimedMail] | None = None,
    ) -> Recorded:
        """Write the collected outcomes (and release / mark ambiguous the rows given) at once.

        Writes the outbox in a worker thread. On failure the collected outcomes are kept for
        the next write and the error is raised.
        """
        async with self._writing:
            taken, self._collected = self._collected, []
            now = self._clock()
            done = results_of(taken, max_attempts=self._max_attempts, now=now)
            done.released = list(released)
            done.ambiguous += [Ambiguous(i, INTERRUPTED) for i in interrupted]
            done.mails.update(mails or {})
            try:
                await self.call(
                    write, self._factory, self._worker, done, now=now, unsent_reason=unsent_reason
                )
            except BaseException:
                self._collected[:0] = taken
                raise
            self._open.difference_update(done.mails)
            self._open.difference_update(released)
            self._on_written(done)
            return done

    async def final_flush(
        self,
        *,
        released: Sequence[int],
        interrupted: Sequence[int],
        unsent_reason: str,
        mails: dict[int, ClaimedMail],
    ) -> Recorded:
        """`flush` at the end of a batch, tried FINAL_WRITE_TRIES times (1 s apart), then raises."""
        for _ in range(FINAL_WRITE_TRIES - 1):
            try:
                return await self.flush(
                    released=released,
                    interrupted=interrupted,
                    unsent_reason=unsent_reason,
                    mails=mails,
                )
            except Exception as exc:
                log.error("recording a batch's results failed (retrying): %s", _name(exc))
                await asyncio.sleep(1.0)
        return await self.flush(
            released=released, interrupted=interrupted, unsent_reason=unsent_reason, mails=mails
        )


async def renew_while_running(
    session_factory: SessionFactory,
    worker_id: str,
    open_ids: Callable[[], list[int]],
    lease: timedelta,
    clock: Clock,
    call: DatabaseCall = asyncio.to_thread,
) -> None:
    """Every third of the lease, extend the lease of rows not yet recorded (writes, logs errors).

    A failed renewal is logged (its kind only: no rows, no settings) and tried again at the next
    turn; it never ends the loop, so the results are still recorded.
    """
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        ids = open_ids()
        if not ids:
            continue
        try:
            await call(_renew, session_factory, worker_id, ids, lease, clock())
        except Exception as exc:
            log.error("renewing the delivery lease failed (will retry): %s", _name(exc))


def _renew(
    session_factory: SessionFactory, worker_id: str, ids: list[int], lease: timedelta, now: datetime
) -> None:
    """Extend the lease of `ids` in one transaction. Writes the outbox."""
    with session_factory() as session:
        renew_lease(session, worker_id, ids, lease=lease, now=now)


def _name(exc: BaseException) -> str:
    """Return an error's kind and first line, cut short (SQL errors hide their parameters)."""
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first[:200]}"
