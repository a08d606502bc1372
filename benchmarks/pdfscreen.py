"""Benchmark the PDF pre-screen against plain pypdf text extraction, in one run.

Usage: python benchmarks/pdfscreen.py [--files 500] [--repeats 5] [--seed 1] [--year <campaign>]

Writes N synthetic report PDFs with the demo generator's report writer into a temporary folder
(deleted afterwards), then times, interleaved, `--repeats` times each:
  baseline  pypdf `PdfReader` + `extract_text()` on every page, sequential, one process, no pool;
  workers1  `screen_many(..., workers=1)`: pebble pool, rlimit, timeouts, text analysis;
  workers2  `screen_many(..., workers=2)`.
Medians go to benchmarks/results/pdfscreen.json with pages/s and the ratios the issue sets as
targets (1 worker >= 90 % of the baseline; 2 workers >= 1.6x of 1), and the 1-minute load average
before every timed run (a loaded machine skews the 2-worker ratio most: re-run on a quiet one);
prints a summary.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

import pebble  # noqa: E402
import pypdf  # noqa: E402

from deployments.demo.compose import clean_report_spec  # noqa: E402
from deployments.demo.population import make_units  # noqa: E402
from deployments.demo.report_model import ReportContext  # noqa: E402
from deployments.demo.reports import write_reports  # noqa: E402
from schemas.campaign_file import latest_campaign_year, load_campaign_file  # noqa: E402
from schemas.screening import ScreenLimits, ScreenRules, rules_from_campaign  # noqa: E402
from tasks.submit.pdf.screen import screen_many  # noqa: E402
from tasks.submit.pdf.text import analyse_text  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "pdfscreen.json"


def write_corpus(folder: Path, files: int, seed: int, year: int) -> list[Path]:
    """Write `files` clean synthetic report PDFs for the campaign `year` into `folder` (two
    processes); return their paths."""
    campaign = load_campaign_file(REPO / "campaigns" / f"{year}.toml")
    ry = campaign.campaign.report_year
    context = ReportContext(
        tuple(campaign.topics), tuple(campaign.standards), campaign.campaign.name
    )
    jobs = []
    for unit in make_units(files, seed, ry):
        spec = clean_report_spec(unit, f"bench:{seed}:{unit.index}", ry)
        jobs.append((spec, str(folder / f"{unit.uscc}.pdf")))
    write_reports(context, jobs, 2, lambda _pages, _size: None)
    return [Path(path) for _, path in jobs]


def baseline(paths: list[Path]) -> int:
    """Extract the text of every page of every file with plain pypdf in this process; return
    the number of pages read."""
    pages = 0
    for path in paths:
        for page in pypdf.PdfReader(path).pages:
            page.extract_text()
            pages += 1
    return pages


def analysis_cpu_share(paths: list[Path], rules: ScreenRules, files: int = 60) -> dict[str, float]:
    """Return the CPU seconds of pypdf's text extraction and of the text analysis over the
    first `files` files, in this process, and the analysis's share of the extraction: a figure
    the machine's load moves little (process time, not wall time). The patterns are compiled
    before timing, as a worker does once for up to 200 files."""
    texts = []
    started = time.process_time()
    for path in paths[:files]:
        texts.append([page.extract_text() for page in pypdf.PdfReader(path).pages])
    extract = time.process_time() - started
    analyse_text(texts[0], rules)  # compile the patterns once, as each worker does once
    started = time.process_time()
    for pages in texts:
        analyse_text(pages, rules)
    analyse = time.process_time() - started
    return {
        "files": float(len(texts)),
        "extract_cpu_seconds": round(extract, 3),
        "analyse_cpu_seconds": round(analyse, 3),
        "analyse_share_of_extract": round(analyse / extract, 4) if extract else 0.0,
    }


def screened(
    paths: list[Path], rules: ScreenRules, workers: int, codes: Counter[str]
) -> Callable[[], int]:
    """Return a run of `screen_many` over the files with `workers` processes that returns the
    number of pages read; each run replaces `codes` with its problem-code counts."""

    def run() -> int:
        """Screen the files; return the pages read; stop if any file failed to open."""
        results = screen_many(paths, rules, ScreenLimits(), workers)
        failed = [r.file for r in results if not r.opened]
        if failed:
            raise SystemExit(f"benchmark files failed to open: {failed[:5]}")
        codes.clear()
        codes.update(c for r in results for c in r.codes)
        return sum(r.pages_read for r in results)

    return run


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark; write benchmarks/results/pdfscreen.json and print a summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=None, help="campaign year (default: newest)")
    args = parser.parse_args(argv)
    year = args.year or latest_campaign_year(REPO / "campaigns")
    rules = rules_from_campaign(load_campaign_file(REPO / "campaigns" / f"{year}.toml"))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="csr-pdfscreen-bench-") as tmp:
        started = time.perf_counter()
        paths = write_corpus(Path(tmp), args.files, args.seed, year)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in paths)
        cpu_share = analysis_cpu_share(paths, rules)
        codes: Counter[str] = Counter()
        modes: dict[str, Callable[[], int]] = {
            "baseline": lambda: baseline(paths),
            "workers1": screened(paths, rules, 1, codes),
            "workers2": screened(paths, rules, 2, codes),
        }
        seconds: dict[str, list[float]] = {m: [] for m in modes}
        loads: dict[str, list[float]] = {m: [] for m in modes}
        pages: dict[str, int] = {}
        for _ in range(args.repeats):  # interleaved, so drift on a noisy machine hits all three
            for mode, run in modes.items():
                loads[mode].append(round(os.getloadavg()[0], 2))
                mark = time.perf_counter()
                pages[mode] = run()
                seconds[mode].append(round(time.perf_counter() - mark, 3))
    if len(set(pages.values())) != 1:
        raise SystemExit(f"the modes read different page counts: {pages}")
    total_pages = pages["baseline"]
    median = {m: statistics.median(s) for m, s in seconds.items()}
    rate = {m: round(total_pages / median[m], 1) for m in modes}
    ratios = {
        "workers1_vs_baseline": round(rate["workers1"] / rate["baseline"], 3),
        "workers2_vs_baseline": round(rate["workers2"] / rate["baseline"], 3),
        "workers2_vs_workers1": round(rate["workers2"] / rate["workers1"], 3),
    }
    result: dict[str, object] = {
        "benchmark": "pdfscreen",
        "campaign_year": year,
        "files": len(paths),
        "pages": total_pages,
        "megabytes": round(size / 1e6, 1),
        "generate_seconds": round(generated, 2),
        "repeats": args.repeats,
        "seconds": seconds,
        "median_seconds": median,
        "pages_per_second": rate,
        "ratios": ratios,
        "targets": {
            "workers1_at_least_0.9_of_baseline": ratios["workers1_vs_baseline"] >= 0.9,
            "workers2_at_least_1.6x_workers1": ratios["workers2_vs_workers1"] >= 1.6,
        },
        "problem_codes": dict(sorted(codes.items())),
        "analysis_cpu": cpu_share,
        "pool_start_method": "forkserver"
        if "forkserver" in multiprocessing.get_all_start_methods()
        else "spawn",
        "cpus": os.cpu_count(),
        "load_average_before_each_run": loads,
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "python": platform.python_version(),
        "pypdf": pypdf.__version__,
        "pebble": pebble.__version__,
        "machine": f"{platform.system()} {platform.machine()}",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"pdfscreen: {len(paths)} files, {total_pages} pages; pages/s baseline "
        f"{rate['baseline']}, 1 worker {rate['workers1']}, 2 workers {rate['workers2']}; "
        f"1w/baseline {ratios['workers1_vs_baseline']}, 2w/1w {ratios['workers2_vs_workers1']} "
        f"-> {RESULTS.relative_to(REPO)}"
    )
    return result


if __name__ == "__main__":
    main()
