"""Prepare the process before Prefect is imported: Prefect's home and results in the workspace.

The CLI calls `prepare_prefect(settings)` first thing, so runs, artifacts and results stay in the
workspace unless the operator set PREFECT_HOME / PREFECT_API_URL themselves, analytics and
telemetry stay off (offline machines), run logs go to the UI at INFO while the terminal shows
warnings (RUN_LOGS; a completed task run's routine line is dropped: the run graph shows it), a
server started from here records task runs in batches (SERVER_BATCHING),
and SIGTERM ends the process cleanly (so the temporary Prefect server it
started is shut down rather than orphaned).

`in_process_runs()` turns off the flow-run heartbeat for runs this process starts itself (the
CLI's `campaign run`, the demo's clock): Prefect 3.9 ends every flow run by joining its
heartbeat thread, which sleeps in whole seconds, so each flow run and subflow ends on a whole
second (a trivial subflow: 1.1 s with the heartbeat, 0.1 s without; docs/scale-out.md). The
heartbeat only serves the zombie-flow automation of deployment runs, which `campaign serve`
keeps; an operator who set PREFECT_FLOWS_HEARTBEAT_FREQUENCY keeps their heartbeat everywhere.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from schemas.settings import Settings

EPHEMERAL_STARTUP_SECONDS = "120"
# The Prefect server records task runs from the events clients send; Prefect 3.9 writes each
# event in its own transaction (batch size 1), ~30 ms of server CPU per task run on 2 cores,
# and the client's next API call waits behind that work. Batched (written at least every
# second), a flow run with 10 tasks took 0.25 s instead of 0.39 s here (docs/scale-out.md).
# Applies to the servers this process starts (`campaign serve`, the temporary server, the
# benchmark's); an operator's own setting wins.
SERVER_BATCHING = {
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_BATCH_SIZE": "200",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL": "1",
}
COMPLETED_LINE = "Finished in state Completed("
# Run logs: INFO to the Prefect API (the UI's Logs tab: one line per step of the clock, the
# delivery and reminder counts), WARNING and above on the terminal (the console handler renders
# every line with rich; `campaign run` and the demo show their own progress). An operator's own
# settings win.
RUN_LOGS = {
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}
HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


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
    for name, value in {**RUN_LOGS, **SERVER_BATCHING}.items():
        os.environ.setdefault(name, value)
    quiet_prefect_telemetry()
    quiet_task_completions()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return home


@contextmanager
def in_process_runs() -> Iterator[None]:
    """Within the block, flow runs started by this process emit no heartbeat.

    Unless the operator set a heartbeat frequency in the environment, in which case nothing
    changes. Import Prefect only after `prepare_prefect`. Side effect: a Prefect settings
    context for the block.
    """
    from prefect.settings import get_current_settings, temporary_settings

    if get_current_settings().flows.heartbeat_frequency is None or any(
        os.environ.get(name) for name in HEARTBEAT_VARIABLES
    ):  # already off (entering costs ~0.1 s: Prefect copies its settings), or the operator's
        yield
        return

    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


class RoutineCompletions(logging.Filter):
    """Drops a task run's INFO "Finished in state Completed()": the run graph shows that state.

    Failed, crashed or retried task runs log at ERROR or WARNING and pass; so does every line a
    task logs itself.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for a completed task run's routine INFO line, True for anything else."""
        return not (
            record.levelno == logging.INFO
            and isinstance(record.msg, str)
            and record.msg.startswith(COMPLETED_LINE)
        )


def quiet_prefect_telemetry() -> None:
    """Turn off Prefect's client telemetry unless the operator chose (DO_NOT_TRACK=1).

    Prefect 3.9 prints a telemetry notice on the first import in a new PREFECT_HOME at a
    terminal (every demo: its workspace is new), in this process and in the temporary server's,
    and then sends usage events; these machines may be offline and the campaign's data stays in
    house. Call before prefect is imported. Side effect: sets DO_NOT_TRACK in the environment.
    """
    os.environ.setdefault("DO_NOT_TRACK", "1")


def quiet_task_completions() -> None:
    """Keep completed task runs' routine lines out of the run logs (see RoutineCompletions).

    Side effect: adds the filter to the `prefect.task_runs` logger, once.
    """
    task_runs = logging.getLogger("prefect.task_runs")
    if not any(isinstance(f, RoutineCompletions) for f in task_runs.filters):
        task_runs.addFilter(RoutineCompletions())


def send_run_logs() -> None:
    """Send the run logs this process still holds to the Prefect API now (waits up to 5 s).

    Called before this process stops a server it started: otherwise Prefect's log worker sends
    them at exit, to a closed port ("--- Error logging to API ---"). Nothing if Prefect was
    never imported. Side effect: one POST /logs/ when logs are waiting.
    """
    if "prefect.logging.handlers" not in sys.modules:
        return
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)
