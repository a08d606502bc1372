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
