"""Benchmark the whole season: N enterprises replayed through the daily clock, per stage.

Usage: python benchmarks/season.py [--enterprises 500 5000] [--modes engine plain]
       [--modes engine-warning engine-info: the cost of the run logs]
       [--prefect-server postgres|ephemeral]
       [--database sqlite|postgres] [--seed 1] [--cache DIR] [--profile-stage STAGE]
       [--output FILE]

For each N the season's inputs are generated once (timed apart, excluded from every figure, and
kept in --cache for the next run). Each (N, mode) then runs in its own child process on a fresh
workspace and database, with the product's SMTP sink in a third process, and replays EVERY day
from 1 October to the release day (deployments/demo/replay.py), as `campaign demo` does and as
the clock's daily cron does in production: the clock runs every day, most days it only looks,
and that looking is part of the cost. Modes:
- engine: the flows on the Prefect engine. Its server is started before timing: by default
  `prefect server start` on a scratch PostgreSQL database (--prefect-server postgres), as
  docs/scale-out.md runs it; with --prefect-server ephemeral, Prefect's own temporary server on
  SQLite, as `campaign run` uses (Prefect 3.9's SQLite server answers 503 "database is locked"
  to flow-run creation while it records task runs, and the client waits about 2 s to retry).
  The meeting pauses and is approved over the API.
- plain: the same flow and task functions called as plain functions: for this process only,
  calling a Flow or Task object calls its `.fn` (`plain_prefect()` below), run loggers are
  disabled, artifacts are not written, and PREFECT_API_URL points at a closed port so any use
  of the engine would fail. The meeting cannot pause without the engine, so the meeting's
  decision (approved as proposed, like the engine run's) is recorded with the product's own
  functions: build_meeting_pack, then record_decision (tasks/meeting/record.py).
- engine-info / engine-warning: engine mode with PREFECT_LOGGING_LEVEL set to INFO (the run
  logs the UI shows) or WARNING (none); `logging_overhead_ratio` compares the two, with the CPU
  seconds of each process (the machine is shared: CPU seconds are the figure to trust).
A stage's seconds are the sum of the clock's wall seconds over the days in that stage (the
operator's mobilize run and the meeting included); the world's deliveries (copying files into the
inbox, filling score sheets) are reported apart and excluded from the targets. Writes
benchmarks/results/season.json (season-postgres.json with --database postgres).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

import cpu_time  # noqa: E402  (beside this script)
import sqlalchemy as sa  # noqa: E402

from schemas.campaign_file import load_campaign_file  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
YEAR = 2024
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "csr_bench"
PREFECT_DB = "csr_bench_prefect"  # the Prefect server's own database (--prefect-server postgres)
# engine-info / engine-warning: the engine with Prefect's logging level set to INFO (the run logs
# the UI shows) or WARNING (none); plain "engine" keeps the product's default.
ENGINE_MODES = ("engine", "engine-info", "engine-warning")
STAGES = ("preparing", "mobilize", "train", "submit", "review", "commend", "meeting", "release")
TARGETS = {"end_to_end_5000_seconds": 600.0, "prefect_overhead": 0.10, "scaling_5000_vs_500": 10.0}
DECIDED_BY = "基准测试：指导单位工作会议"
TASK_SECONDS: dict[str, float] = {}  # plain mode: wall seconds per task name, over the season
RUNS: Counter[str] = Counter()  # plain mode: calls per flow and task name (the engine's runs)


@contextmanager
def plain_prefect() -> Iterator[None]:
    """Within the block, calling a Prefect Flow or Task object calls its `.fn` directly.

    Benchmark only: patches prefect.Flow.__call__ and prefect.Task.__call__ and the artifact
    functions the flows and tasks modules imported (no-ops), disables the run loggers; restores
    everything on exit.
    """
    import prefect
    from prefect.logging import disable_run_logger

    def call_fn(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            RUNS[self.name] += 1
            if isinstance(self, prefect.Task):  # tasks never nest: their wall time adds up
                TASK_SECONDS[self.name] = TASK_SECONDS.get(self.name, 0.0) + (
                    time.perf_counter() - started
                )

    def no_artifact(*args: Any, **kwargs: Any) -> None:
        return None

    saved: list[tuple[object, str, object]] = [
        (prefect.Flow, "__call__", prefect.Flow.__call__),
        (prefect.Task, "__call__", prefect.Task.__call__),
    ]
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in {"flows", "tasks"}:
            for attr in ("create_markdown_artifact", "create_table_artifact"):
                if hasattr(module, attr):
                    saved.append((module, attr, getattr(module, attr)))
                    setattr(module, attr, no_artifact)
    prefect.Flow.__call__ = call_fn  # type: ignore[method-assign]
    prefect.Task.__call__ = call_fn  # type: ignore[method-assign]
    try:
        with disable_run_logger():
            yield
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


def plain_meeting(campaign_year: int, day: date) -> None:
    """Record the meeting's decision (approved as proposed) without pausing: the pack, then
    record_decision, as flows/meeting.py does once the answer arrives."""
    from schemas.settings import Settings
    from tasks.common.business_day import current_run_label
    from tasks.common.campaigns import prepare_campaign
    from tasks.meeting.decision import MeetingChanges, MeetingDecisionInput
    from tasks.meeting.pack_files import build_meeting_pack
    from tasks.meeting.record import record_decision

    settings = Settings()
    prepare_campaign(settings, campaign_year)
    pack = build_meeting_pack(settings, campaign_year, day, f"reports/{current_run_label()}")
    decision = MeetingDecisionInput(
        changes=MeetingChanges(), meeting_date=day, decided_by=DECIDED_BY, source="cli"
    )
    outcome = record_decision(settings, campaign_year, day, decision, pack.fingerprint)
    if outcome.decision is None:
        raise RuntimeError(f"the meeting decision was not recorded: {outcome.problems}")


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
        outcome=_outcome(settings),
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
def timed_return_walk(figures: dict[str, Any]) -> Iterator[None]:
    """Within the block, time the engine's walk of every flow's return value (it looks for
    futures in it, item by item); put the seconds in figures["engine_return_walk_seconds"].

    Benchmark only: wraps prefect.flow_engine.resolve_futures_to_states, restored on exit.
    """
    import prefect.flow_engine as engine

    name = "resolve_futures_to_states"  # imported by the engine from prefect.futures
    original = getattr(engine, name)
    spent = [0.0]

    def timed(expr: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(expr)
        finally:
            spent[0] += time.perf_counter() - started

    setattr(engine, name, timed)
    try:
        yield
    finally:
        setattr(engine, name, original)
        figures["engine_return_walk_seconds"] = round(spent[0], 2)


def cpu_snapshot() -> dict[str, float]:
    """Return the CPU seconds used so far by this process, its children (the SMTP sink, the
    PDF workers' forkserver, the Prefect server's process group), PostgreSQL and the machine.

    `other` is what the machine spent outside all of these; a delta of two snapshots tells
    where the 2 cores went during the replay. Reads /proc only.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    me = os.getpid()
    live = cpu_time.processes()
    children = [p for p in live if p.ppid == me]
    server_groups = {p.pgid for p in children if "prefect" in p.command and "server" in p.command}
    sink = sum(p.cpu_seconds for p in children if "serve_sink" in p.command)
    server = sum(p.cpu_seconds for p in live if p.pgid in server_groups)
    pdf = sum(
        p.cpu_seconds
        for p in children
        if "serve_sink" not in p.command and p.pgid not in server_groups
    )
    snapshot = {
        "client": usage.ru_utime + usage.ru_stime,
        "pdf_workers": pdf,
        "sink": sink,
        "prefect_server": server,
        "postgres": sum(p.cpu_seconds for p in live if p.name == "postgres"),
    }
    machine = cpu_time.machine_busy_seconds()
    return {**snapshot, "other": machine - sum(snapshot.values()), "machine": machine}


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def stage_of(campaign: Any, day: date) -> str:
    """Return the name of the stage the campaign file puts `day` in. Pure."""
    from tasks.common.campaigns import stage_on

    return str(stage_on(campaign, day).value)


