"""Pre-screen a batch of report PDFs, each in an isolated worker process, and flatten the
results into the two artifact tables (screening problems; topic coverage heat).

`screen_many` runs `screen_pdf` (tasks/submit/pdf/read.py) for every file in a pebble process pool,
as FACTS.md measured: each worker runs under an address-space rlimit (`memory_bytes`), each file
under a CPU-time limit (`cpu_seconds_per_file`, RLIMIT_CPU set afresh per file, so a loaded
machine cannot trip it) and a generous wall-clock backstop (`seconds_per_file`, for a worker
stuck outside the CPU), workers are recycled every few files, and a file that hangs, kills its
worker or exhausts memory fails alone while the batch goes on. A file stopped by either limit is
tried once more after the batch, alone, once the load average has dropped below the CPU count
(waiting at most `retry_quiet_wait` seconds); only a second timeout is reported. Workers are started
from a forkserver, never forked from the caller, whose threads (Prefect's) must not be copied
mid-lock. Results come back in input order, one `ScreenResult` per path.

Problem codes and severities. An error means the file cannot be used as the unit's report as it
stands, or could not be screened safely: the unit is asked for another file. A warning means
the report counts as filed and the reviewers should know.

    pdf-not-a-pdf            error    no %PDF header (empty, a Word file, a zip, text)
    pdf-too-large            error    more bytes than max_bytes; refused unread
    pdf-encrypted            error    needs a password (an empty user password is tried)
    pdf-unreadable           error    pypdf fails on the file or on some page (truncated, damaged)
    pdf-timeout              error    over the CPU limit (or the wall-clock backstop) twice
    pdf-worker-crashed       error    its worker process died (signal, exit, pool failure)
    pdf-too-large-in-memory  error    needed more than memory_bytes (MemoryError)
    pdf-too-many-pages       error    more than max_pages; the first max_pages were still read
    pdf-scanned              warning  little or no extractable Chinese text (scan or mojibake)
    pdf-partly-scanned       warning  more than max_image_page_share of the pages are images only
    pdf-wrong-year           warning  the cover/title/报告期 states another year; or, none stated,
                                      the body lacks the report year or another year outnumbers it
    pdf-topics-missing       warning  core topics not covered (listed)
    pdf-no-standard          warning  no reference standard cited

The text warnings (the last four) are given only when every page was read without error, and a
scanned report gets `pdf-scanned` alone. Plain functions, no Prefect: the submit flow's task
wraps `screen_many`. Nothing here writes files or keeps state between calls.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool

from schemas.enums import Severity
from schemas.screening import (
    ScreenCode,
    ScreenLimits,
    ScreenResult,
    ScreenRules,
    screen_problem,
)
from tasks.submit.pdf.read import error_detail, failed_result, screen_pdf
from tasks.submit.pdf.worker import (
    Worker,
    file_facts,
    init_worker,
    screen_within_cpu_limit,
    timeout_problem,
)

__all__ = [
    "screen_batch_summary",
    "screen_many",
    "screen_pdf",
    "topic_evidence_rows",
    "topic_heat_rows",
]

Row = dict[str, str | int | None]
# A fresh worker every 200 files, so leaks never pile up. Each restart costs ~0.1 s (pebble
# polls its workers every 0.1 s), ~0.5 % of 200 files' work; every 25 files it cost 10 %.
MAX_TASKS_PER_WORKER = 200


def _pool_context() -> Any:
    """Return the multiprocessing context for workers: a forkserver that preloads this module
    (cheap, clean starts), or spawn where there is none. Sets the forkserver's preload list."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tasks.submit.pdf.screen"])
        return context
    return multiprocessing.get_context("spawn")


