"""Prepare the process before Prefect is imported: Prefect's home and results in the workspace.

The CLI calls `prepare_prefect(settings)` first thing, so runs, artifacts and results stay in the
workspace unless the operator set PREFECT_HOME / PREFECT_API_URL themselves, analytics stay off
(offline machines), and SIGTERM ends the process cleanly (so the temporary Prefect server it
started is shut down rather than orphaned).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType

from schemas.settings import Settings

EPHEMERAL_STARTUP_SECONDS = "120"


def prefect_home(settings: Settings) -> Path:
    """Return the Prefect home the CLI uses for this workspace."""
    return settings.workspace / ".prefect"


def prepare_prefect(settings: Settings) -> Path:
    """Point Prefect at the workspace (unless already configured); return its home folder.

    Side effects: creates the workspace and Prefect home folders; sets PREFECT_* variables in
    this process's environment; installs a SIGTERM handler that exits through sys.exit.
    """
    settings.workspace.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("PREFECT_HOME") or prefect_home(settings))
    home.mkdir(parents=True, exist_ok=True)  # Prefect does not create missing parents
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(home / "storage"))
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_SECONDS
    )
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return home


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)
