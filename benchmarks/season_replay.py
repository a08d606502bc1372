"""One season of the season benchmark (benchmarks/season.py), replayed in this child process.

`child()` sets up the environment of one (mode, N) run (workspace, database, the product's SMTP
sink in its own process, the Prefect server for engine mode), replays every day through the
clock and writes the figures as JSON. Does not generate inputs, create databases or summarise
runs (benchmarks/season.py does).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import pstats
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from season_measure import cpu_snapshot, season_outcome, stage_of, timed_return_walk
from season_plain import RUNS, TASK_SECONDS, plain_meeting, plain_prefect

from schemas.campaign_file import load_campaign_file

REPO = Path(__file__).resolve().parent.parent
YEAR = 2024
# engine-info / engine-warning: the engine with Prefect's logging level set to INFO (the run logs
# the UI shows) or WARNING (none); plain "engine" keeps the product's default.
ENGINE_MODES = ("engine", "engine-info", "engine-warning")
STAGES = ("preparing", "mobilize", "train", "submit", "review", "commend", "meeting", "release")


def child(args: argparse.Namespace) -> None:
    """Replay one season in this process (one mode, one N) and write its figures as JSON."""
    from notifications.sink import count_eml, free_port

    workspace = Path(args.workspace)
    port = free_port()
    os.environ.update(
        CAMPAIGN_WORKSPACE=str(workspace),
        CAMPAIGN_CAMPAIGNS_DIR=str(REPO / "campaigns"),
        CAMPAIGN_DATABASE_URL=args.database_url,
        CAMPAIGN_MAILER="smtp",
        CAMPAIGN_SMTP_HOST="127.0.0.1",
        CAMPAIGN_SMTP_PORT=str(port),
        CAMPAIGN_SMTP_SECURITY="none",
    )
    if args.mode == "plain":  # any use of the engine fails loudly
        os.environ["PREFECT_API_URL"] = "http://127.0.0.1:9/api"
    from deployments.environment import prepare_prefect
    from schemas.settings import Settings
    from tasks.store import campaign_engine, upgrade_database

    settings = Settings()
    upgrade_database(campaign_engine(settings))  # as `campaign demo` does: flows only check it
    prepare_prefect(settings)
    sink = _sink_process(workspace / "mail" / "sink", port)
    try:
        with prefect_server(args, workspace):
            figures = _replay(args, settings)
    finally:
        sink.terminate()
        sink.wait(timeout=30)
    figures["mail_received"] = count_eml(workspace / "mail" / "sink")
    Path(args.out).write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")


def _sink_process(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """Start the product's sink on `port` in its own process and wait until it accepts."""
    import socket

    code = (
        "import sys; from pathlib import Path; from notifications.sink import serve_sink; "
        "serve_sink(Path(sys.argv[1]), int(sys.argv[2]))"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(folder), str(port)], cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the SMTP sink did not start")


def _replay(args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """Replay every day; return per-stage seconds and the season's outcome."""
    from deployments.demo.closing import hold_meeting
    from deployments.demo.replay import SeasonReplay, season_days

    for name in ("flows.season", "flows.meeting"):  # loaded before plain_prefect patches them
        importlib.import_module(name)

    campaign = load_campaign_file(settings.campaign_file(YEAR))
    figures: dict[str, Any] = {"mode": args.mode, "enterprises": args.enterprises[0]}
    meeting_seconds: list[float] = []
    profile = cProfile.Profile() if args.profile_stage else None

    def timed(hold: Callable[[int, date], object]) -> Callable[[int, date], object]:
        def run(year: int, day: date) -> object:
            started = time.perf_counter()
            try:
                return hold(year, day)
            finally:
                meeting_seconds.append(time.perf_counter() - started)

        return run

    class ProfiledReplay(SeasonReplay):
        def clock(self, day: date) -> Any:
            if profile is None or stage_of(campaign, day) not in args.profile_stage.split(","):
                return super().clock(day)
            profile.enable()
            try:
                return super().clock(day)
            finally:
                profile.disable()

    if args.mode in ENGINE_MODES:
        from prefect import get_client

        started = time.perf_counter()
        with get_client(sync_client=True) as client:
            client.hello()
        figures["server_start_seconds"] = round(time.perf_counter() - started, 2)
        hold: Callable[[int, date], object] = lambda y, d: hold_meeting(y, d, 900.0)  # noqa: E731
        context: Any = timed_return_walk(figures)
    else:
        hold = plain_meeting
        context = plain_prefect()
    replay = ProfiledReplay(
        settings, campaign, Path(args.generated), seed=args.seed, meeting=timed(hold)
    )
    with context:
        cpu_before = cpu_snapshot()
        started = time.perf_counter()
        played = replay.replay(season_days(campaign))
        wall = time.perf_counter() - started
        cpu_after = cpu_snapshot()
    by_stage: dict[str, float] = {}
    days_by_stage: Counter[str] = Counter()
    for p in played:
        key = p.result.stage.value
        by_stage[key] = by_stage.get(key, 0.0) + p.clock_seconds
        days_by_stage[p.result.stage.value] += 1
    figures.update(
        seconds_by_stage={s: round(by_stage[s], 2) for s in STAGES if s in by_stage},
        days_by_stage=dict(days_by_stage),
        clock_seconds=round(sum(p.clock_seconds for p in played), 2),
        world_seconds=round(sum(p.world_seconds for p in played), 2),
        wall_seconds=round(wall, 2),
        meeting_seconds=round(sum(meeting_seconds), 2),
        slowest_days=[
            {"day": p.day, "stage": p.result.stage.value, "seconds": round(p.clock_seconds, 2)}
            for p in sorted(played, key=lambda p: -p.clock_seconds)[:8]
        ],
        days=len(played),
        seconds_by_day={str(p.day): round(p.clock_seconds, 2) for p in played},
        max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        cpu_seconds={k: round(cpu_after[k] - cpu_before[k], 1) for k in cpu_before},
        outcome=season_outcome(settings),
    )
    if TASK_SECONDS:
        figures["seconds_by_task"] = {
            name: round(seconds, 2)
            for name, seconds in sorted(TASK_SECONDS.items(), key=lambda item: -item[1])
        }
        figures["runs_by_name"] = dict(RUNS.most_common())
    if profile is not None:
        out = Path(args.out).with_suffix(".prof.txt")
        profile.dump_stats(str(Path(args.out).with_suffix(".prof")))  # raw, for pstats queries
        with out.open("w", encoding="utf-8") as stream:
            stats = pstats.Stats(profile, stream=stream)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
        figures["profile"] = str(out)
    return figures


@contextmanager
def prefect_server(args: argparse.Namespace, workspace: Path) -> Iterator[None]:
    """For engine mode, start the Prefect server the run uses (see --prefect-server).

    postgres: `prefect server start` on the scratch PostgreSQL database named in
    --prefect-database-url, as docs/scale-out.md runs it; PREFECT_API_URL points at it.
    ephemeral: nothing; Prefect starts its own temporary server on SQLite, as `campaign run`.
    """
    if args.mode not in ENGINE_MODES or args.prefect_server != "postgres":
        yield
        return
    from deployments.local_server import local_prefect_server
    from notifications.sink import free_port

    os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = args.prefect_database_url.replace(
        "postgresql+psycopg://", "postgresql+asyncpg://"
    )
    home = workspace / ".prefect"
    home.mkdir(parents=True, exist_ok=True)
    with local_prefect_server(home, port=free_port()) as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        yield
