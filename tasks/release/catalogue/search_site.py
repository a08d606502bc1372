"""Build the site over all years (the knowledge base): every season's catalogue, the text of
every released report made searchable, a page per unit across years and the case library.

`build_search_site` writes into one folder (workspace/release/site/ when published from the
database): each season's catalogue mirrored under <year>/ (hard links to the files of
release/<year>/catalogue/, copies where links are impossible), text/<year>/<slug>.html per
report (its text, one section per PDF page), units/<slug>.html, units.html, cases.html, the
search page index.html and assets/, then the Pagefind indexes under pagefind/<shard>/ (one per
year, or several for a large year; search_index.py), of which only the shards whose text pages
changed are re-built. A report's text is the one the screening stored (`stored`, read from the
database by the caller); only a report without stored pages has its PDF read, once per file
content (cached by SHA-256 in `cache_dir`, outside the site). Files are replaced atomically and
only when their bytes change; pages of reports no longer listed are removed. Reads no database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from schemas.catalogue import CatalogueEdition
from tasks.release.catalogue.files import copy_if_changed, remove_unlisted, write_if_changed
from tasks.release.catalogue.search_index import (
    INDEX_DIR,
    IndexRun,
    folder_bytes,
    index_shards,
    remove_unplanned,
    shard_plan,
)
from tasks.release.catalogue.search_pages import (
    render_cases,
    render_search_page,
    render_text_page,
    render_unit_page,
    render_units,
    unit_histories,
)
from tasks.release.catalogue.site import TEMPLATES, WRITERS
from tasks.release.catalogue.text import ReportSource, report_texts

__all__ = ["SITE_ASSETS", "SearchSiteBuild", "build_search_site", "mirror_tree"]

SITE_ASSETS = ("site.css", "search.css", "search.js")


class SearchSiteBuild(BaseModel):
    """What one build of the site over all years did."""

    model_config = ConfigDict(frozen=True)

    site_dir: str
    index: str
    years: list[int]
    reports: int
    units: int
    cases: int
    texts_read: int  # PDFs read this time (reports without stored pages, not in the cache)
    texts_stored: int = 0  # reports whose text came from the pages stored at screening
    texts_missing: list[str]  # "<year>/<slug>" of reports with no text (none, unreadable, scanned)
    files_written: int
    files_unchanged: int
    files_removed: int
    files_mirrored: int  # season files linked or copied this time
    reindexed: bool
    index_pages: int  # pages indexed this time (in the shards re-built)
    index_seconds: float
    index_bytes: int
    index_shards: int = 0  # shards (Pagefind indexes) the site has
    shards_reindexed: int = 0  # of them re-built this time


def _link_or_copy(source: Path, target: Path) -> bool:
    """Make `target` the same file as `source` (a hard link; a copy when linking fails).

    Returns whether anything changed.
    """
    try:
        if target.exists() and os.path.samefile(source, target):
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        os.link(source, partial)
        os.replace(partial, target)
        return True
    except OSError:
        return copy_if_changed(source, target)


def mirror_tree(source: Path, target: Path) -> tuple[int, int]:
    """Make folder `target` hold the files of `source` (hard links or copies); remove the rest.

    Returns (files linked or copied, files removed). Hidden files (partials) are skipped.
    """
    wanted = {
        p.relative_to(source)
        for p in source.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    changed = sum(_link_or_copy(source / rel, target / rel) for rel in sorted(wanted))
    removed = 0
    if target.is_dir():
        for path in sorted(target.rglob("*")):
            if path.is_file() and path.relative_to(target) not in wanted:
                path.unlink()
                removed += 1
    return changed, removed


def _pages(
    editions: Sequence[CatalogueEdition],
    site: Path,
    texts: Mapping[str, Sequence[str]],
    with_pdf: Mapping[int, frozenset[str]],
    shards: Sequence[str],
) -> dict[Path, str]:
    """Return every page of the site by path (the search page merges `shards`); pure."""
    units = unit_histories(editions, with_pdf)
    pages = {
        site / "index.html": render_search_page(editions, shards),
        site / "units.html": render_units(editions, units),
        site / "cases.html": render_cases(editions),
    }
    for unit in units:
        pages[site / "units" / f"{unit.slug}.html"] = render_unit_page(editions, unit)
    for edition in editions:
        year = edition.campaign.year
        for entry in edition.entries:
            text = texts.get(f"{year}/{entry.slug}", ())
            has_pdf = entry.slug in with_pdf.get(year, frozenset())
            html = render_text_page(editions, edition.campaign, entry, text, has_pdf)
            pages[site / "text" / str(year) / f"{entry.slug}.html"] = html
    return pages


def _mirror_seasons(season_dirs: Mapping[int, Path], site: Path) -> tuple[int, int]:
    """Mirror each season's catalogue under <year>/; return (files changed, files removed)."""
    mirrored = removed = 0
    for year, folder in sorted(season_dirs.items()):
        changed, gone = mirror_tree(folder, site / str(year))
        mirrored, removed = mirrored + changed, removed + gone
    return mirrored, removed