def _outcome(settings: Any) -> dict[str, Any]:
    """Return the season's outcome: participations by status, certificates, mail by status."""
    engine = sa.create_engine(settings.effective_database_url)
    try:
        with engine.connect() as conn:
            statuses = conn.execute(
                sa.text("SELECT status, count(*) FROM participation GROUP BY status")
            ).all()
            certificates = conn.execute(sa.text("SELECT count(*) FROM certificate_issue")).scalar()
            mail = conn.execute(
                sa.text("SELECT status, count(*) FROM outbox_message GROUP BY status")
            ).all()
    finally:
        engine.dispose()
    return {
        "participations": dict(sorted((str(s), int(n)) for s, n in statuses)),
        "certificates": certificates,
        "outbox": dict(sorted((str(s), int(n)) for s, n in mail)),
    }


def generated_inputs(cache: Path, enterprises: int, seed: int) -> tuple[Path, float | None]:
    """Return the generated season for N (made now, or reused) and its seconds (None: reused)."""
    from deployments.demo.generate import generate

    folder = cache / f"generated-{enterprises}-seed{seed}"
    stamp = folder / ".complete"
    if stamp.is_file():
        return folder, None
    started = time.perf_counter()
    campaign = load_campaign_file(REPO / "campaigns" / f"{YEAR}.toml")
    generate(campaign, folder, enterprises=enterprises, seed=seed, with_pdfs=True, workers=2)
    stamp.write_text("generated completely\n", encoding="utf-8")
    return folder, time.perf_counter() - started


