"""The catalogue's browser tests share one Chromium (installed when missing and root)."""

from __future__ import annotations

import pytest
from browserkit import chromium_binary


@pytest.fixture(scope="session")
def chromium() -> str:
    """The chromium binary (the test is skipped with the reason when there is none)."""
    return chromium_binary()
