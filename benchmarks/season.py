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
  calling a Flow or Task object calls its `.fn` (`plain_prefect()` in season_plain.py), run
  loggers are disabled, artifacts are not written, the meeting pack's "already published?" check
  answers as a fresh server (no), and PREFECT_API_URL points at a closed port so any other use of
  the engine would fail. The meeting cannot pause without the engine, so the meeting's
  decision (approved as proposed, like the engine run's) is recorded with the product's own
  functions: build_meeting_pack, then record_decision (tasks/meeting/record.py).
- engine-info / engine-warning: engine mode with PREFECT_LOGGING_LEVEL set to INFO (the run
  logs the UI shows) or WARNING (none); `logging_overhead_ratio` compares the two, with the CPU
  seconds of each process (the machine is shared: CPU seconds are the figure to trust).
A stage's seconds are the sum of the clock's wall seconds over the days in that stage (the
operator's mobilize run and the meeting included); the world's deliveries (copying files into the
inbox, filling score sheets) are reported apart and excluded from the targets. Writes
benchmarks/results/season.json (season-postgres.json with --database postgres).

This module generates the inputs, makes the databases, runs the children and writes the JSON;
beside it: season_replay.py (one season in a child process), season_measure.py (CPU seconds,
the engine's return walk, the outcome), season_plain.py (plain mode), season_summary.py (ratios
and targets).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from season_replay import ENGINE_MODES, YEAR, child  # noqa: E402  (beside this script)
from season_summary import summarise  # noqa: E402  (beside this script)

from schemas.campaign_file import load_campaign_file  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "csr_bench"
PREFECT_DB = "csr_bench_prefect"  # the Prefect server's own database (--prefect-server postgres)


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


@contextmanager
def _nothing() -> Iterator[None]:
    yield


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
