"""Build the catalogue's static full-text index with Pagefind (the `pagefind[extended]` wheel's
binary: the extended build segments Chinese into words when indexing), as several indexes.

The text pages are split into shards: one per year, and a year with more than `SHARD_REPORTS`
reports into ceil(n / SHARD_REPORTS) shards by a stable hash of the report's slug. Each shard is
its own Pagefind index under `<site>/pagefind/<year>-<i>/`; the search page merges them in the
browser (Pagefind's `mergeIndex`). Two reasons, both measured (docs/knowledge-base.md): Pagefind's
search in the browser costs about (pages matched) x (postings of the matched words) per index,
so a term found in thousands of reports is answered faster by several smaller indexes; and a
changed report re-indexes only its shard (Pagefind has no incremental mode).

`index_shards` runs Pagefind for the shards whose pages changed (or whose set of pages changed,
or whose index is missing), each into a fresh folder that then replaces the shard's folder;
`remove_unplanned` removes the folders of shards no longer planned (called once the search page
no longer names them). `<site>/pagefind/shards.json` records which pages each indexed shard
holds. Raises `SearchIndexFailed` with Pagefind's own message when it
fails. Writes only inside the site.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from pagefind.service import get_executable

from tasks.release.catalogue.files import write_if_changed

__all__ = [
    "INDEX_DIR",
    "MANIFEST",
    "SHARD_REPORTS",
    "TEXT_GLOB",
    "IndexRun",
    "SearchIndexFailed",
    "folder_bytes",
    "index_shards",
    "pagefind_binary",
    "remove_unplanned",
    "shard_plan",
]

INDEX_DIR = "pagefind"
MANIFEST = "shards.json"
SHARD_REPORTS = 1000  # reports per shard at most (before the hash's spread)
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
    """The Pagefind runs of one build: shards indexed, their pages and words (summed over the
    shards run), seconds."""

    shards: int
    pages: int
    words: int
    seconds: float


def pagefind_binary() -> Path:
    """Return the Pagefind binary shipped by the pagefind[extended] wheel (or on the PATH)."""
    found = get_executable()
    if found is None:
        raise SearchIndexFailed(Path("."), "no pagefind binary: pip install 'pagefind[extended]'")
    return found


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under `folder`; reads the directory tree."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _bucket(slug: str, shards: int) -> int:
    """Return the shard (0 .. shards-1) of a report's slug: a stable hash, not Python's."""
    return int.from_bytes(hashlib.sha256(slug.encode("utf-8")).digest()[:8], "big") % shards


def shard_plan(
    years: Mapping[int, Collection[str]], size: int = SHARD_REPORTS
) -> dict[str, tuple[str, ...]]:
    """Return shard name ("<year>-<i>") -> its text pages ("text/<year>/<slug>.html", sorted),
    newest year first: a year's slugs split into ceil(n / size) shards by hash; pure."""
    plan: dict[str, tuple[str, ...]] = {}
    for year in sorted(years, reverse=True):
        slugs = sorted(set(years[year]))
        count = max(1, math.ceil(len(slugs) / size))
        groups: list[list[str]] = [[] for _ in range(count)]
        for slug in slugs:
            groups[_bucket(slug, count)].append(f"text/{year}/{slug}.html")
        for i, pages in enumerate(groups):
            if pages:
                plan[f"{year}-{i}"] = tuple(pages)
    return plan


def _manifest(index: Path) -> dict[str, list[str]]:
    """Return the shards recorded as indexed (name -> pages); {} when none or unreadable."""
    try:
        found = json.loads((index / MANIFEST).read_text("utf-8"))
        return {str(k): [str(p) for p in v] for k, v in found["shards"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_manifest(index: Path, shards: Mapping[str, Sequence[str]]) -> None:
    """Record which pages each indexed shard holds (atomically)."""
    data = {"shards": {name: list(pages) for name, pages in sorted(shards.items())}}
    write_if_changed(index / MANIFEST, json.dumps(data, ensure_ascii=False, indent=0).encode())


def _stage(site: Path, stage: Path, pages: Sequence[str]) -> None:
    """Make `stage` hold the shard's pages at their paths in the site (hard links, or copies)."""
    shutil.rmtree(stage, ignore_errors=True)
    for rel in pages:
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / rel, target)
        except OSError:
            shutil.copyfile(site / rel, target)


def _run_one(site: Path, name: str, pages: Sequence[str]) -> tuple[int, int]:
    """Index one shard into `site/pagefind/<name>/` (a fresh folder swapped in); return (pages,
    words). Side effects: the Pagefind binary runs over a staged copy of the shard's pages."""
    stage, fresh = site / f".{INDEX_DIR}-stage" / name, site / f".{INDEX_DIR}-new" / name
    stale = site / f".{INDEX_DIR}-old" / name
    for folder in (fresh, stale):
        shutil.rmtree(folder, ignore_errors=True)
    _stage(site, stage, pages)
    command = [str(pagefind_binary()), "--site", str(stage), "--output-path", str(fresh)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexFailed(site, f"{type(exc).__name__}: {exc}") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    if done.returncode != 0 or not (fresh / "pagefind.js").is_file():
        raise SearchIndexFailed(site, (done.stderr or done.stdout).strip()[-500:])
    target = site / INDEX_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    stale.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rename(stale)
    fresh.rename(target)
    shutil.rmtree(stale, ignore_errors=True)
    found_pages, found_words = _PAGES.search(done.stdout), _WORDS.search(done.stdout)
    return (
        int(found_pages.group(1)) if found_pages else 0,
        int(found_words.group(1)) if found_words else 0,
    )


def remove_unplanned(site: Path, plan: Mapping[str, Sequence[str]]) -> int:
    """Remove what `site/pagefind/` holds besides the planned shards and the manifest (old
    shards, and the single index of earlier builds); return how many entries went."""
    index = site / INDEX_DIR
    if not index.is_dir():
        return 0
    removed = 0
    for path in sorted(index.iterdir()):
        if path.name in plan or path.name == MANIFEST:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed += 1
    return removed


def index_shards(
    site: Path, plan: Mapping[str, Sequence[str]], changed: Collection[str]
) -> IndexRun | None:
    """Index the shards of `plan` that need it; return what ran, or None when none did.

    A shard runs when a page of it is in `changed` (paths relative to the site), when its pages
    differ from those recorded in the manifest, or when its index is missing. Side effects:
    runs the Pagefind binary once per such shard, replaces their folders under
    `site/pagefind/`, rewrites `site/pagefind/shards.json` (first without the shards about to
    run, so a failed run is retried by the next build). Removes no shard (remove_unplanned).
    """
    index = site / INDEX_DIR
    recorded = _manifest(index)
    to_run = [
        name
        for name, pages in plan.items()
        if recorded.get(name) != list(pages)
        or not (index / name / "pagefind.js").is_file()
        or any(p in changed for p in pages)
    ]
    kept = {name: recorded[name] for name in plan if name in recorded and name not in to_run}
    _write_manifest(index, kept)
    if not to_run:
        return None
    started = time.perf_counter()
    pages = words = 0
    for name in to_run:
        shard_pages, shard_words = _run_one(site, name, plan[name])
        pages, words = pages + shard_pages, words + shard_words
        kept[name] = list(plan[name])
    for folder in (f".{INDEX_DIR}-new", f".{INDEX_DIR}-old", f".{INDEX_DIR}-stage"):
        shutil.rmtree(site / folder, ignore_errors=True)
    _write_manifest(index, kept)
    return IndexRun(
        shards=len(to_run),
        pages=pages,
        words=words,
        seconds=time.perf_counter() - started,
    )
