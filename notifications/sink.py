"""A loopback SMTP server (aiosmtpd) that keeps every message it receives as an .eml file.

For the demo (`campaign smtp-sink`: a user opens the mail that was sent), for tests and for the
benchmark. It listens on 127.0.0.1 only, writes each message's bytes exactly as received into a
folder (atomically: a reader never sees half a file) and counts them. It delivers nothing
onwards, checks no credentials and is not meant to face a network.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"
SUFFIX = ".eml"
_AIOSMTPD_LOGGER = "mail.log"  # logs peers and recipient addresses at INFO


class EmlStore:
    """aiosmtpd handler: store each message as <folder>/<time>-<id>.eml and count it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._received = 0
        self._lock = threading.Lock()

    @property
    def received(self) -> int:
        """How many messages this handler stored since it was created."""
        return self._received

    def store(self, data: bytes) -> Path:
        """Write one message's bytes to a new .eml file (tmp + rename); return its path."""
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(data)
        target = self.folder / f"{name}{SUFFIX}"
        os.replace(tmp, target)
        with self._lock:
            self._received += 1
        return target

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message and accept it (aiosmtpd hook; file I/O)."""
        data = envelope.original_content or envelope.content
        self.store(data if isinstance(data, bytes) else str(data).encode("utf-8"))
        return "250 OK stored"


def eml_files(folder: Path) -> list[Path]:
    """Return the stored .eml files in `folder`, oldest first (none if it is missing)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == SUFFIX)


def count_eml(folder: Path) -> int:
    """Return how many messages are stored in `folder` (works from another process)."""
    if not folder.is_dir():
        return 0
    with os.scandir(folder) as entries:
        return sum(1 for e in entries if e.name.endswith(SUFFIX))


def read_eml(path: Path) -> EmailMessage:
    """Parse one stored message with the default (modern) policy."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that was free a moment ago (aiosmtpd cannot listen on port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        _host, port = s.getsockname()  # an AF_INET address: (host, port)
        return int(port)


class SmtpSink:
    """A running loopback SMTP server around an EmlStore (or a subclass); a context manager."""

    def __init__(
        self,
        folder: Path,
        *,
        port: int | None = None,
        handler: EmlStore | None = None,
        **smtp_options: Any,
    ) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.handler = handler or EmlStore(folder)
        self._controller = Controller(
            self.handler, hostname=LOOPBACK, port=self.port, **smtp_options
        )

    @property
    def received(self) -> int:
        """How many messages the server stored since it started."""
        return self.handler.received

    def start(self) -> SmtpSink:
        """Start listening on 127.0.0.1:<port> (a background thread). Quiets aiosmtpd's INFO log."""
        logging.getLogger(_AIOSMTPD_LOGGER).setLevel(logging.WARNING)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening and end the background thread."""
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_sink(folder: Path, port: int, stop: threading.Event | None = None) -> None:
    """Run a sink on 127.0.0.1:<port> until `stop` is set or Ctrl-C. Blocks; writes .eml files."""
    event = stop or threading.Event()
    with SmtpSink(folder, port=port):
        try:
            while not event.wait(0.5):
                pass
        except KeyboardInterrupt:
            return
