"""Headless Chromium for tests that look at pages as a visitor's browser shows them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_binary() -> str:
    """The chromium binary; installed with apt-get when missing and this process is root."""
    found = _find_chromium()
    if found is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.skip(
                "chromium is not installed and cannot be installed here (needs root and "
                "apt-get): install the Debian packages chromium and chromium-driver"
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends"]
        packages = ["chromium", "chromium-driver"]
        done = subprocess.run([*install, *packages], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
            done = subprocess.run([*install, *packages], env=env, capture_output=True, text=True)
        found = _find_chromium()
        if found is None:
            pytest.skip(f"installing chromium failed: {done.stderr.strip()[-300:]}")
    return found


def run_chromium(chromium: str, profile: Path, *args: str) -> str:
    """Run headless Chromium with its own profile; return what it printed (e.g. --dump-dom)."""
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


# --- a page driven over the DevTools protocol (pages that fetch and compute after load) --------
# (appended for the catalogue's full-text search: --dump-dom returns before fetch() answers)
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import http.server  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import websockets  # noqa: E402  (installed with prefect)

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` over http on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def devtools_browser(chromium: str) -> Iterator[str]:
    """Start headless Chromium with a new profile and remote debugging on a free port; yield the
    WebSocket URL of its page. The browser (started here) is stopped at the end."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0"]
    process = subprocess.Popen(
        [chromium, *flags, "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_lines(port_file)) < 2:
            time.sleep(0.05)
        port = _lines(port_file)[0]
        pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json").read())
        yield next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _lines(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text().splitlines() if line]
    except OSError:
        return []


class DevtoolsPage:
    """One page over the DevTools protocol: navigate, evaluate JavaScript, wait for a value."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events in between are dropped)."""
        number = next(self.ids)
        await self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    async def evaluate(self, expression: str) -> Any:
        """Return the value of a JavaScript expression in the page (promises awaited)."""
        done = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in done:
            raise RuntimeError(f"page script failed: {done['exceptionDetails']}")
        return done["result"].get("value")

    async def wait_for(self, expression: str, seconds: float = 60.0) -> Any:
        """Return the expression's value once it is truthy; raise TimeoutError after `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.05)
        raise TimeoutError(f"{expression!r} stayed false for {seconds} s")


def drive_page(chromium: str, script: Any) -> Any:
    """Run `await script(page)` against a fresh headless Chromium; return what it returns."""

    async def run() -> Any:
        with devtools_browser(chromium) as address:
            async with websockets.connect(address, max_size=None) as socket:
                page = DevtoolsPage(socket)
                await page.call("Page.enable")
                await page.call("Runtime.enable")
                return await script(page)

    return asyncio.run(run())
