"""Send one claimed batch: one worker per connection, each handing over a few rows at a time.

`send_batch` runs one worker per mailer connection over the batch (optionally paced by an
asyncio `RateLimiter`). A worker takes a chunk of HANDOVER_CHUNK rows, has them marked handed
over in one short transaction (`hand_over`, off the event loop), then sends them one by one and
gives each outcome to the recorder (recorder.py) at once. So a crash leaves ambiguous at most
the chunks in hand, never the whole batch. A worker whose connection failed twice in a row stops
taking rows; a configuration error (verdicts.py) stops every worker and puts the row back. What
is left when the batch ends (rows never taken, taken but not started, or on the wire when it was
interrupted) is for the recorder's batch-end flush. No recipient address or secret is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from notifications.claims import MISSING_BODY, ClaimedMail
from notifications.headers import Mailbox, mailbox
from notifications.mailers import Mailer
from notifications.message import build_message
from notifications.verdicts import Outcome, Verdict, outcome_of_error, outcome_of_receipt

CONNECTION_STRIKES = 2  # a connection that failed twice in a row stops taking messages
HANDOVER_CHUNK = 8  # rows marked handed over at once; a crash leaves at most 2 chunks a connection
Clock = Callable[[], datetime]
HandOver = Callable[[Sequence[int]], Awaitable[list[int]]]  # returns the ids still held
Record = Callable[[ClaimedMail, Outcome], None]


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
    """One claimed batch in flight: rows not taken yet, taken by a worker, and on the wire."""

    def __init__(self, claimed: Sequence[ClaimedMail]) -> None:
        self.claimed = {m.id: m for m in claimed}
        self.pending: deque[ClaimedMail] = deque(claimed)
        self.taken: dict[int, ClaimedMail] = {}  # handed (or being handed) over, no outcome yet
        self.in_flight: set[int] = set()  # an attempt has started: may be on the wire
        self.last_connection_error: str | None = None
        self.workers_stopped = 0
        self.configuration_error: str | None = None
        self.error: BaseException | None = None  # a worker's own failure (the database)

    def take(self, count: int) -> list[ClaimedMail]:
        """Take up to `count` rows off the pending queue for one worker."""
        chunk = [self.pending.popleft() for _ in range(min(count, len(self.pending)))]
        self.taken.update((m.id, m) for m in chunk)
        return chunk

    def put_back(self, mails: Sequence[ClaimedMail]) -> None:
        """Return taken rows that were not attempted to the front of the pending queue."""
        for mail in reversed(mails):
            self.taken.pop(mail.id, None)
            self.pending.appendleft(mail)

    def drop(self, mails: Sequence[ClaimedMail]) -> None:
        """Forget taken rows another deliverer recovered (this one's lease had lapsed)."""
        for mail in mails:
            self.taken.pop(mail.id, None)
            self.claimed.pop(mail.id, None)

    def finish(self, mail: ClaimedMail) -> None:
        """Note that a row's attempt is over (its outcome went to the recorder)."""
        self.taken.pop(mail.id, None)
        self.in_flight.discard(mail.id)

    @property
    def stopping(self) -> bool:
        """Whether workers must stop taking rows (configuration error or a worker's failure)."""
        return self.configuration_error is not None or self.error is not None

    def leftovers(self) -> tuple[list[int], list[int]]:
        """Return (rows never on the wire: release them, rows that may be: ambiguous), sorted."""
        unsent = [m.id for m in self.pending] + [i for i in self.taken if i not in self.in_flight]
        return sorted(unsent), sorted(self.in_flight)


async def attempt(
    mailer: Mailer, mail: ClaimedMail, sender: Mailbox, workspace: Path, now: datetime
) -> Outcome:
    """Build and send one message; return its outcome (raises only on cancellation)."""
    if (mail.text, mail.html) == MISSING_BODY:  # nothing to send: never an empty mail
        return Outcome(Verdict.FAILED, None, "the mail's bodies are missing (outbox_body)")
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
            reply_to=mail.reply_to,
            alternative=mail.alternative,
        )
    except Exception as exc:  # a row that cannot become a message fails for good
        return Outcome(Verdict.FAILED, None, f"{type(exc).__name__}: {exc}")
    try:
        receipt = await mailer.send(message, sender=sender.address, recipients=[mail.recipient])
    except Exception as exc:  # classified and recorded on the row
        return outcome_of_error(exc)
    return outcome_of_receipt(receipt, mail.recipient)