@contextmanager
def scratch_postgres(name: str = POSTGRES_DB) -> Iterator[str]:
    """Create a scratch database `name` (dropped first and afterwards); yield its URL."""
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


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


def run_child(
    mode: str, enterprises: int, generated: Path, args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    """Run one (mode, N) replay in a child process on a fresh workspace; return its figures."""
    workspace = tmp / f"workspace-{mode}-{enterprises}"
    out = tmp / f"{mode}-{enterprises}.json"
    prefect_db = (
        scratch_postgres(PREFECT_DB)
        if mode in ENGINE_MODES and args.prefect_server == "postgres"
        else _nothing()
    )
    with (
        scratch_postgres() if args.database == "postgres" else _sqlite(workspace) as url,
        prefect_db as prefect_url,
    ):
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            f"--mode={mode}",
            f"--enterprises={enterprises}",
            f"--seed={args.seed}",
            f"--generated={generated}",
            f"--workspace={workspace}",
            f"--database-url={url}",
            f"--out={out}",
            f"--profile-stage={args.profile_stage if mode == 'plain' else ''}",
            f"--prefect-server={args.prefect_server}",
            f"--prefect-database-url={prefect_url or ''}",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CAMPAIGN_"))}
        if mode in ("engine-info", "engine-warning"):
            env["PREFECT_LOGGING_LEVEL"] = mode.removeprefix("engine-").upper()
        print(f"season: {mode} N={enterprises} on {args.database} ...", flush=True)
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=REPO, env=env)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if figures.get("profile"):
        kept = (
            RESULTS
            / f"season-profile-{mode}-{enterprises}-{args.profile_stage.replace(',', '-')}.txt"
        )
        kept.write_text(Path(figures["profile"]).read_text(encoding="utf-8"), encoding="utf-8")
        raw = Path(figures["profile"]).with_suffix("")  # the child's raw stats: <out>.prof
        if raw.exists():
            kept.with_suffix(".prof").write_bytes(raw.read_bytes())
        figures["profile"] = str(kept.relative_to(REPO))
    return figures


@contextmanager
def _sqlite(workspace: Path) -> Iterator[str]:
    yield f"sqlite:///{workspace / 'campaign.db'}"


