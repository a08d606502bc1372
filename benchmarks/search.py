"""Benchmark the catalogue's full-text search: index build, index size, first-result latency in
Chromium, incremental re-build; each against its physical limit, in one run.

Usage: python benchmarks/search.py [--reports 5000] [--workers 2] [--latency-runs 3] [--corpus DIR]

Writes `--reports` synthetic report PDFs with the demo generator (two processes, untimed) into a
temporary folder (deleted afterwards; `--corpus DIR` keeps them there and reuses them) and lists
them as two editions (2023: a fifth, 2024: the rest). Untimed, as the intake would have done it:
every PDF's text is extracted once with pypdf (what the screening does; its seconds are recorded
as `screening_extract`; `--corpus` keeps the text in DIR/texts.json) and stored as report_page
rows (the intake's own `page_rows`) in a SQLite file. Timed, in this order:
  build_cold        the product's path: the decided versions' pages read from the database
                    (`stored_pages`, `page_list`; its share reported apart), `build_search_site`
                    from nothing (no PDF read), every page rendered and written, Pagefind run;
  pagefind_baseline the Pagefind binary alone, one run over all the prepared text pages (one
                    index, kept for the latency comparison below): the limit of a build that
                    indexes everything (the text exists, the pages are written);
  build_unchanged   the same build again (nothing written or indexed);
  build_one_changed one report gets a new version with new stored pages: its page written, its
                    index shard re-built (the site's index is in shards: search_index.py).
Index size: bytes of pagefind/ (every shard) per report, and of the text pages. Latency, in
headless Chromium over http from 127.0.0.1 with the browser cache off, for three queries: `cold`
= navigation of index.html?q=TERM to the first result shown (page, script, index and fragments
loaded); `warm` = the query submitted in a page whose search is ready, to its first result
shown; `baseline_warm` = in such a page, Pagefind's own `search()` over the merged shards plus
the first result's `data()` (the limit of the engine; it shows nothing and checks nothing);
`one_index_warm` = the same over the single index of `pagefind_baseline` (what the site had
before the shards), in the same browser. Medians of `--latency-runs`. The 1-minute load average
is recorded before each part (the machine is shared: read the figures with it).
Writes benchmarks/results/search.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "tests"):  # run as a script: the project and the browser kit
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import pypdf  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from search_latency import ONE_INDEX, latencies, load  # noqa: E402  (beside this script)
from sqlmodel import Session  # noqa: E402

from deployments.demo.compose import clean_report_spec  # noqa: E402
from deployments.demo.population import make_units  # noqa: E402
from deployments.demo.report_model import ReportContext  # noqa: E402
from deployments.demo.reports import write_reports  # noqa: E402
from schemas.campaign_file import load_campaign_file  # noqa: E402
from schemas.catalogue import CatalogueEdition, CatalogueEntry  # noqa: E402
from schemas.search_tables import ReportPage  # noqa: E402
from tasks.release.catalogue.entries import catalogue_campaign  # noqa: E402
from tasks.release.catalogue.search_index import (  # noqa: E402
    TEXT_GLOB,
    folder_bytes,
    pagefind_binary,
)
from tasks.release.catalogue.search_site import build_search_site  # noqa: E402
from tasks.release.catalogue.stored_text import page_list, stored_pages  # noqa: E402
from tasks.release.catalogue.text import ReportSource  # noqa: E402
from tasks.submit.page_texts import page_rows  # noqa: E402  (the intake's own rows)

RESULTS = REPO / "benchmarks" / "results" / "search.json"
CAMPAIGN = load_campaign_file(REPO / "campaigns" / "2024.toml")


def write_corpus(folder: Path, reports: int) -> list[tuple[str, str, Path]]:
    """Write `reports` synthetic report PDFs (those not in `folder` already: the files depend
    only on the unit); return (uscc, unit name, path) for each."""
    ry = CAMPAIGN.campaign.report_year
    context = ReportContext(tuple(CAMPAIGN.topics), tuple(CAMPAIGN.standards), "发布会")
    jobs, listed = [], []
    folder.mkdir(parents=True, exist_ok=True)
    for unit in make_units(reports, 7, ry):
        spec = clean_report_spec(unit, f"search:{unit.index}", ry)
        path = folder / f"{unit.uscc}.pdf"
        if not path.is_file():
            jobs.append((spec, str(path)))
        listed.append((unit.uscc, unit.name, path))
    write_reports(context, jobs, 2, lambda _pages, _size: None)
    return listed


def editions(
    listed: list[tuple[str, str, Path]],
) -> tuple[list[CatalogueEdition], dict[str, ReportSource]]:
    """Return two editions over the corpus (2023: the first fifth) and the PDF of each report."""
    topics = tuple(t.name for t in CAMPAIGN.topics)
    cut = len(listed) // 5
    found, sources = [], {}
    for year, part in ((2023, listed[:cut]), (2024, listed[cut:])):
        header = catalogue_campaign(CAMPAIGN).model_copy(update={"year": year})
        entries = []
        for i, (uscc, name, path) in enumerate(part):
            slug = uscc.lower()
            entries.append(
                CatalogueEntry(
                    slug=slug,
                    unit_name=name,
                    industry=f"行业{i % 20:02d}",
                    district=f"区{i % 16:02d}",
                    topics=topics[: 3 + i % 8],
                    standards=("GB/T 36001-2015",),
                    grade="四星级",
                )
            )
            sources[f"{year}/{slug}"] = ReportSource(path)
        found.append(CatalogueEdition(campaign=header, entries=tuple(entries)))
    return found, sources


def _texts_of(path: Path) -> tuple[str, list[str]]:
    """Return (file name, every page's text) of one PDF, as the screening extracts it."""
    return path.name, [page.extract_text() for page in pypdf.PdfReader(path).pages]


def screening_texts(
    paths: list[Path], workers: int, keep: Path | None
) -> tuple[float, dict[str, list[str]]]:
    """Return (seconds, file name -> page texts): every PDF's text extracted once with pypdf in
    a process pool, as the screening does at intake (untimed for the builds). Reuses and writes
    `keep` (a JSON file) when given."""
    if keep is not None and keep.is_file():
        data = json.loads(keep.read_text("utf-8"))
        if set(data["texts"]) >= {p.name for p in paths}:
            return float(data["seconds"]), data["texts"]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        texts = dict(pool.map(_texts_of, paths, chunksize=8))
    seconds = time.perf_counter() - started
    if keep is not None:
        keep.write_text(json.dumps({"seconds": seconds, "texts": texts}, ensure_ascii=False))
    return seconds, texts


def store_pages(engine: sa.Engine, versions: dict[int, list[str]]) -> int:
    """Insert each version's pages into report_page as the intake stores them (`page_rows`);
    return the rows inserted."""
    rows = [r.model_dump() for sid, texts in versions.items() for r in page_rows(sid, texts)]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(sa.insert(ReportPage.__table__), rows[start : start + 5000])  # type: ignore[attr-defined]
    return len(rows)


def read_stored(engine: sa.Engine, versions: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """Return "<year>/<slug>" -> its pages, read from report_page as the product reads them
    (tasks/release/catalogue/editions.py: `stored_pages`, `page_list`)."""
    with Session(engine) as session:
        found = stored_pages(session, versions.values())
    return {key: page_list(found[sid]) for key, sid in versions.items() if sid in found}


def pagefind_baseline(site: Path) -> float:
    """Return the seconds of the Pagefind binary alone over all the site's text pages (one
    index, written to `site/pagefind-one/`)."""
    out = site / ONE_INDEX
    shutil.rmtree(out, ignore_errors=True)
    command = [str(pagefind_binary()), "--site", str(site), "--glob", TEXT_GLOB]
    started = time.perf_counter()
    subprocess.run([*command, "--output-path", str(out)], check=True, capture_output=True)
    return time.perf_counter() - started


def _timed(build: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    done = build()
    return time.perf_counter() - started, done


def _database(root: Path, listed: list[tuple[str, str, Path]], texts: dict[str, list[str]]) -> Any:
    """Return (engine, key -> submission id, rows stored): a SQLite file holding report_page
    with every report's pages (submission id = its place in the corpus + 1)."""
    engine = sa.create_engine(f"sqlite:///{root / 'pages.db'}")
    ReportPage.metadata.create_all(engine, tables=[ReportPage.__table__])  # type: ignore[attr-defined]
    found, _sources = editions(listed)
    by_path = {path.name: i + 1 for i, (_u, _n, path) in enumerate(listed)}
    versions = {
        f"{ed.campaign.year}/{e.slug}": by_path[f"{e.slug.upper()}.pdf"]
        for ed in found
        for e in ed.entries
    }
    rows = store_pages(engine, {by_path[name]: pages for name, pages in texts.items()})
    return engine, versions, rows


def new_version(engine: sa.Engine, versions: dict[str, int], pages: list[str]) -> None:
    """Give one report (the middle one) a new version whose stored pages are `pages` with a
    line added: the report_page rows inserted, the report's key pointed at the new version."""
    key = sorted(versions)[len(versions) // 2]
    sid = max(versions.values()) + 1
    store_pages(engine, {sid: [pages[0] + "\n新版本：碳达峰行动方案修订。", *pages[1:]]})
    versions[key] = sid


def builds(
    root: Path, listed: list[tuple[str, str, Path]], workers: int, keep: Path | None
) -> dict[str, Any]:
    """Run the timed builds (see the module docstring); return their figures."""
    found, sources = editions(listed)
    site, cache = root / "site", root / "cache"
    figures: dict[str, Any] = {"load_before_screening_extract": load()}
    seconds, texts = screening_texts([p for _u, _n, p in listed], workers, keep)
    texts = {name: texts[name] for name in {p.name for _u, _n, p in listed}}
    started = time.perf_counter()
    engine, versions, rows = _database(root, listed, texts)
    figures["screening_extract"] = {
        "seconds": round(seconds, 2),
        "pages": sum(len(t) for t in texts.values()),
        "report_page_rows": rows,
        "store_seconds": round(time.perf_counter() - started, 2),
        "note": "untimed for the builds: done once at intake by the screening",
    }
    database_seconds: list[float] = []

    def run() -> Any:
        started = time.perf_counter()
        stored = read_stored(engine, versions)
        database_seconds.append(time.perf_counter() - started)
        return build_search_site(found, site, sources, {}, cache, workers, stored)

    figures["load_before_build_cold"] = load()
    seconds, cold = _timed(run)
    figures["build_cold"] = {
        "seconds": round(seconds, 2),
        "database_read_seconds": round(database_seconds[-1], 2),
        "pagefind_seconds": round(cold.index_seconds, 2),
        "index_shards": cold.index_shards,
        "texts_stored": cold.texts_stored,
        "texts_read": cold.texts_read,
        "texts_missing": len(cold.texts_missing),
        "files_written": cold.files_written,
    }
    figures["load_before_pagefind_baseline"] = load()
    figures["pagefind_baseline"] = {"seconds": round(pagefind_baseline(site), 2)}
    seconds, again = _timed(run)
    figures["build_unchanged"] = {"seconds": round(seconds, 2), "reindexed": again.reindexed}
    new_version(engine, versions, texts[listed[0][2].name])
    figures["load_before_build_one_changed"] = load()
    seconds, one = _timed(run)
    figures["build_one_changed"] = {
        "seconds": round(seconds, 2),
        "pagefind_seconds": round(one.index_seconds, 2),
        "shards_reindexed": one.shards_reindexed,
        "pages_reindexed": one.index_pages,
        "texts_read": one.texts_read,
        "files_written": one.files_written,
    }
    reports = len(sources)
    figures["size"] = {
        "index_bytes": cold.index_bytes,
        "index_bytes_per_report": round(cold.index_bytes / reports),
        "text_pages_bytes_per_report": round(folder_bytes(site / "text") / reports),
        "index_files": sum(1 for p in (site / "pagefind").rglob("*") if p.is_file()),
        "one_index_bytes": folder_bytes(site / ONE_INDEX),
    }
    figures["site"] = site
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; write benchmarks/results/search.json and print a summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=None, help="keep the PDFs here (reused)")
    parser.add_argument("--keep-site", type=Path, default=None, help="move the built site here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        listed = write_corpus(args.corpus or root / "pdfs", args.reports)
        generate = time.perf_counter() - started
        keep = args.corpus / "texts.json" if args.corpus else None
        figures = builds(root, listed, args.workers, keep)
        site = figures.pop("site")
        figures["latency_ms"] = latencies(site, args.latency_runs)
        if args.keep_site is not None:
            shutil.move(site, args.keep_site)
    result = {
        "benchmark": "search",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "reports": args.reports,
        "workers": args.workers,
        "generate_seconds": round(generate, 1),
        "targets": {"build_cold_seconds": 120, "first_result_ms": 300},
        **figures,
    }
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    main()