@dataclass(frozen=True)
class Sending:
    """What every worker of a batch shares: the mailer, sender, pace, hand-over and recorder."""

    mailer: Mailer
    sender: Mailbox
    workspace: Path
    limiter: RateLimiter | None
    clock: Clock
    hand_over: HandOver
    record: Record
    chunk: int = HANDOVER_CHUNK
    drained: Callable[[], None] | None = None  # told once the batch's last rows are taken


async def send_batch(batch: Batch, sending: Sending) -> None:
    """Send a batch over `mailer.connections` concurrent workers until it is done or stopped.

    Sends mail; marks rows handed over (through `sending.hand_over`); re-raises a worker's own
    failure (a database error while handing over) once every worker has stopped.
    """
    await asyncio.gather(
        *(_worker(batch, sending) for _ in range(max(1, sending.mailer.connections)))
    )
    if batch.error is not None:
        raise batch.error


async def _worker(batch: Batch, sending: Sending) -> None:
    """Take chunks, hand each over, send its rows; stop after repeated connection failures.

    The next chunk is handed over while this one is being sent (its transaction overlaps the
    SMTP round trips), so at most two chunks per connection are marked and not yet recorded.
    """
    strikes = 0
    upcoming = _hand_over_next(batch, sending)
    try:
        while upcoming is not None:
            chunk, handing = upcoming
            try:
                held = set(await handing)
            except Exception as exc:  # never send what is not durably marked handed over
                upcoming = None
                batch.put_back(chunk)
                batch.error = batch.error or exc
                return
            batch.drop([m for m in chunk if m.id not in held])
            upcoming = _hand_over_next(batch, sending)
            ready = [m for m in chunk if m.id in held]
            strikes = await _send_chunk(batch, sending, ready, strikes)
            if strikes >= CONNECTION_STRIKES or batch.stopping:
                await _give_back(batch, upcoming)
                upcoming = None
    finally:
        if upcoming is not None:  # cancelled while sending: the marking ahead is not needed
            upcoming[1].cancel()
    if strikes >= CONNECTION_STRIKES:
        batch.workers_stopped += 1


Handing = tuple[list[ClaimedMail], "asyncio.Future[list[int]]"]


def _hand_over_next(batch: Batch, sending: Sending) -> Handing | None:
    """Take the next chunk and start marking it handed over; None when nothing is left."""
    if batch.stopping:
        return None
    chunk = batch.take(chunk_size(len(batch.pending), sending.chunk, sending.mailer.connections))
    if not chunk:
        return None
    if not batch.pending and sending.drained is not None:
        sending.drained()
    return chunk, asyncio.ensure_future(sending.hand_over([m.id for m in chunk]))


def chunk_size(pending: int, chunk: int, connections: int) -> int:
    """Return how many rows a worker takes next: `chunk`, or an even share of the last rows.

    Pure. Near the end of a batch the rows left are split evenly between the connections, so
    one connection is not left sending two full chunks while the others wait for the next batch.
    """
    return max(1, min(chunk, -(-pending // max(1, connections))))


async def _give_back(batch: Batch, upcoming: Handing | None) -> None:
    """Return a chunk marked ahead but not sent to the queue, once its marking has settled."""
    if upcoming is None:
        return
    chunk, handing = upcoming
    with contextlib.suppress(Exception):  # marked or not, none of it was sent
        await handing
    batch.put_back(chunk)


async def _send_chunk(
    batch: Batch, sending: Sending, chunk: list[ClaimedMail], strikes: int
) -> int:
    """Send a handed-over chunk row by row; return the worker's connection strikes after it."""
    for index, mail in enumerate(chunk):
        if strikes >= CONNECTION_STRIKES or batch.stopping:
            batch.put_back(chunk[index:])
            break
        if sending.limiter is not None:
            await sending.limiter.wait()
        batch.in_flight.add(mail.id)
        outcome = await attempt(
            sending.mailer, mail, sending.sender, sending.workspace, sending.clock()
        )
        if outcome.verdict is Verdict.CONFIGURATION:
            batch.configuration_error = batch.configuration_error or outcome.error
            batch.in_flight.discard(mail.id)
            batch.put_back(chunk[index:])
            break
        batch.finish(mail)
        sending.record(mail, outcome)
        if outcome.connection:
            strikes += 1
            batch.last_connection_error = outcome.error
        else:
            strikes = 0
    return strikes
