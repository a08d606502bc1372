"""Benchmark the synthetic data generator: time `generate()` for N units with report PDFs.

Usage: python benchmarks/generate.py [--enterprises 5000] [--workers 2] [--seed 1]
       [--year <campaign year>] [--bad-rate 0.05]

Generates into a temporary folder (deleted afterwards), writes the figures to
benchmarks/results/generate.json and prints a one-line summary.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

import reportlab  # noqa: E402

from deployments.demo.generate import generate  # noqa: E402
from schemas.campaign_file import load_campaign_file  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "generate.json"


def latest_campaign_year(campaigns: Path) -> int:
    """Return the newest year that has a campaign file in `campaigns`; reads the folder."""
    years = [int(p.stem) for p in campaigns.glob("*.toml") if p.stem.isdigit()]
    if not years:
        raise SystemExit(f"no campaign files in {campaigns}")
    return max(years)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark; write benchmarks/results/generate.json and print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bad-rate", type=float, default=0.05)
    parser.add_argument("--year", type=int, default=None, help="campaign year (default: newest)")
    args = parser.parse_args(argv)
    campaigns = REPO / "campaigns"
    year = args.year or latest_campaign_year(campaigns)
    campaign = load_campaign_file(campaigns / f"{year}.toml")
    with tempfile.TemporaryDirectory(prefix="csr-generate-bench-") as tmp:
        started = time.perf_counter()
        summary = generate(
            campaign,
            Path(tmp) / "out",
            enterprises=args.enterprises,
            seed=args.seed,
            bad_rate=args.bad_rate,
            with_pdfs=True,
            workers=args.workers,
        )
        seconds = time.perf_counter() - started
    pdf_seconds = summary.seconds.get("pdfs", 0.0)
    result: dict[str, object] = {
        "benchmark": "generate",
        "campaign_year": year,
        "enterprises": args.enterprises,
        "workers": args.workers,
        "seed": args.seed,
        "bad_rate": args.bad_rate,
        "seconds_total": round(seconds, 2),
        "seconds_by_phase": summary.seconds,
        "files": summary.files,
        "megabytes": round(summary.bytes_written / 1e6, 1),
        "pdf_files": sum(summary.pdfs_by_problem.values()) + summary.revised_pdfs,
        "pdf_pages": summary.pdf_pages,
        "pdf_pages_per_second": round(summary.pdf_pages / pdf_seconds, 1) if pdf_seconds else None,
        "associations": summary.associations,
        "recommendation_rows": summary.recommendation_rows,
        "python": platform.python_version(),
        "reportlab": reportlab.Version,
        "machine": f"{platform.system()} {platform.machine()}",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"generate: {args.enterprises} units, {args.workers} workers: {seconds:.1f} s, "
        f"{result['files']} files, {result['megabytes']} MB, {summary.pdf_pages} PDF pages "
        f"({result['pdf_pages_per_second']} pages/s) -> {RESULTS.relative_to(REPO)}"
    )
    return result


if __name__ == "__main__":
    main()
