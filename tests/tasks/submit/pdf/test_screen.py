"""The PDF pre-screen on real files: generated reports (normal, encrypted, truncated, scanned,
wrong year, not a PDF), hand-made hostile PDFs, and faults injected into real worker processes.

Everything runs through pypdf and pebble for real; the files and the failing workers come from
tests/screenkit.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from screenkit import (
    MIB,
    allocate_on_marker,
    exit_or_kill_on_marker,
    handmade_pdf,
    sleep_on_marker,
    write_test_files,
)

import tasks.submit.pdf.screen
from schemas.campaign_file import CampaignFile
from schemas.screening import (
    PROBLEM_TEXTS,
    ScreenCode,
    ScreenLimits,
    ScreenResult,
    ScreenRules,
    TopicCoverage,
    rules_from_campaign,
    screen_problem,
)
from tasks.submit.pdf.screen import (
    screen_batch_summary,
    screen_many,
    screen_pdf,
    topic_heat_rows,
    wait_for_quiet,
)


@pytest.fixture(scope="module")
def rules(campaign_2024: CampaignFile) -> ScreenRules:
    """The 2024 campaign's screen rules."""
    return rules_from_campaign(campaign_2024)


@pytest.fixture(scope="module")
def files(campaign_2024: CampaignFile, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every test file (screenkit.write_test_files), written once for the module."""
    return write_test_files(campaign_2024, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def batch(files: dict[str, Path], rules: ScreenRules) -> dict[str, ScreenResult]:
    """Every ordinary test file screened in one pool run (2 workers), by name."""
    names = [n for n in files if n != "slow"]
    limits = ScreenLimits(max_pages=200)
    results = screen_many([files[n] for n in names], rules, limits, workers=2)
    assert [r.file for r in results] == [files[n].name for n in names]  # input order
    return dict(zip(names, results, strict=True))


# --- one result per kind of file ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("normal", []),
        ("owner-password", []),
        ("encrypted", ["pdf-encrypted"]),
        ("truncated", ["pdf-unreadable"]),
        ("scanned", ["pdf-scanned"]),
        ("wrong-year", ["pdf-wrong-year"]),
        ("not-a-pdf", ["pdf-not-a-pdf"]),
        ("text.pdf", ["pdf-not-a-pdf"]),
        ("empty", ["pdf-not-a-pdf"]),
        ("bomb", ["pdf-unreadable"]),
        ("many-pages", ["pdf-too-many-pages"]),
    ],
)
def test_screen_many_gives_each_kind_of_file_its_problem_codes(
    batch: dict[str, ScreenResult], name: str, codes: list[str]
) -> None:
    assert batch[name].codes == codes


def test_normal_report_is_read_whole_and_covers_every_core_topic(
    batch: dict[str, ScreenResult], files: dict[str, Path], rules: ScreenRules
) -> None:
    result = batch["normal"]

    assert (result.opened, result.encrypted, result.scanned) == (True, False, False)
    assert result.pages == result.pages_read == len(PdfReader(files["normal"]).pages)
    assert result.sha256 == hashlib.sha256(files["normal"].read_bytes()).hexdigest()
    assert result.size == files["normal"].stat().st_size
    assert (result.core_topics_covered, result.report_year_found) == (9, True)
    assert max(result.years_found, key=lambda y: result.years_found[y]) == rules.report_year
    assert result.standards_cited != []
    assert result.hints["completeness"] == 1.0
    assert result.hints["materiality"] is True
    assert result.usable is True


def test_encrypted_report_is_not_opened(batch: dict[str, ScreenResult]) -> None:
    result = batch["encrypted"]

    assert (result.encrypted, result.opened, result.pages, result.pages_read) == (
        True,
        False,
        None,
        0,
    )
    assert result.usable is False


def test_report_with_only_an_owner_password_opens_with_the_empty_password(
    batch: dict[str, ScreenResult],
) -> None:
    result = batch["owner-password"]

    assert (result.encrypted, result.opened, result.core_topics_covered) == (True, True, 9)


def test_truncated_report_records_pypdfs_error(batch: dict[str, ScreenResult]) -> None:
    result = batch["truncated"]

    assert (result.error_class, result.opened) == ("PdfStreamError", False)
    assert result.problems[0].reason_en == (
        "the PDF is damaged or cannot be read: PdfStreamError: Stream has ended unexpectedly"
    )


def test_scanned_report_is_opened_and_flagged_not_failed(batch: dict[str, ScreenResult]) -> None:
    result = batch["scanned"]

    assert (result.opened, result.scanned, result.cjk_chars, result.usable) == (True, True, 0, True)
    assert result.pages == result.pages_read > 0


def test_report_with_scanned_pages_inside_lists_them_and_is_flagged(
    files: dict[str, Path], rules: ScreenRules, tmp_path: Path
) -> None:
    """A real report with a scanned chapter appended: the average text per page is still
    plenty, the pages without a text layer are listed and the share is over the limit."""
    writer = PdfWriter(clone_from=PdfReader(files["normal"]))
    text_pages = len(writer.pages)
    writer.append(PdfReader(files["scanned"]))
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)

    result = screen_pdf(mixed, rules, ScreenLimits())

    assert result.scanned is False
    assert result.image_pages == list(range(text_pages + 1, result.pages_read + 1))
    assert "pdf-partly-scanned" in result.codes
    assert "pdf-scanned" not in result.codes


def test_wrong_year_report_names_the_year_it_is_about(
    batch: dict[str, ScreenResult], rules: ScreenRules
) -> None:
    result = batch["wrong-year"]

    assert result.other_year == rules.report_year - 1
    assert result.years_found[rules.report_year - 1] > result.years_found.get(rules.report_year, 0)


def test_files_that_are_not_pdfs_say_what_they_look_like(batch: dict[str, ScreenResult]) -> None:
    reasons = [batch[n].problems[0].reason_en for n in ("text.pdf", "empty")]

    assert reasons == [
        "the file is not a PDF: no %PDF header",
        "the file is not a PDF: the file is empty (0 bytes)",
    ]
    assert batch["not-a-pdf"].problems[0].reason_en.startswith("the file is not a PDF: it looks")


def test_decompression_bomb_stops_at_pypdfs_limit(batch: dict[str, ScreenResult]) -> None:
    result = batch["bomb"]

    assert (result.error_class, result.page_errors, result.pages) == ("LimitReachedError", 1, 1)
    assert result.seconds is not None
    assert result.seconds < 5


def test_huge_page_count_reads_only_the_first_max_pages(
    files: dict[str, Path], rules: ScreenRules
) -> None:
    result = screen_pdf(files["many-pages"], rules, ScreenLimits(max_pages=40))

    assert (result.pages, result.pages_read, result.codes) == (3000, 40, ["pdf-too-many-pages"])
    assert result.problems[0].reason_en == (
        "too many pages: 3000 pages, more than the limit of 40; only the first 40 were checked"
    )


def test_file_over_the_byte_cap_is_refused_unread(tmp_path: Path, rules: ScreenRules) -> None:
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:  # a sparse 8 GiB file: reading or hashing it takes seconds
        fh.write(b"%PDF-1.7\n")
        fh.truncate(8 << 30)

    (result,) = screen_many([huge], rules, ScreenLimits(), workers=1)

    assert (result.codes, result.sha256, result.opened, result.size) == (
        ["pdf-too-large"],
        None,
        False,
        8 << 30,
    )
    assert result.problems[0].reason_en == "the file is too large: 8192.0 MiB > 100.0 MiB"
    assert result.seconds is not None
    assert result.seconds < 0.5


def test_pypdf_limits_shrink_with_the_memory_limit(tmp_path: Path, rules: ScreenRules) -> None:
    bomb = tmp_path / "bomb-40.pdf"  # inflates to 40 MiB: under pypdf's 75 MB default limit
    bomb.write_bytes(handmade_pdf([b"BT /F1 12 Tf (x) Tj ET\n" + b" " * (40 * MIB)]))

    result = screen_pdf(bomb, rules, ScreenLimits(memory_bytes=256 * MIB))  # cap: 32 MiB

    assert (result.codes, result.error_class) == (["pdf-unreadable"], "LimitReachedError")


# --- hostile files and faults: one file fails, the batch goes on ----------------------------


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


# --- tables for the artifacts ---------------------------------------------------------------


def _result(
    name: str, problems: list[str], hits: dict[str, int], rules: ScreenRules
) -> ScreenResult:
    """Return a screened-file result with the given problem codes and topic mentions."""
    topics = [
        TopicCoverage(
            key=t.key,
            name=t.name,
            kind=t.kind,
            hits=hits.get(t.key, 0),
            pages=[1] if hits.get(t.key) else [],
            covered=hits.get(t.key, 0) >= 3,
        )
        for t in rules.topics
    ]
    return ScreenResult(
        file=name,
        size=10,
        pages=4,
        topics=topics if hits else [],
        core_topics_covered=sum(1 for t in topics if t.covered and t.kind == "core"),
        problems=[screen_problem(ScreenCode(c), "细节", "detail") for c in problems],
    )


def test_screen_batch_summary_lists_errors_first_then_warnings(rules: ScreenRules) -> None:
    results = [
        _result("a.pdf", ["pdf-topics-missing", "pdf-no-standard"], {"governance": 5}, rules),
        _result("b.pdf", [], {"governance": 5}, rules),
        _result("c.pdf", ["pdf-encrypted"], {}, rules),
    ]

    rows = screen_batch_summary(results)

    assert [(r["file"], r["severity"], r["code"]) for r in rows] == [
        ("c.pdf", "error", "pdf-encrypted"),
        ("a.pdf", "warning", "pdf-topics-missing"),
        ("a.pdf", "warning", "pdf-no-standard"),
    ]
    assert rows[1] == {
        "severity": "warning",
        "file": "a.pdf",
        "code": "pdf-topics-missing",
        "reason_zh": "未覆盖的核心议题：细节",
        "reason_en": "core topics not covered: detail",
        "pages": 4,
    }


def test_topic_heat_rows_give_mentions_per_topic_and_files_covering(rules: ScreenRules) -> None:
    results = [
        _result("a.pdf", [], {"governance": 5, "green": 1}, rules),
        _result("b.pdf", [], {"governance": 3, "community": 7}, rules),
        _result("c.pdf", ["pdf-encrypted"], {}, rules),
    ]

    rows = topic_heat_rows(results, rules)

    names = [t.name for t in rules.topics]
    assert list(rows[0]) == ["file", *names, "core_covered"]
    assert [
        (r["file"], r["组织治理"], r["社区参与"], r["绿色发展与双碳"], r["core_covered"])
        for r in rows
    ] == [
        ("a.pdf", 5, 0, 1, "1/9"),
        ("b.pdf", 3, 7, 0, "2/9"),
        ("c.pdf", "", "", "", ""),
        ("覆盖文件数 files covering", 2, 1, 0, ""),
    ]


def test_module_docstring_lists_every_code_with_its_severity() -> None:
    doc = tasks.submit.pdf.screen.__doc__ or ""
    listed = dict(re.findall(r"^ {4}(pdf-[a-z-]+) +(error|warning) ", doc, re.MULTILINE))

    assert listed == {
        code.value: severity.value for code, (severity, _, _) in PROBLEM_TEXTS.items()
    }
