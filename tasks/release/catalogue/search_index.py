"""Build the catalogue's static full-text index with Pagefind (the `pagefind[extended]` wheel's
binary: the extended build segments Chinese into words when indexing).

`run_pagefind` indexes the report text pages of a built site (`text/**/*.html`) into a fresh
folder beside the site and then swaps it in for `<site>/pagefind/`, so a web server serving the
site never mixes two indexes' files. Pagefind has no incremental mode; it re-reads every page,
which is cheap next to reading the PDFs (measured in benchmarks/search.py). Raises
`SearchIndexFailed` with Pagefind's own message when it fails. Writes only inside the site.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

from pagefind.service import get_executable

__all__ = [
    "INDEX_DIR",
    "TEXT_GLOB",
    "IndexRun",
    "SearchIndexFailed",
    "pagefind_binary",
    "run_pagefind",
]

INDEX_DIR = "pagefind"
TEXT_GLOB = "text/**/*.html"
TIMEOUT_SECONDS = 1800
_PAGES = re.compile(r"Indexed (\d+) pages?")
_WORDS = re.compile(r"Indexed (\d+) words?")


class SearchIndexFailed(RuntimeError):
    """Pagefind could not build the index (its message is kept)."""

    def __init__(self, site: Path, message: str) -> None:
        self.site = site
        self.message = message
        super().__init__(f"pagefind could not index {site}: {message}")


class IndexRun(NamedTuple):
    """One run of Pagefind: pages and words indexed, seconds, bytes of the index."""

    pages: int
    words: int
    seconds: float
    index_bytes: int


def pagefind_binary() -> Path:
    """Return the Pagefind binary shipped by the pagefind[extended] wheel (or on the PATH)."""
    found = get_executable()
    if found is None:
        raise SearchIndexFailed(Path("."), "no pagefind binary: pip install 'pagefind[extended]'")
    return found


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under `folder`; reads the directory tree."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_pagefind(site: Path, glob: str = TEXT_GLOB) -> IndexRun:
    """Index the pages of `site` matching `glob` into `site/pagefind/`; return what it did.

    Side effects: runs the Pagefind binary (a child process), writes `site/.pagefind-new/`,
    then replaces `site/pagefind/` with it (the old index is removed).
    """
    fresh = site / f".{INDEX_DIR}-new"
    stale = site / f".{INDEX_DIR}-old"
    for folder in (fresh, stale):
        shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    command = [str(pagefind_binary()), "--site", str(site), "--glob", glob]
    command += ["--output-path", str(fresh)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexFailed(site, f"{type(exc).__name__}: {exc}") from exc
    if done.returncode != 0 or not (fresh / "pagefind.js").is_file():
        raise SearchIndexFailed(site, (done.stderr or done.stdout).strip()[-500:])
    seconds = time.perf_counter() - started
    target = site / INDEX_DIR
    if target.exists():
        target.rename(stale)
    fresh.rename(target)
    shutil.rmtree(stale, ignore_errors=True)
    pages = _PAGES.search(done.stdout)
    words = _WORDS.search(done.stdout)
    return IndexRun(
        pages=int(pages.group(1)) if pages else 0,
        words=int(words.group(1)) if words else 0,
        seconds=seconds,
        index_bytes=folder_bytes(target),
    )
