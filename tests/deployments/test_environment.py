"""Prefect is pointed at the workspace before it is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_prepare_prefect_puts_prefect_home_and_results_in_the_workspace(tmp_path: Path) -> None:
    code = (
        "import os\n"
        "from schemas.settings import Settings\n"
        "from deployments.environment import prepare_prefect\n"
        "home = prepare_prefect(Settings())\n"
        "env = os.environ\n"
        "print(home, env['PREFECT_LOCAL_STORAGE_PATH'], env['PREFECT_SERVER_ANALYTICS_ENABLED'])\n"
    )
    env = {"CAMPAIGN_WORKSPACE": str(tmp_path / "ws"), "PATH": "/usr/bin:/bin"}

    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, env=env
    )

    home = tmp_path / "ws" / ".prefect"
    assert out.stdout.split() == [str(home), str(home / "storage"), "false"]
    assert home.is_dir()
