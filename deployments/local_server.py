"""A Prefect server for `campaign serve`: `prefect server start` on 127.0.0.1, stopped on exit.

The temporary server Prefect starts by itself (when PREFECT_API_URL is not set) runs no
scheduler and no UI: deployments registered on it keep their cron schedules but never get a
run. So `campaign serve` starts a real one, with the workspace's PREFECT_HOME (its history, and
its UI at http://127.0.0.1:<port>), unless the operator points PREFECT_API_URL at their own.
Importing this module does not import prefect: the server is a child process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deployments.environment import send_run_logs

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
STARTUP_SECONDS = 120.0
STOP_SECONDS = 15.0


class PrefectServerError(RuntimeError):
    """The local Prefect server could not be started."""


def port_is_free(port: int, host: str = HOST) -> bool:
    """Return whether nothing listens on `host:port` (binds and releases it at once).

    Connections the last server left in TIME_WAIT do not count, as for the server itself.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def server_is_healthy(api_url: str) -> bool:
    """Return whether the Prefect API at `api_url` answers its health check. Reads only."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(log_file: Path, lines: int = 20) -> str:
    try:
        return "\n".join(
            log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        )
    except OSError:
        return "(no log)"


def server_address_settings(port: int, host: str = HOST) -> dict[str, str]:
    """Return the Prefect settings that make the server and its UI agree on `host:port`. Pure.

    `prefect server start --port N` binds N, but the UI's settings page (/ui-settings) reads
    its API address from PREFECT_UI_API_URL, which otherwise defaults to port 4200: the UI
    would then talk to another server, or to none.
    """
    return {
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": f"http://{host}:{port}/api",
    }


@contextmanager
def local_prefect_server(
    home: Path, port: int = DEFAULT_PORT, startup_seconds: float = STARTUP_SECONDS
) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1:`port`; yield its API URL; stop it on exit.

    Side effects: starts a child process (its own session, so Ctrl-C in the terminal reaches
    only this process, which then stops the server after serving has paused its schedules);
    writes the server's output to `<home>/server.log`. Raises PrefectServerError when the port
    is taken or the server does not answer within `startup_seconds`.
    """
    if not port_is_free(port):
        raise PrefectServerError(
            f"port {port} on {HOST} is in use; pick another with --port, or set PREFECT_API_URL "
            "to use the Prefect server that is already running there"
        )
    api_url = f"http://{HOST}:{port}/api"
    log_file = home / "server.log"
    env = {**os.environ, "PREFECT_HOME": str(home), **server_address_settings(port)}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST]
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + startup_seconds
        while not server_is_healthy(api_url):
            if process.poll() is not None:
                raise PrefectServerError(
                    f"the Prefect server exited with code {process.returncode}; "
                    f"end of {log_file}:\n{_log_tail(log_file)}"
                )
            if time.monotonic() > deadline:
                raise PrefectServerError(
                    f"the Prefect server did not answer within {startup_seconds:.0f} s; "
                    f"end of {log_file}:\n{_log_tail(log_file)}"
                )
            time.sleep(0.5)
        yield api_url
    finally:
        send_run_logs()  # before the server goes: the log worker would send to a dead port
        _stop(process)


@contextmanager
def workspace_prefect_server(home: Path, port: int) -> Iterator[str]:
    """Within the block, Prefect talks to a server whose output goes to `<home>/server.log`.

    The operator's server when PREFECT_API_URL is set (yielded as it is); otherwise a
    `prefect server start` on 127.0.0.1:`port` (local_prefect_server), with PREFECT_API_URL set
    for the block. Prefect's own temporary server would write its log lines to this terminal,
    among them the tracebacks of its retried "database is locked" conflicts, which its client
    answers by asking again. Call before prefect is imported. Side effects: as
    local_prefect_server; sets and then removes PREFECT_API_URL in this process's environment.
    """
    own = os.environ.get("PREFECT_API_URL")
    if own:
        yield own
        return
    with local_prefect_server(home, port) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        try:
            yield api_url
        finally:
            os.environ.pop("PREFECT_API_URL", None)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
