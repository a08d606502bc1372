"""CPU seconds spent by the processes around a benchmark run, read from /proc (Linux only).

A season run on 2 cores shares them between the replaying process, its PDF workers, the SMTP
sink, the Prefect server and PostgreSQL. Wall seconds alone cannot say which of them the engine
mode's extra time went to; these counters can. Everything here only reads /proc.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int | str) -> list[str] | None:
    """Return the fields of /proc/<pid>/stat after the command name, or None if it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def _seconds(fields: list[str], with_children: bool) -> float:
    # After the command: state(0) ppid(1) pgrp(2) ... utime(11) stime(12) cutime(13) cstime(14)
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def _command(pid: str) -> str:
    try:
        return (PROC / pid / "comm").read_text().strip()
    except OSError:
        return ""


def processes() -> list[tuple[int, int, int, str]]:
    """Return (pid, ppid, pgid, command line) of every live process."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry.name)
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields is not None:
            found.append((int(entry.name), int(fields[1]), int(fields[2]), command))
    return found


def group_cpu_seconds(pgid: int) -> float:
    """Return the CPU seconds of the live processes in process group `pgid`, each with the
    children it has reaped (so a worker that exited still counts once its parent waited)."""
    total = 0.0
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(entry.name)
            if fields is not None and int(fields[2]) == pgid:
                total += _seconds(fields, with_children=True)
    return total


def command_cpu_seconds(command: str) -> float:
    """Return the CPU seconds of every live process named `command` (e.g. postgres), each
    with its reaped children: PostgreSQL's postmaster counts its ended backends."""
    total = 0.0
    for entry in PROC.iterdir():
        if entry.name.isdigit() and _command(entry.name) == command:
            fields = _stat_fields(entry.name)
            if fields is not None:
                total += _seconds(fields, with_children=True)
    return total


def process_cpu_seconds(pid: int) -> float:
    """Return the CPU seconds of process `pid` and its reaped children (0 if it is gone)."""
    fields = _stat_fields(pid)
    return 0.0 if fields is None else _seconds(fields, with_children=True)


def machine_busy_seconds() -> float:
    """Return the CPU seconds all cores spent not idle since boot (from /proc/stat)."""
    first = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in first]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS
