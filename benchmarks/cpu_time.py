"""CPU seconds spent by the processes around a benchmark run, read from /proc (Linux only).

A season run on 2 cores shares them between the replaying process, its PDF workers, the SMTP
sink, the Prefect server and PostgreSQL. Wall seconds alone cannot say which of them the engine
mode's extra time went to; these counters can. Everything here only reads /proc.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Process:
    """One live process: ids, names and CPU seconds, its reaped children's included (so a
    worker that exited counts once its parent waited; PostgreSQL's postmaster counts its ended
    backends)."""

    pid: int
    ppid: int
    pgid: int
    name: str  # /proc/<pid>/comm
    command: str  # the command line, arguments joined by spaces
    cpu_seconds: float


def _process(entry: Path) -> Process | None:
    """Read one /proc/<pid> entry; None when the process ended meanwhile."""
    try:
        stat = (entry / "stat").read_text()
        name = (entry / "comm").read_text().strip()
        command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    # After the command name: state(0) ppid(1) pgrp(2) ... utime(11) stime(12) cutime(13)
    # cstime(14)
    fields = stat[stat.rfind(")") + 2 :].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return Process(int(entry.name), int(fields[1]), int(fields[2]), name, command, ticks / TICKS)


def processes() -> list[Process]:
    """Return every live process."""
    found = (_process(entry) for entry in PROC.iterdir() if entry.name.isdigit())
    return [p for p in found if p is not None]


def machine_busy_seconds() -> float:
    """Return the CPU seconds all cores spent not idle since boot (from /proc/stat)."""
    first = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in first]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS
