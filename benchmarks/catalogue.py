"""Benchmark building the public catalogue: a cold build and an unchanged re-build.

Usage: python benchmarks/catalogue.py [--entries 5000] [--pdf-share 1.0] [--pdf-kib 64]
       [--repeat 3]

`build_catalogue` (tasks/release/catalogue/site.py) on synthetic entries: 20 industries, 16
districts, 300 associations, the 11 topics of the 2024 campaign file, one commendation in ten, seven
key figures each; `--pdf-share` of them with a PDF of `--pdf-kib` KiB (random bytes, written once,
untimed). Timed, in a fresh temporary folder per run: the cold build (every page rendered and
written, every PDF copied) and the re-build of the same data (every page rendered and compared,
nothing written or copied). Median of `--repeat` runs in wall-clock seconds. Writes
benchmarks/results/catalogue.json and prints one line per part.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

from schemas.campaign_file import load_campaign_file  # noqa: E402
from schemas.catalogue import (  # noqa: E402
    CatalogueCommendation,
    CatalogueEntry,
    KeyFigure,
)
from tasks.release.catalogue.entries import catalogue_campaign  # noqa: E402
from tasks.release.catalogue.site import build_catalogue  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "catalogue.json"
FIGURES = (
    "员工人数",
    "营业收入（万元）",
    "纳税总额（万元）",
    "研发投入（万元）",
    "公益捐赠（万元）",
)


def entries(count: int, topics: tuple[str, ...]) -> list[CatalogueEntry]:
    """Return `count` synthetic entries (deterministic)."""
    out = []
    for i in range(count):
        award = (
            (CatalogueCommendation(kind="case", title=f"优秀案例{i % 4}", case_title="案例"),)
            if i % 10 == 0
            else ()
        )
        out.append(
            CatalogueEntry(
                slug=f"913101{i:012d}",
                unit_name=f"上海测试{i:05d}科技有限公司",
                industry=f"行业{i % 20:02d}",
                district=f"区{i % 16:02d}",
                ownership=("国有", "民营", "外资")[i % 3],
                associations=(f"上海市测试行业协会{i % 300:03d}",),
                report_title=f"上海测试{i:05d}科技有限公司社会责任报告",
                report_year=2023,
                topics=topics[: 3 + i % (len(topics) - 2)],
                grade="四星级",
                commendations=award,
                certificate_number=f"SH-{i:05d}",
                pdf_pages=40,
                pdf_bytes=2_000_000,
                key_figures=tuple(
                    KeyFigure(key=f"k{n}", label=label, value=f"{1000 + i:,}")
                    for n, label in enumerate(FIGURES)
                ),
            )
        )
    return out


def main() -> None:
    """Run the benchmark and write its result file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--pdf-share", type=float, default=1.0)
    parser.add_argument("--pdf-kib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    campaign = catalogue_campaign(load_campaign_file(REPO / "campaigns" / "2024.toml"))
    listed = entries(args.entries, campaign.topics)
    cold: list[float] = []
    warm: list[float] = []
    with tempfile.TemporaryDirectory(prefix="catalogue-bench-") as tmp:
        sources = {}
        for i, e in enumerate(listed[: int(len(listed) * args.pdf_share)]):
            path = Path(tmp) / "pdfs" / f"{i}.pdf"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(b"%PDF-1.4\n" + os.urandom(args.pdf_kib * 1024))
            sources[e.slug] = path
        for run in range(args.repeat):
            site = Path(tmp) / f"site{run}"
            started = time.perf_counter()
            first = build_catalogue(campaign, listed, site, sources)
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            again = build_catalogue(campaign, listed, site, sources)
            warm.append(time.perf_counter() - started)
            assert (again.files_written, again.pdfs_copied) == (0, 0)
            index_bytes = (site / "index.html").stat().st_size
    result = {
        "benchmark": "catalogue",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "entries": args.entries,
        "pdfs": len(sources),
        "pdf_kib": args.pdf_kib,
        "files_written_cold": first.files_written,
        "index_bytes": index_bytes,
        "cold_build_s": round(statistics.median(cold), 2),
        "unchanged_rebuild_s": round(statistics.median(warm), 2),
        "runs_s": {"cold": [round(s, 2) for s in cold], "unchanged": [round(s, 2) for s in warm]},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"cold build of {args.entries} entries, {len(sources)} PDFs: {result['cold_build_s']} s")
    print(f"unchanged re-build: {result['unchanged_rebuild_s']} s; index {index_bytes:,} bytes")


if __name__ == "__main__":
    main()
