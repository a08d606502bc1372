"""Prefect is pointed at the workspace before it is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_the_cli_and_the_demo_driver_import_without_loading_prefect() -> None:
    code = (
        "import sys, deployments.cli, deployments.demo.driver\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'prefect'))\n"
    )

    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )

    assert out.stdout.strip() == "[]"


PREPARED = (
    "import os\n"
    "from schemas.settings import Settings\n"
    "from deployments.environment import prepare_prefect\n"
    "home = prepare_prefect(Settings())\n"
)


def run_prepared(code: str, workspace: Path, **extra_env: str) -> str:
    """Run `code` after prepare_prefect in a fresh interpreter; return what it printed."""
    env = {"CAMPAIGN_WORKSPACE": str(workspace), "PATH": "/usr/bin:/bin", **extra_env}
    out = subprocess.run(
        [sys.executable, "-c", PREPARED + code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return out.stdout


def test_prepare_prefect_puts_prefect_home_and_results_in_the_workspace(tmp_path: Path) -> None:
    code = (
        "env = os.environ\n"
        "print(home, env['PREFECT_LOCAL_STORAGE_PATH'], env['PREFECT_SERVER_ANALYTICS_ENABLED'])\n"
    )

    out = run_prepared(code, tmp_path / "ws")

    home = tmp_path / "ws" / ".prefect"
    assert out.split() == [str(home), str(home / "storage"), "false"]
    assert home.is_dir()


def test_runs_started_in_process_emit_no_heartbeat_unless_the_operator_set_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import get_current_settings

    from deployments.environment import HEARTBEAT_VARIABLES, in_process_runs

    for name in HEARTBEAT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    before = get_current_settings().flows.heartbeat_frequency
    with in_process_runs():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == before

    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")
    with in_process_runs():
        assert get_current_settings().flows.heartbeat_frequency == before


def test_prepare_prefect_batches_the_servers_task_run_records_unless_the_operator_chose(
    tmp_path: Path,
) -> None:
    code = (
        "from prefect.settings import get_current_settings\n"
        "services = get_current_settings().server.services\n"
        "print(services.task_run_recorder.batch_size, services.task_run_recorder.flush_interval,"
        " services.event_persister.batch_size)\n"
    )

    ours = run_prepared(code, tmp_path / "ws")
    theirs = run_prepared(
        code, tmp_path / "ws", PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE="7"
    )

    assert ours.split() == ["100", "1.0", "200"]
    assert theirs.split() == ["7", "1.0", "200"]


def test_run_logs_go_to_the_api_at_info_and_the_terminal_shows_warnings(tmp_path: Path) -> None:
    code = (
        "import logging\n"
        "from prefect import flow  # loads Prefect's logging setup, as the flows do\n"
        "from prefect._internal.analytics import is_telemetry_enabled\n"
        "from prefect.logging.handlers import PrefectConsoleHandler\n"
        "[console] = [h for h in logging.getLogger().handlers"
        " if isinstance(h, PrefectConsoleHandler)]\n"
        "task_runs = logging.getLogger('prefect.task_runs')\n"
        "print(logging.getLevelName(logging.getLogger('prefect').level),"
        " logging.getLevelName(console.level),"
        " [type(f).__name__ for f in task_runs.filters], is_telemetry_enabled())\n"
    )

    ours = run_prepared(code, tmp_path / "ws")
    theirs = run_prepared(code, tmp_path / "ws", PREFECT_LOGGING_LEVEL="WARNING", DO_NOT_TRACK="0")

    assert ours.split() == ["INFO", "WARNING", "['RoutineCompletions']", "False"]
    assert theirs.split()[0] == "WARNING"  # an operator's own level wins
    assert theirs.split()[-1] == "True"


def test_a_completed_task_runs_routine_line_is_dropped_and_everything_else_kept() -> None:
    import logging

    from deployments.environment import RoutineCompletions

    def record(level: int, msg: str) -> logging.LogRecord:
        return logging.LogRecord("prefect.task_runs", level, __file__, 1, msg, None, None)

    keep = RoutineCompletions().filter

    assert not keep(record(logging.INFO, "Finished in state Completed()"))
    assert keep(record(logging.ERROR, "Finished in state Failed('boom')"))
    assert keep(record(logging.INFO, "outbox: 12 sent, 0 to retry, 0 failed"))
    assert keep(record(logging.WARNING, "Finished in state Completed()"))
