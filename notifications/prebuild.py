"""Write a claimed batch's messages ahead of sending, in a helper process, while it is sent.

Writing a message (notifications/message.py: headers, the text and HTML parts, attachments) is
about a quarter of the deliverer's CPU per message. On the event loop it delays every
connection's next command; in a thread it holds the GIL just the same. So for a batch of at
least AHEAD_MIN rows, `Builder.start` hands the rows in slices of SLICE to one helper process
(`helper_pool`: spawned once per process, reused by every later delivery) that writes their
bytes while the connections send. When a row's turn comes, `Builder.message` takes its bytes if
the slice is done and otherwise writes the message itself at once: the helper only ever saves
time, never makes a connection wait (its first slices, while the helper process starts, are
written on the event loop as before). A helper that died or failed is not used again for the
batch. Bytes written ahead are the same as written on the spot: the same function, with the
date taken when the slice was handed out. This module does not send and does not touch the
database.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from notifications.claims import ClaimedMail
from notifications.headers import Mailbox, mailbox
from notifications.message import Written, write_message

AHEAD_MIN = 64  # smaller batches are written as they are sent (no helper process started)
SLICE = 32  # rows a helper task writes at once (fewer round trips to the helper)
DELIVERER_CHECK_SECONDS = 0.5  # how often the helper checks that its deliverer still runs
Clock = Callable[[], datetime]

_pool: ProcessPoolExecutor | None = None


class BuildFailed(Exception):
    """A row that cannot become a message (attachment refused or missing, bad header)."""


@dataclass(frozen=True)
class Stamp:
    """What every message of a batch shares: the sender, the workspace (attachments)."""

    sender: Mailbox
    workspace: Path


def helper_pool() -> ProcessPoolExecutor:
    """Return this process's message-writing helper (one process, started on first use).

    Never forked from the deliverer, whose threads (Prefect, SQLAlchemy pools) a fork would
    copy mid-lock: started from multiprocessing's forkserver preloading this module (so it does
    not re-import the caller's main script), or spawned where there is no forkserver. Shut down
    when the interpreter exits.
    """
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=_helper_context(),
            initializer=watch_deliverer,
            initargs=(os.getpid(),),
        )
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


def watch_deliverer(deliverer: int) -> None:
    """Start a thread in the helper that ends it once the deliverer is gone (killed, crashed).

    A helper holds a write end of its own task pipe and of the forkserver's "alive" pipe, so
    neither it nor the forkserver would notice the deliverer's death by themselves: both would
    live on as orphans, holding the deliverer's stdout and stderr open.
    """
    threading.Thread(
        target=_exit_when_gone, args=(deliverer,), daemon=True, name="csr-deliverer-watch"
    ).start()


def _exit_when_gone(deliverer: int) -> None:
    """Check every DELIVERER_CHECK_SECONDS; exit this process at once when it has ended."""
    while process_alive(deliverer):
        time.sleep(DELIVERER_CHECK_SECONDS)
    os._exit(0)


def process_alive(pid: int) -> bool:
    """Return whether process `pid` is running: not ended and not a zombie awaiting its parent.

    Reads /proc/<pid>/stat where there is one; elsewhere asks the kernel with signal 0.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    except OSError:
        return True
    return stat[stat.rfind(")") + 2 :].split(" ", 1)[0] not in ("Z", "X")


def _helper_context() -> multiprocessing.context.BaseContext:
    """Return the forkserver context (preloading this module) or spawn where there is none."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])  # no effect once the forkserver runs
        return context
    return multiprocessing.get_context("spawn")


def write_one(stamp: Stamp, mail: ClaimedMail, now: datetime) -> Written:
    """Write one claimed row's message (raises BuildFailed naming why). Reads attachments."""
    try:
        return write_message(
            sender=stamp.sender,
            to=mailbox(mail.recipient, mail.recipient_name),
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            message_id=mail.message_id,
            date=now,
            workspace=stamp.workspace,
            attachments=mail.attachments,
            reply_to=mail.reply_to,
        )
    except Exception as exc:  # a row that cannot become a message fails for good
        raise BuildFailed(f"{type(exc).__name__}: {exc}") from None


def write_slice(
    stamp: Stamp, mails: Sequence[ClaimedMail], now: datetime
) -> list[Written | BuildFailed]:
    """Write several rows' messages (the helper's task); a row that fails gives its error."""
    out: list[Written | BuildFailed] = []
    for mail in mails:
        try:
            out.append(write_one(stamp, mail, now))
        except BuildFailed as exc:
            out.append(exc)
    return out


class Builder:
    """A batch's messages: written ahead by the helper when the batch is big, else on demand."""

    def __init__(self, stamp: Stamp, clock: Clock, pool: Executor | None = None) -> None:
        self.stamp = stamp
        self.clock = clock
        self.pool = pool
        self._ahead: dict[int, tuple[Future[list[Written | BuildFailed]], int]] = {}
        self.written_ahead = 0  # rows whose bytes came from the helper (for tests and figures)

    def start(self, mails: Sequence[ClaimedMail]) -> None:
        """Hand the batch's rows to the helper in slices (only for AHEAD_MIN rows or more)."""
        if self.pool is None or len(mails) < AHEAD_MIN:
            return
        now = self.clock()
        for first in range(0, len(mails), SLICE):
            rows = list(mails[first : first + SLICE])
            try:
                future = self.pool.submit(write_slice, self.stamp, rows, now)
            except Exception:  # the helper is broken or shut down: write on the spot
                return
            self._ahead.update((m.id, (future, n)) for n, m in enumerate(rows))

    def message(self, mail: ClaimedMail) -> EmailMessage:
        """Return the row's message, from the helper if ready, else written now (BuildFailed)."""
        ahead = self._ahead.pop(mail.id, None)
        if ahead is not None:
            future, index = ahead
            if future.done() and future.exception() is None:
                written = future.result()[index]
                if isinstance(written, BuildFailed):
                    raise written
                self.written_ahead += 1
                return written.message()
        return write_one(self.stamp, mail, self.clock()).message()

    def cancel(self) -> None:
        """Drop what is still ahead (the batch ended or stopped); running slices finish idle."""
        for future, _ in self._ahead.values():
            future.cancel()
        self._ahead.clear()
