"""The Prefect server `campaign serve` starts: on 127.0.0.1, with a scheduler, stopped on exit."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deployments.local_server import (
    PrefectServerError,
    local_prefect_server,
    port_is_free,
    server_is_healthy,
    workspace_prefect_server,
)

REPO = Path(__file__).resolve().parents[2]

APPLY_THE_CLOCK = """
import sys
import time
from deployments.serve import STAGE_DEPLOYMENTS, build_deployments
clock = [e for e in STAGE_DEPLOYMENTS if e.function == "season"]
print(build_deployments(2024, entries=clock)[0].apply())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def post(url: str, body: dict[str, object]) -> list[dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        rows: list[dict[str, object]] = json.load(response)
    return rows


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter at the repository root; never raises on failure."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )


def test_a_port_in_use_is_refused_before_a_server_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with (
            pytest.raises(PrefectServerError, match=f"port {port}"),
            local_prefect_server(tmp_path, port),
        ):
            pass

    assert not (tmp_path / "server.log").exists()


RUN_A_FLOW_WITH_TASKS = """
from prefect import flow, task

@task
def step(n: int) -> int:
    return n + 1

@flow(name="batched")
def batched() -> int:
    n = 0
    for _ in range(12):
        n = step(n)
    return n

print(batched())
"""


def _wait_for_scheduled_clock_runs(api_url: str) -> list[dict[str, object]]:
    """Poll until the scheduler created the clock's runs (it looks every few seconds)."""
    runs: list[dict[str, object]] = []
    for _ in range(120):
        runs = post(f"{api_url}/flow_runs/filter", {})
        if runs:
            break
        time.sleep(0.5)
    return runs


def _wait_for_task_runs(api_url: str, expected: int) -> list[object]:
    """Poll until `expected` task runs are recorded as Completed; return their states."""
    states: list[object] = []
    for _ in range(40):
        states = [r["state_name"] for r in post(f"{api_url}/task_runs/filter", {})]
        if len(states) >= expected and set(states) == {"Completed"}:
            break
        time.sleep(0.25)
    return states


@pytest.mark.flow
def test_the_server_schedules_the_clock_records_task_runs_in_batches_and_is_gone_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One server for three behaviours (a server start costs ~10 s of the suite): the temporary
    # server Prefect starts by itself has no scheduler, this one does; prepare_prefect batches
    # its task-run recorder (SERVER_BATCHING), so records arrive within about a second of the
    # flow run and none is lost; and it is stopped when the block ends.
    from deployments.environment import SERVER_BATCHING

    for name, value in SERVER_BATCHING.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    home = tmp_path / "prefect"
    home.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": ""}

    with local_prefect_server(home, port) as api_url:
        env["PREFECT_API_URL"] = api_url
        applied = run_python(APPLY_THE_CLOCK, env)
        scheduled = _wait_for_scheduled_clock_runs(api_url)
        with urllib.request.urlopen(api_url.removesuffix("/api"), timeout=10) as ui:
            page = ui.read().decode()
        with urllib.request.urlopen(f"{api_url.removesuffix('/api')}/ui-settings") as found:
            ui_settings = json.load(found)
        ran = run_python(RUN_A_FLOW_WITH_TASKS, env)
        states = _wait_for_task_runs(api_url, 12)
        flows = post(f"{api_url}/flow_runs/filter", {"flows": {"name": {"any_": ["batched"]}}})
        healthy_inside = server_is_healthy(api_url)

    assert applied.returncode == 0, applied.stderr
    assert healthy_inside
    assert "<html" in page.lower()
    assert ui_settings["api_url"] == api_url  # the UI talks to this server, not port 4200
    assert scheduled
    assert {r["state_name"] for r in scheduled} == {"Scheduled"}
    # 07:30 in Shanghai is 23:30 UTC the day before
    assert {str(r["expected_start_time"])[11:16] for r in scheduled} == {"23:30"}
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "12"
    assert [f["state_name"] for f in flows] == ["Completed"]
    assert len(states) == 12
    assert set(states) == {"Completed"}
    assert not server_is_healthy(api_url)
    assert port_is_free(port)


LOG_THEN_STOP = """
import sys
from pathlib import Path
from schemas.settings import Settings
from deployments.environment import prepare_prefect
from deployments.local_server import workspace_prefect_server
home = prepare_prefect(Settings())  # run logs at INFO, as `campaign serve` runs them
with workspace_prefect_server(home, int(sys.argv[1])) as api_url:
    import os
    assert os.environ["PREFECT_API_URL"] == api_url
    from prefect import flow, get_run_logger

    @flow
    def says() -> None:
        get_run_logger().info("a line for the UI")

    says()
print("stopped")
"""


@pytest.mark.flow
def test_run_logs_are_sent_before_the_server_is_stopped(tmp_path: Path) -> None:
    env = {
        "CAMPAIGN_WORKSPACE": str(tmp_path / "ws"),
        "PATH": "/usr/bin:/bin",
        "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "60",  # nothing sent before the end
    }

    done = subprocess.run(
        [sys.executable, "-c", LOG_THEN_STOP, str(free_port())],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("stopped")
    assert "Error logging to API" not in done.stderr, done.stderr
    # the server's own lines go to its log in the Prefect home, not to this terminal
    assert "Check out the dashboard" in (tmp_path / "ws" / ".prefect" / "server.log").read_text()
    assert "dashboard" not in done.stdout + done.stderr


def test_an_operators_prefect_server_is_used_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")

    with workspace_prefect_server(tmp_path, free_port()) as api_url:
        assert api_url == "http://127.0.0.1:9/api"

    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9/api"
    assert not (tmp_path / "server.log").exists()  # nothing started
