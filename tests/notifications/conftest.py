"""Fixtures for the mail tests: a real loopback SMTP sink and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mailkit import ScriptedStore

from notifications.sink import SmtpSink


@pytest.fixture
def sink(workspace: Path) -> Iterator[SmtpSink]:
    """A running aiosmtpd server on 127.0.0.1 storing .eml files in workspace/sink."""
    folder = workspace / "sink"
    server = SmtpSink(folder, handler=ScriptedStore(folder))
    server.start()
    yield server
    server.stop()