def summarise(
    runs: dict[int, dict[str, dict[str, Any]]], generation: dict[int, float | None]
) -> dict[str, Any]:
    """Return the overhead and scaling ratios and the targets met, from the runs' figures."""
    overhead: dict[str, Any] = {}
    for n, modes in runs.items():
        if {"engine", "plain"} <= set(modes):
            engine, plain = modes["engine"], modes["plain"]
            overhead[str(n)] = {
                "total": round(engine["clock_seconds"] / plain["clock_seconds"] - 1, 3),
                "seconds": round(engine["clock_seconds"] - plain["clock_seconds"], 1),
                "by_stage": {
                    s: round(engine["seconds_by_stage"][s] / plain["seconds_by_stage"][s] - 1, 3)
                    for s in engine["seconds_by_stage"]
                    if plain["seconds_by_stage"].get(s)
                },
                "same_outcome": engine["outcome"]["participations"]
                == plain["outcome"]["participations"],
            }
    logging = {
        str(n): {
            "clock": round(info["clock_seconds"] / quiet["clock_seconds"] - 1, 3),
            "cpu_seconds_warning_info": {
                k: [quiet["cpu_seconds"][k], info["cpu_seconds"][k]] for k in quiet["cpu_seconds"]
            },
        }
        for n, m in runs.items()
        if {"engine-warning", "engine-info"} <= set(m)
        for quiet, info in [(m["engine-warning"], m["engine-info"])]
    }
    scaling: dict[str, Any] = {}
    if 500 in runs and 5000 in runs:
        for mode in set(runs[500]) & set(runs[5000]):
            small, large = runs[500][mode], runs[5000][mode]
            scaling[mode] = {
                "total": round(large["clock_seconds"] / small["clock_seconds"], 2),
                "by_stage": {
                    s: round(large["seconds_by_stage"][s] / small["seconds_by_stage"][s], 2)
                    for s in large["seconds_by_stage"]
                    if small["seconds_by_stage"].get(s)
                },
            }
    met: dict[str, bool | None] = {}
    big = runs.get(5000, {})
    met["end_to_end_5000_seconds"] = (
        big["engine"]["clock_seconds"] <= TARGETS["end_to_end_5000_seconds"]
        if "engine" in big
        else None
    )
    met["prefect_overhead"] = (
        overhead["5000"]["total"] <= TARGETS["prefect_overhead"] if "5000" in overhead else None
    )
    met["scaling_5000_vs_500"] = (
        all(v["total"] <= TARGETS["scaling_5000_vs_500"] for v in scaling.values())
        if scaling
        else None
    )
    return {
        "overhead_ratio": overhead,
        "logging_overhead_ratio": logging,  # engine-info / engine-warning - 1
        "scaling_ratio": scaling,
        "targets": TARGETS,
        "targets_met": met,
        "generation_seconds_excluded": {
            str(n): None if s is None else round(s, 1) for n, s in generation.items()
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; write benchmarks/results/season[-postgres].json, print one line."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0], allow_abbrev=False
    )
    parser.add_argument("--enterprises", type=int, nargs="+", default=[500, 5000])
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=["engine", *ENGINE_MODES[1:], "plain"],
        default=["engine", "plain"],
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "csr-season-bench"))
    parser.add_argument(
        "--profile-stage",
        default="",
        help="cProfile these stages, e.g. review,meeting (plain mode)",
    )
    parser.add_argument(
        "--prefect-server",
        choices=["postgres", "ephemeral"],
        default="postgres",
        help=(
            "engine mode's Prefect server: `prefect server start` on a scratch PostgreSQL "
            "database (docs/scale-out.md), or Prefect's own temporary server on SQLite"
        ),
    )
    parser.add_argument("--output", default="", help="default: benchmarks/results/season.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("mode", "generated", "workspace", "database-url", "out", "prefect-database-url"):
        parser.add_argument(f"--{hidden}", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return {}
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    runs: dict[int, dict[str, dict[str, Any]]] = {}
    generation: dict[int, float | None] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="csr-season-bench-") as tmp:
        for n in sorted(args.enterprises):
            generated, generation[n] = generated_inputs(cache, n, args.seed)
            for mode in args.modes:
                runs.setdefault(n, {})[mode] = run_child(mode, n, generated, args, Path(tmp))
    result: dict[str, Any] = {
        "benchmark": "season",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "campaign_year": YEAR,
        "database": args.database,
        "prefect_server": args.prefect_server,
        "seed": args.seed,
        "days": "every day from 1 October to the release day (the clock's daily cron)",
        "runs": {str(n): modes for n, modes in runs.items()},
        **summarise(runs, generation),
        "method": (
            "inputs generated once per N (excluded); each (N, mode) in its own process on a "
            "fresh workspace and database, the product's SMTP sink in another process; every "
            "day replayed through flows/season.py (deployments/demo/replay.py); stage seconds "
            "= sum of the clock's wall seconds over the days in that stage (operator's mobilize "
            "run and the meeting included, the world's file deliveries excluded). engine = "
            "Prefect engine; its server started before timing: `prefect server start` on a scratch "
            "PostgreSQL database (prefect_server=postgres, as docs/scale-out.md runs it) or "
            "Prefect's own temporary server on SQLite (ephemeral); plain = Flow/Task "
            "objects call their .fn (benchmark-only patch), run loggers disabled, no artifacts; "
            "its meeting decision (as proposed) recorded with build_meeting_pack + "
            "record_decision instead of a paused run. overhead = engine/plain - 1; scaling = "
            "seconds(5000)/seconds(500), linear = 10."
        ),
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "versions": {
            "python": platform.python_version(),
            **{p: version(p) for p in ("prefect", "SQLAlchemy", "sqlmodel", "pypdf", "reportlab")},
        },
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
    }
    name = "season" + ("" if args.database == "sqlite" else "-postgres")
    name += "-ephemeral-server.json" if args.prefect_server == "ephemeral" else ".json"
    output = Path(args.output) if args.output else RESULTS / name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    line = ", ".join(
        f"N={n} {m} {f['clock_seconds']} s" for n, ms in runs.items() for m, f in ms.items()
    )
    print(f"season ({args.database}): {line}; overhead {result['overhead_ratio']}")
    return result


if __name__ == "__main__":
    main()
