"""What a season benchmark run measures beside the clock's seconds (benchmarks/season_replay.py).

The engine's walk of flow return values, the CPU seconds of each process, the stage of a day and
the season's outcome in the database. Does not replay anything or start processes.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import cpu_time  # (beside this script)
import sqlalchemy as sa


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


def stage_of(campaign: Any, day: date) -> str:
    """Return the name of the stage the campaign file puts `day` in. Pure."""
    from tasks.common.campaigns import stage_on

    return str(stage_on(campaign, day).value)


def season_outcome(settings: Any) -> dict[str, Any]:
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
