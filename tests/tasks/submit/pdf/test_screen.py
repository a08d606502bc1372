"""The PDF pre-screen on real files: generated reports (normal, encrypted, truncated, scanned,
wrong year, not a PDF) and hand-made hostile PDFs, one result per kind of file. Faults injected
into real worker processes are in test_screen_faults.py, the artifacts' tables in
test_screen_tables.py.

Everything runs through pypdf and pebble for real; the files and the failing workers come from
tests/screenkit.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from screenkit import MIB, handmade_pdf

from schemas.screening import ScreenLimits, ScreenResult, ScreenRules
from tasks.submit.pdf.screen import screen_many, screen_pdf


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
