"""What runs inside a screening worker process besides the reading itself: its setup (memory
limit, SIGXCPU handling) and the per-file CPU-time limit.

RLIMIT_CPU counts the CPU time of the whole process, so the limit is set afresh before each
file (the CPU used so far plus the file's allowance) and lifted after it; SIGXCPU at the soft
limit becomes `CpuTimeExceeded`, which unwinds pypdf and becomes a `pdf-timeout` result. A
worker stuck where the signal cannot be handled (blocked, or inside one long C call) is left to
the pool's wall-clock backstop (tasks/submit/pdf/screen.py).
"""

from __future__ import annotations

import hashlib
import logging
import math
import resource
import signal
from collections.abc import Callable
from pathlib import Path

from schemas.screening import (
    ScreenCode,
    ScreenLimits,
    ScreenProblem,
    ScreenResult,
    ScreenRules,
    screen_problem,
)
from tasks.submit.pdf.read import failed_result

__all__ = [
    "CpuTimeExceeded",
    "Worker",
    "file_facts",
    "init_worker",
    "screen_within_cpu_limit",
    "timeout_problem",
]

Worker = Callable[[Path, ScreenRules, ScreenLimits], ScreenResult]
HASH_CHUNK = 1 << 20


class CpuTimeExceeded(BaseException):
    """Raised in a worker when its file used up the CPU-time limit (SIGXCPU); a BaseException,
    so pypdf's and the reader's `except Exception` cannot swallow it."""


def _on_cpu_limit(signum: int, frame: object) -> None:
    """Turn SIGXCPU into CpuTimeExceeded in the worker's main thread."""
    raise CpuTimeExceeded


def init_worker(memory_bytes: int) -> None:
    """Set up a screening worker: cap this process's address space at `memory_bytes`
    (RLIMIT_AS, within the hard limit), turn SIGXCPU into `CpuTimeExceeded` and keep pypdf's
    log records out of the root logger."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGXCPU, _on_cpu_limit)
    logging.getLogger("pypdf").propagate = False


def _cpu_seconds() -> float:
    """Return the CPU time this process has used so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def screen_within_cpu_limit(
    worker: Worker, path: Path, rules: ScreenRules, limits: ScreenLimits
) -> ScreenResult:
    """Run `worker` on one file under a CPU-time limit of its own and return its result, or a
    `pdf-timeout` result when the limit was reached. Runs in a screening worker: sets this
    process's RLIMIT_CPU soft limit for the file (lifted again after it) and relies on
    init_worker's SIGXCPU handler."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = math.ceil(_cpu_seconds()) + limits.cpu_seconds_per_file
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
        try:
            return worker(path, rules, limits)
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    except CpuTimeExceeded:
        seconds = limits.cpu_seconds_per_file
        size, sha256 = file_facts(path, limits)
        return failed_result(
            path,
            size,
            sha256,
            timeout_problem(f"CPU时间超过{seconds}秒", f"over {seconds} s of CPU time"),
            seconds=float(seconds),
            error_class="CpuTimeExceeded",
            error_message=f"stopped after {seconds} s of CPU time",
        )


def timeout_problem(zh: str, en: str) -> ScreenProblem:
    """Return the timeout problem with how the limit was reached; pure."""
    return screen_problem(ScreenCode.TIMEOUT, zh, en)


def file_facts(path: Path, limits: ScreenLimits) -> tuple[int, str | None]:
    """Return the file's size and sha256 (None when over the byte cap or unreadable); reads it
    in chunks, in this process."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            return size, None
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(HASH_CHUNK):
                digest.update(chunk)
        return size, digest.hexdigest()
    except OSError:
        return 0, None