def _exit_detail(exitcode: int | None) -> tuple[str, str]:
    """Return how a worker ended, in Chinese and English (signal name or exit code)."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"被信号{name}终止", f"killed by {name}"
    return f"退出码{exitcode}", f"exit code {exitcode}"


def _collect(path: Path, future: Any, limits: ScreenLimits) -> ScreenResult:
    """Wait for one file's future and return its result, or the result that stands for the
    worker's timeout, death or failure (the file's size and hash read in this process)."""
    try:
        result: ScreenResult = future.result()
        return result
    except FutureTimeout:
        seconds = f"{limits.seconds_per_file:g}"
        problem = timeout_problem(f"超过{seconds}秒仍未完成", f"not done after {seconds} s")
        facts: dict[str, Any] = {
            "seconds": limits.seconds_per_file,
            "error_class": "TimeoutError",
            "error_message": f"stopped after {seconds} s",
        }
    except ProcessExpired as exc:
        zh, en = _exit_detail(exc.exitcode)
        problem = screen_problem(ScreenCode.WORKER_CRASHED, zh, en)
        facts = {"error_class": "ProcessExpired", "error_message": f"worker {en}"}
    except MemoryError as exc:
        detail = f"{limits.memory_bytes / 2**20:.0f} MiB"
        problem = screen_problem(ScreenCode.TOO_LARGE_IN_MEMORY, detail, detail)
        kind, message = error_detail(exc)
        facts = {"error_class": kind, "error_message": message}
    except Exception as exc:  # the worker function failed outside screen_pdf's own catch
        kind, message = error_detail(exc)
        problem = screen_problem(
            ScreenCode.WORKER_CRASHED, f"{kind}: {message}", f"{kind}: {message}"
        )
        facts = {"error_class": kind, "error_message": message}
    size, sha256 = file_facts(path, limits)
    return failed_result(path, size, sha256, problem, **facts)


def _run_pool(
    paths: Sequence[Path],
    rules: ScreenRules,
    limits: ScreenLimits,
    workers: int,
    worker: Worker,
    progress: Callable[[Path], None],
) -> list[ScreenResult]:
    """Screen `paths` in one pebble pool of `workers` processes and return the results in
    input order; calls `progress(path)` after each. Starts and stops the workers."""
    pool = ProcessPool(
        max_workers=max(1, min(workers, len(paths))),
        max_tasks=MAX_TASKS_PER_WORKER,
        initializer=init_worker,
        initargs=(limits.memory_bytes,),
        context=_pool_context(),
    )
    try:
        futures = [
            pool.schedule(
                screen_within_cpu_limit,
                args=(worker, Path(p), rules, limits),
                timeout=limits.seconds_per_file,
            )
            for p in paths
        ]
        results = []
        for path, future in zip(paths, futures, strict=True):
            results.append(_collect(Path(path), future, limits))
            progress(Path(path))
    except BaseException:  # Ctrl-C or a bug here: stop the workers, do not wait for them
        pool.stop()  # type: ignore[no-untyped-call]
        pool.join()
        raise
    pool.close()  # type: ignore[no-untyped-call]
    pool.join()
    return results


def wait_for_quiet(limit_seconds: float, poll: float = 1.0) -> None:
    """Wait until the 1-minute load average is below the number of CPUs, at most
    `limit_seconds`; sleeps, nothing else."""
    deadline = time.monotonic() + limit_seconds
    cpus = os.cpu_count() or 1
    while os.getloadavg()[0] >= cpus and time.monotonic() < deadline:
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))


def screen_many(
    paths: Sequence[Path],
    rules: ScreenRules,
    limits: ScreenLimits,
    workers: int = 2,
    *,
    worker: Worker = screen_pdf,
    progress: Callable[[int, int], None] | None = None,
) -> list[ScreenResult]:
    """Screen every file in isolated worker processes and return the results in input order.

    Side effects: starts up to `workers` processes (at least one, even for one file: isolation
    matters more than speed) and stops them before returning; reads the files; calls
    `progress(done, total)` after each first result. A file that timed out is screened once
    more, alone in one worker, after the batch and a wait for a quiet machine
    (`wait_for_quiet`); its second result stands, with `attempts=2`. `worker` must be a
    module-level function (it is sent to the workers by name); tests pass faulty ones,
    everyone else keeps `screen_pdf`.
    """
    if not paths:
        return []
    done = [0]

    def tick(_path: Path) -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], len(paths))

    results = _run_pool(paths, rules, limits, workers, worker, tick)
    again = [i for i, r in enumerate(results) if ScreenCode.TIMEOUT.value in r.codes]
    if again:
        wait_for_quiet(limits.retry_quiet_wait)
        retried = _run_pool([paths[i] for i in again], rules, limits, 1, worker, lambda _p: None)
        for i, result in zip(again, retried, strict=True):
            results[i] = result.model_copy(update={"attempts": 2})
    return results


def screen_batch_summary(results: Sequence[ScreenResult]) -> list[Row]:
    """Return one row per problem (errors first, then input order) for the "screening
    problems" table artifact; pure."""
    rows: list[Row] = [
        {
            "severity": p.severity.value,
            "file": r.file,
            "code": p.code.value,
            "reason_zh": p.reason_zh,
            "reason_en": p.reason_en,
            "pages": r.pages,
        }
        for r in results
        for p in r.problems
    ]
    return sorted(rows, key=lambda row: row["severity"] != Severity.ERROR.value)  # stable


def topic_heat_rows(results: Sequence[ScreenResult], rules: ScreenRules) -> list[Row]:
    """Return the topic-coverage heat table: per file, keyword mentions per topic (blank when
    no text was read) and core topics covered; a last row counts the files covering each
    topic; pure."""
    core = len(rules.core_topics())
    rows: list[Row] = []
    covering = dict.fromkeys((t.key for t in rules.topics), 0)
    for r in results:
        hits = {c.key: c for c in r.topics}
        read = bool(hits) and not r.scanned
        row: Row = {"file": r.file}
        for t in rules.topics:
            cell = hits.get(t.key)
            row[t.name] = cell.hits if read and cell is not None else ""
            if read and cell is not None and cell.covered:
                covering[t.key] += 1
        row["core_covered"] = f"{r.core_topics_covered}/{core}" if read else ""
        rows.append(row)
    total: Row = {"file": "覆盖文件数 files covering"}
    total.update({t.name: covering[t.key] for t in rules.topics})
    total["core_covered"] = ""
    rows.append(total)
    return rows


def topic_evidence_rows(results: Sequence[ScreenResult]) -> list[Row]:
    """Return the evidence table: per file and topic found, the pages and the first sentences
    that matched, each with its page (what reviewers check the coverage against); pure."""
    return [
        {
            "file": r.file,
            "topic": c.name,
            "covered": "是" if c.covered else "否",
            "hits": c.hits,
            "pages": "、".join(map(str, c.pages[:20])) + ("…" if len(c.pages) > 20 else ""),
            "evidence": " / ".join(f"第{e.page}页：{e.text}" for e in c.evidence),
        }
        for r in results
        for c in r.topics
        if c.hits
    ]
