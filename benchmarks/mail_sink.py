"""The mail benchmark's SMTP server: aiosmtpd in its own process, counting and discarding.

It accepts every message on 127.0.0.1, counts it and its bytes in shared memory (read by the
benchmark to check that every message arrived exactly as often as it was sent) and throws it
away: no file writes, so the server's cost per message is aiosmtpd's protocol work alone. It runs
in a separate process (multiprocessing, spawn) so its CPU time is not the client's.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import time
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


class CountingSink:
    """aiosmtpd handler: accept each message, count it and its bytes, keep nothing."""

    def __init__(self, received: Synchronized[int], size: Synchronized[int]) -> None:
        self.received = received
        self.size = size

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Count the message and accept it (aiosmtpd hook)."""
        data = envelope.original_content or envelope.content or b""
        with self.received.get_lock():
            self.size.value += len(data)
            self.received.value += 1
        return "250 OK"


def _serve(
    port: int,
    received: Synchronized[int],
    size: Synchronized[int],
    stop: Any,  # a multiprocessing Event
) -> None:
    """Run the counting sink on 127.0.0.1:<port> until `stop` is set (the child process)."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(CountingSink(received, size), hostname=LOOPBACK, port=port)
    controller.start()
    try:
        stop.wait()
    finally:
        controller.stop()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


class SinkProcess:
    """The counting sink in a child process; a context manager that waits until it listens."""

    def __init__(self, port: int | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = port or free_port()
        self._received: Synchronized[int] = context.Value("q", 0)
        self._size: Synchronized[int] = context.Value("q", 0)
        self._stop = context.Event()
        self._process = context.Process(
            target=_serve,
            args=(self.port, self._received, self._size, self._stop),
            name="mail-bench-sink",
            daemon=True,
        )

    @property
    def received(self) -> int:
        """How many messages the sink accepted so far."""
        return int(self._received.value)

    @property
    def received_bytes(self) -> int:
        """How many message bytes the sink accepted so far."""
        return int(self._size.value)

    @property
    def pid(self) -> int | None:
        """The sink process's id (for its CPU time in /proc)."""
        return self._process.pid

    def cpu_seconds(self) -> float:
        """Return the sink process's CPU seconds so far, all its threads (Linux /proc)."""
        stat = Path(f"/proc/{self._process.pid}/stat").read_text()
        fields = stat[stat.rfind(")") + 2 :].split()  # after the name: state, ppid, ...
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def wait_for(self, expected: int, timeout: float = 30.0) -> None:
        """Wait until the sink holds `expected` messages; raise if it holds another number."""
        deadline = time.monotonic() + timeout
        while self.received < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)  # anything beyond `expected` (a duplicate) shows up too
        if self.received != expected:
            raise SystemExit(f"the sink accepted {self.received} messages, expected {expected}")

    def __enter__(self) -> SinkProcess:
        self._process.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self._process.kill()
        raise SystemExit("the SMTP sink did not start")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