def _write(site: Path, pages: Mapping[Path, str], assets: bool) -> tuple[list[Path], int]:
    """Write the pages (and the assets) where their bytes changed; return (written, files).

    Creating thousands of files is bound by the file system's latency: a few threads overlap it.
    """
    files = {path: html.encode("utf-8") for path, html in pages.items()}
    for name in SITE_ASSETS if assets else ():
        files[site / "assets" / name] = (TEMPLATES / name).read_bytes()
    for folder in {path.parent for path in files}:
        folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        done = list(pool.map(write_if_changed, files, files.values()))
    return [path for path, wrote in zip(files, done, strict=True) if wrote], len(files)


def _remove_stale(editions: Sequence[CatalogueEdition], site: Path) -> int:
    """Remove text and unit pages of reports no longer listed; return how many."""
    removed = 0
    for edition in editions:
        slugs = {e.slug for e in edition.entries}
        removed += remove_unlisted(site / "text" / str(edition.campaign.year), ".html", slugs)
    every = {e.slug for edition in editions for e in edition.entries}
    return removed + remove_unlisted(site / "units", ".html", every)


def _texts(
    sources: Mapping[str, ReportSource],
    stored: Mapping[str, Sequence[str]],
    cache_dir: Path,
    workers: int | None,
) -> tuple[dict[str, Sequence[str]], int]:
    """Return (key -> its pages: the stored ones, else read from its PDF, PDFs read this time).

    Side effects: those of report_texts, for the reports not in `stored` only.
    """
    unstored = {key: source for key, source in sources.items() if key not in stored}
    read, count = report_texts(unstored, cache_dir, workers)
    texts: dict[str, Sequence[str]] = {key: text.pages for key, text in read.items()}
    return texts | {key: tuple(pages) for key, pages in stored.items()}, count


def _write_and_index(
    editions: Sequence[CatalogueEdition],
    site: Path,
    pages: Mapping[Path, str],
    plan: Mapping[str, Sequence[str]],
) -> tuple[list[Path], int, int, IndexRun | None]:
    """Write the pages, index the shards that changed, then write the search page and its
    script (they name the shards, so they change once the shards exist) and remove the old
    shards; return (written, files, stale pages removed, the Pagefind runs or None)."""
    search_page = {site / "index.html": pages[site / "index.html"]}
    rest = {path: html for path, html in pages.items() if path not in search_page}
    written, total = _write(site, rest, assets=False)
    changed = {p.relative_to(site).as_posix() for p in written if site / "text" in p.parents}
    stale = _remove_stale(editions, site)
    run = index_shards(site, plan, changed)
    front, count = _write(site, search_page, assets=True)
    remove_unplanned(site, plan)
    return written + front, total + count, stale, run


def build_search_site(
    editions: Sequence[CatalogueEdition],
    site: Path,
    sources: Mapping[str, ReportSource],
    season_dirs: Mapping[int, Path],
    cache_dir: Path,
    workers: int | None = None,
    stored: Mapping[str, Sequence[str]] | None = None,
) -> SearchSiteBuild:
    """Write the site over all `editions` into `site`; return what it did.

    `stored` maps "<year>/<slug>" to the report's pages as the screening stored them
    (stored_text.page_list); `sources` maps "<year>/<slug>" to the report PDF, read only for a
    report not in `stored`; `season_dirs` maps a year to its built season catalogue (mirrored
    under <year>/). Side effects: reads those PDFs not in `cache_dir` (in worker processes) and
    caches their text there; writes and removes files under `site`; runs Pagefind for each
    index shard whose text pages changed (or that has no index yet), then writes the search page
    (which names the shards) and removes the shards no longer planned.
    """
    editions = [
        e.model_copy(update={"season_pages": e.campaign.year in season_dirs})
        for e in sorted(editions, key=lambda e: e.campaign.year)
    ]
    stored = stored or {}
    texts, texts_read = _texts(sources, stored, cache_dir, workers)
    mirrored, removed = _mirror_seasons(season_dirs, site)
    with_pdf = {
        year: frozenset(p.stem for p in (site / str(year) / "pdf").glob("*.pdf"))
        for year in season_dirs
    }
    plan = shard_plan({ed.campaign.year: [e.slug for e in ed.entries] for ed in editions})
    pages = _pages(editions, site, texts, with_pdf, list(plan))
    written, total, stale, run = _write_and_index(editions, site, pages, plan)
    keys = [f"{ed.campaign.year}/{e.slug}" for ed in editions for e in ed.entries]
    return SearchSiteBuild(
        site_dir=str(site),
        index=str(site / "index.html"),
        years=[e.campaign.year for e in editions],
        reports=len(keys),
        units=len({e.slug for ed in editions for e in ed.entries}),
        cases=sum(
            1 for ed in editions for e in ed.entries for c in e.commendations if c.kind == "case"
        ),
        texts_read=texts_read,
        texts_stored=sum(1 for k in keys if k in stored),
        texts_missing=[k for k in keys if not any(p.strip() for p in texts.get(k, ()))],
        files_written=len(written),
        files_unchanged=total - len(written),
        files_removed=removed + stale,
        files_mirrored=mirrored,
        reindexed=run is not None,
        index_pages=run.pages if run else 0,
        index_seconds=run.seconds if run else 0.0,
        index_bytes=folder_bytes(site / INDEX_DIR),
        index_shards=len(plan),
        shards_reindexed=run.shards if run else 0,
    )
