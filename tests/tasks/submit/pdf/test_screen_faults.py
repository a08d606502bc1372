"""The PDF pre-screen (tasks/submit/pdf/screen.py) with hostile files and faults injected into real
worker processes: one file fails, the batch goes on.

Everything runs through pypdf and pebble for real; the files and the failing workers come from
tests/screenkit.py.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from screenkit import MIB, allocate_on_marker, exit_or_kill_on_marker, sleep_on_marker

from schemas.screening import ScreenLimits, ScreenRules
from tasks.submit.pdf.screen import screen_many, wait_for_quiet


def test_slow_file_stops_at_its_cpu_limit_alone_and_is_retried_once(
    files: dict[str, Path], rules: ScreenRules
) -> None:
    paths = [files["normal"], files["slow"], files["wrong-year"], files["scanned"]]
    limits = ScreenLimits(cpu_seconds_per_file=1, seconds_per_file=60, retry_quiet_wait=0)

    started = time.perf_counter()
    results = screen_many(paths, rules, limits, workers=2)
    elapsed = time.perf_counter() - started

    assert [r.codes for r in results] == [[], ["pdf-timeout"], ["pdf-wrong-year"], ["pdf-scanned"]]
    assert (results[1].seconds, results[1].error_class) == (1.0, "CpuTimeExceeded")
    assert [r.attempts for r in results] == [1, 2, 1, 1]
    assert results[1].sha256 == hashlib.sha256(files["slow"].read_bytes()).hexdigest()
    assert "两次尝试" in results[1].problems[0].advice_zh
    assert elapsed < 20  # the slow file alone needs far longer than its two CPU seconds


def test_cpu_limit_is_per_file_so_a_worker_screens_many_files(
    files: dict[str, Path], rules: ScreenRules
) -> None:
    """One worker screens five normal reports under a 1 s CPU limit each: the limit is set
    afresh per file, not spent by the worker's earlier files."""
    limits = ScreenLimits(cpu_seconds_per_file=1, retry_quiet_wait=0)

    results = screen_many([files["normal"]] * 5, rules, limits, workers=1)

    assert [r.codes for r in results] == [[]] * 5


def test_wall_clock_backstop_stops_a_worker_that_uses_no_cpu(
    files: dict[str, Path], rules: ScreenRules, tmp_path: Path
) -> None:
    asleep = tmp_path / "asleep.pdf"
    asleep.write_bytes(files["normal"].read_bytes())
    limits = ScreenLimits(cpu_seconds_per_file=60, seconds_per_file=1.5, retry_quiet_wait=0)

    results = screen_many(
        [asleep, files["normal"]], rules, limits, workers=2, worker=sleep_on_marker
    )

    assert [r.codes for r in results] == [["pdf-timeout"], []]
    assert (results[0].error_class, results[0].attempts) == ("TimeoutError", 2)


def test_wait_for_quiet_returns_at_its_limit_on_a_busy_machine() -> None:
    started = time.perf_counter()
    wait_for_quiet(0.3, poll=0.05)
    elapsed = time.perf_counter() - started

    busy = os.getloadavg()[0] >= (os.cpu_count() or 1)
    assert elapsed < 1.0
    assert elapsed >= 0.25 if busy else elapsed < 0.25


def test_dead_worker_fails_only_its_own_file(
    files: dict[str, Path], rules: ScreenRules, tmp_path: Path
) -> None:
    crash, killed = tmp_path / "crash.pdf", tmp_path / "killed.pdf"
    crash.write_bytes(files["normal"].read_bytes())
    killed.write_bytes(files["normal"].read_bytes())
    paths = [files["normal"], crash, files["scanned"], killed, files["wrong-year"]]

    results = screen_many(paths, rules, ScreenLimits(), workers=2, worker=exit_or_kill_on_marker)

    assert [r.codes for r in results] == [
        [],
        ["pdf-worker-crashed"],
        ["pdf-scanned"],
        ["pdf-worker-crashed"],
        ["pdf-wrong-year"],
    ]
    assert [results[i].problems[0].reason_en for i in (1, 3)] == [
        "the process reading the PDF stopped unexpectedly: exit code 3",
        "the process reading the PDF stopped unexpectedly: killed by SIGKILL",
    ]


def test_memory_limit_turns_a_huge_allocation_into_a_problem(
    files: dict[str, Path], rules: ScreenRules, tmp_path: Path
) -> None:
    hog = tmp_path / "hog.pdf"
    hog.write_bytes(files["normal"].read_bytes())

    results = screen_many(
        [hog, files["normal"]], rules, ScreenLimits(), workers=1, worker=allocate_on_marker
    )

    assert [r.codes for r in results] == [["pdf-too-large-in-memory"], []]
    assert results[0].error_class == "MemoryError"


def test_pdf_that_needs_more_memory_than_allowed_fails_alone(
    files: dict[str, Path], rules: ScreenRules
) -> None:
    limits = ScreenLimits(memory_bytes=256 * MIB, seconds_per_file=30)

    results = screen_many([files["slow"], files["normal"]], rules, limits, workers=2)

    assert [r.codes for r in results] == [["pdf-too-large-in-memory"], []]
    assert (
        results[0].problems[0].reason_en
        == "reading the PDF needs more memory than allowed (256 MiB)"
    )


def test_screen_many_with_no_workers_still_isolates_and_keeps_order(
    files: dict[str, Path], rules: ScreenRules
) -> None:
    paths = [files["scanned"], files["normal"], files["empty"]]
    seen: list[tuple[int, int]] = []

    results = screen_many(
        paths, rules, ScreenLimits(), workers=0, progress=lambda d, t: seen.append((d, t))
    )

    assert [r.file for r in results] == ["scanned.pdf", "normal.pdf", "empty.pdf"]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert screen_many([], rules, ScreenLimits()) == []
