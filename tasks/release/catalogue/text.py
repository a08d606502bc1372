"""Read the text of the released report PDFs, page by page, for the catalogue's full-text search.

The text of a released report normally comes from the database: the screening stored every page
at intake (report_page; tasks/release/catalogue/stored_text.py reads it). This module reads a PDF
only for a report screened before the pages were stored. Both paths give a page the same shape
(`page_text`: lines wrapped inside Chinese text joined, as the screening stores them, then
`clean_text`), so a report is found by the same words whichever path its text took.
`extract_pages` reads one PDF with pypdf (`page.extract_text()` per page; a page that fails is
an empty page, counted, and never stops the others). `report_texts` reads many, keeping each
file's text in a cache folder by the file's SHA-256 (`<cache>/<sha256>.json`), so a re-build
reads only new or changed reports; misses are read in worker processes (pebble: a per-file
timeout, so one pathological file costs at most that long and reads as no text). Released PDFs
were screened already (tasks/submit/pdf/), so this trusts them to open. Writes only the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import NamedTuple

from pebble import ProcessPool
from pypdf import PdfReader

from schemas.search_tables import searchable_text
from tasks.release.catalogue.files import write_if_changed

__all__ = [
    "ReportSource",
    "ReportText",
    "clean_text",
    "extract_pages",
    "file_sha256",
    "join_wrapped",
    "page_text",
    "paragraphs",
    "report_texts",
]

log = logging.getLogger(__name__)

SECONDS_PER_FILE = 120.0
CACHE_VERSION = 2  # bump when the text a page keeps changes shape (2: `page_text`)
_SPACES = re.compile(r"[ \t\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SENTENCE_END = "。！？；：!?;:）)”"
# Inside a line, a full stop, exclamation or question mark followed by more text starts a new
# paragraph: the joined lines no longer show where a paragraph ended.
_SENTENCE_BREAK = re.compile("(?<=[。！？])(?=[^。！？”’）」』】》，、\\s])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class ReportSource(NamedTuple):
    """One report PDF to read: where it is and its SHA-256 ("" = compute it)."""

    path: Path
    sha256: str = ""


class ReportText(NamedTuple):
    """The text of one report, one string per page (1-based page n is `pages[n - 1]`)."""

    pages: tuple[str, ...]
    page_errors: int = 0


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes (hex); reads the file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clean_text(text: str) -> str:
    """Return page text with control characters dropped and runs of spaces and blank lines
    folded (pypdf's layout spaces mean nothing to a search index); pure."""
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def join_wrapped(text: str) -> str:
    """Return text with NUL characters dropped and lines wrapped inside Chinese text joined
    (碳达\n峰 -> 碳达峰), as the screening stores a page (the same function). Pure."""
    return searchable_text(text)


def page_text(text: str) -> str:
    """Return the text a page keeps for the site, from pypdf's text or the stored page's text
    (the same result from either: `join_wrapped`, then `clean_text`). Pure."""
    return clean_text(join_wrapped(text))


def paragraphs(text: str) -> list[str]:
    """Return a page's text as paragraphs: a line that does not end a sentence runs on into the
    next (PDF lines are wrapped, and a word cut by the wrap must stay whole to be found); a
    line break between two Latin letters or digits becomes a space; a Chinese full stop (。！？)
    inside a line ends a paragraph too (the wrapped lines were joined). Pure."""
    found: list[str] = []
    current = ""
    for line in (part.strip() for part in text.split("\n")):
        if not line:
            continue
        if current and current[-1].isascii() and current[-1].isalnum() and line[0].isascii():
            current += " "
        current += line
        if current[-1] in _SENTENCE_END:
            found.append(current)
            current = ""
    if current:
        found.append(current)
    return [part for para in found for part in _SENTENCE_BREAK.split(para) if part]


def extract_pages(path: Path) -> ReportText:
    """Return the text of each page of the PDF at `path`; reads the file.

    A page whose extraction raises reads as "" and is counted in `page_errors`; a file that
    does not open raises pypdf's error (the caller counts it as a report without text).
    """
    reader = PdfReader(path)
    pages: list[str] = []
    errors = 0
    for page in reader.pages:
        try:
            pages.append(page_text(page.extract_text() or ""))
        except Exception:
            pages.append("")
            errors += 1
    return ReportText(tuple(pages), errors)


def _cache_file(cache: Path, sha256: str) -> Path:
    return cache / f"{sha256}.json"


def _read_cache(cache: Path, sha256: str) -> ReportText | None:
    """Return the cached text of a file, or None when absent, unreadable or of another version."""
    try:
        data = json.loads(_cache_file(cache, sha256).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return None
    return ReportText(tuple(str(p) for p in data.get("pages", [])), int(data.get("errors", 0)))


def _write_cache(cache: Path, sha256: str, text: ReportText) -> None:
    """Keep a file's text in the cache folder."""
    data = {"version": CACHE_VERSION, "pages": list(text.pages), "errors": text.page_errors}
    write_if_changed(_cache_file(cache, sha256), json.dumps(data, ensure_ascii=False).encode())


def _read_misses(paths: list[Path], workers: int) -> list[ReportText | None]:
    """Return the text of each file, read in worker processes (None: it failed or timed out)."""
    if not paths:
        return []
    found: list[ReportText | None] = []
    with ProcessPool(max_workers=max(1, min(workers, len(paths))), max_tasks=200) as pool:
        futures = [pool.schedule(extract_pages, args=[p], timeout=SECONDS_PER_FILE) for p in paths]
        for path, future in zip(paths, futures, strict=True):
            try:
                found.append(future.result())
            except FutureTimeout:
                log.warning("report text: %s took longer than %ss", path.name, SECONDS_PER_FILE)
                found.append(None)
            except Exception as exc:
                log.warning("report text: %s could not be read (%s)", path.name, type(exc).__name__)
                found.append(None)
    return found


def report_texts(
    sources: Mapping[str, ReportSource], cache: Path, workers: int | None = None
) -> tuple[dict[str, ReportText], int]:
    """Return (key -> text of its report, how many files were read this time).

    Side effects: reads the PDFs missing from the cache folder `cache` (in `workers` processes,
    default the CPU count) and writes their text there. A file that cannot be read is missing
    from the result (and not cached, so a later build tries again).
    """
    shas = {k: s.sha256 or file_sha256(s.path) for k, s in sources.items()}
    texts: dict[str, ReportText] = {}
    misses: dict[str, list[str]] = {}  # sha256 -> keys (one file may be listed twice)
    for key, sha in shas.items():
        cached = _read_cache(cache, sha)
        if cached is not None:
            texts[key] = cached
        else:
            misses.setdefault(sha, []).append(key)
    order = sorted(misses)
    paths = [sources[misses[sha][0]].path for sha in order]
    for sha, text in zip(order, _read_misses(paths, workers or os.cpu_count() or 1), strict=True):
        if text is None:
            continue
        _write_cache(cache, sha, text)
        for key in misses[sha]:
            texts[key] = text
    return texts, len(order)
