"""Measure the two candidate PDF stacks on what the product draws: reportlab against fpdf2.

Usage: python benchmarks/pdf_stack.py [--certificates 500] [--reports 40] [--repeats 3]

(a) Release certificates, the product's layout (tasks/release/certificates/layout.py), the
    WenQuanYi Micro Hei face embedded as a TrueType subset, one process:
    - reportlab: the product's `render_many(..., workers=1)` (face parsed once, cold each run);
    - fpdf2: the renderer the product used until this measurement, kept here: the face cut once
      per batch with fontTools to the batch's characters, then one fpdf2 document each.
(b) The demo's synthetic CSR report PDFs (deployments/demo/reports.py), one process:
    - reportlab: the product's `render_report` in the CID font STSong-Light (not embedded);
    - fpdf2: the same layout code drawn through a small reportlab-like canvas onto fpdf2, which
      has no CID fonts and must embed the face: cut once to every character the batch prints
      (found by a recording pass, whose time counts).
Each candidate runs `--repeats` times, interleaved; the figures are medians of wall and CPU
seconds. Writes benchmarks/results/pdf_stack.json and prints one line per task.

fpdf2 and fontTools are no product dependencies any more: install them to measure that side
(`pip install fpdf2`); without them it is recorded as skipped. The fpdf2 side is
benchmarks/pdf_stack_fpdf2.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

from pdf_stack_fpdf2 import Rendered, fpdf2_certificates, fpdf2_reports  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from deployments.demo.model import YearFigures  # noqa: E402
from deployments.demo.report_model import ReportContext, ReportSpec  # noqa: E402
from deployments.demo.reports import _init_worker as register_report_font  # noqa: E402
from deployments.demo.reports import render_report  # noqa: E402
from schemas.campaign_file import load_campaign_file  # noqa: E402
from schemas.certificate_number import make_number  # noqa: E402
from tasks.common import fonts  # noqa: E402
from tasks.common.fonts import FontChoice, choose_font  # noqa: E402
from tasks.release.certificates.layout import CertificateData  # noqa: E402
from tasks.release.certificates.pdf import render_many  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "pdf_stack.json"
YEAR = 2024
SYLLABLES = (
    "华东申海浦江嘉定宝山闵行松江金山青浦奉贤崇明静安徐汇长宁普陀虹口杨浦新能源智造科技环保医药"
)
SUFFIXES = ("科技有限公司", "股份有限公司", "集团有限公司", "实业有限公司", "(上海)有限公司")
METHOD = (
    "one process each; certificates: the product's layout with WenQuanYi Micro Hei embedded as a "
    "TrueType subset (reportlab: the product's render_many, face parsed cold each run; fpdf2: "
    "face cut once per batch with fontTools, one fpdf2 document per certificate); reports: the "
    "demo's layout (reportlab: the product, CID font STSong-Light not embedded; fpdf2: the same "
    "layout code through a reportlab-like canvas, face cut once to the batch's characters found "
    "by a recording pass, embedded); runs interleaved, medians of wall and CPU seconds"
)


def _name(rng: random.Random, n: int) -> str:
    return (
        "上海"
        + "".join(rng.choices(SYLLABLES, k=rng.randint(2, 6)))
        + f"{n}"
        + rng.choice(SUFFIXES)
    )


def certificate_items(count: int) -> list[CertificateData]:
    """Return `count` certificates' values: varied names, every 7th commended."""
    campaign = load_campaign_file(REPO / "campaigns" / f"{YEAR}.toml").campaign
    rng = random.Random(13)
    items = []
    for n in range(1, count + 1):
        name = _name(rng, n)
        items.append(
            CertificateData(
                number=make_number(YEAR, n),
                campaign_title=f"第十三届{campaign.name}",
                theme=campaign.theme,
                unit_name=name,
                report_title=f"{name}{campaign.report_year}年度社会责任报告",
                report_year=campaign.report_year,
                commendations=("社会责任报告优秀企业",) if n % 7 == 0 else (),
                organisers=("上海市工业经济联合会", "上海市经济团体联合会"),
                issued_on=date(YEAR + 1, 1, 16),
            )
        )
    return items


def report_specs(count: int, report_year: int) -> list[ReportSpec]:
    """Return `count` specs of ordinary (not broken) reports, half of them revised."""
    rng = random.Random(7)
    figures = tuple(
        YearFigures(
            year=report_year - 3 + i,
            employees=1200 + 10 * i,
            revenue=50_000.0 + 1000 * i,
            operating_cost=40_000.0,
            profit=5_000.0 + 100 * i,
            taxes=2_000.0,
            rd_spend=1_500.0,
            total_assets=90_000.0,
            total_liabilities=40_000.0,
            donations=30.0,
            volunteer_hours=800,
            energy_tce=3_000.0,
            emissions_tco2e=7_000.0,
            training_hours=24.0,
        )
        for i in range(4)
    )
    return [
        ReportSpec(
            key=f"pdf-stack:{n}",
            uscc=f"91310000MA1FL{n:05d}",
            name=_name(rng, n),
            title=f"{report_year}年度社会责任报告",
            report_year=report_year,
            published=date(report_year + 1, 5, 20),
            figures=figures,
            safety_incidents=n % 2,
            penalties=int(n % 3 == 0),
            problem=None,
            revised=n % 2 == 0,
        )
        for n in range(1, count + 1)
    ]


# --- reportlab: the product --------------------------------------------------------------------


def reportlab_certificates(items: Sequence[CertificateData], choice: FontChoice) -> Rendered:
    """Render with the product, parsing the face again (a cold process, as in every worker)."""
    fonts._parsed_face.cache_clear()
    return [(pdf, 1) for pdf in render_many(items, choice, workers=1)]


def reportlab_reports(ctx: ReportContext, specs: Sequence[ReportSpec]) -> Rendered:
    """Render the reports with the product's renderer (CID font, not embedded)."""
    register_report_font(ctx)
    return [render_report(ctx, spec) for spec in specs]


# --- measuring ---------------------------------------------------------------------------------


def run_interleaved(
    candidates: dict[str, Callable[[], Rendered]], repeats: int
) -> dict[str, dict[str, Any]]:
    """Run every candidate `repeats` times, interleaved; return medians and the last output."""
    walls: dict[str, list[float]] = {name: [] for name in candidates}
    cpus: dict[str, list[float]] = {name: [] for name in candidates}
    last: dict[str, Rendered] = {}
    for _ in range(repeats):
        for name, render in candidates.items():
            wall, cpu = time.perf_counter(), time.process_time()
            last[name] = render()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {name: _figures(walls[name], cpus[name], last[name]) for name in candidates}


def _figures(walls: list[float], cpus: list[float], rendered: Rendered) -> dict[str, Any]:
    """Return the medians, rates and sizes of one candidate's runs."""
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    documents, pages = len(rendered), sum(p for _, p in rendered)
    sizes = [len(pdf) for pdf, _ in rendered]
    first = PdfReader(io.BytesIO(rendered[0][0]))
    return {
        "median_wall_seconds": round(wall, 3),
        "median_cpu_seconds": round(cpu, 3),
        "documents_per_second_wall": round(documents / wall, 1),
        "documents_per_second_cpu": round(documents / cpu, 1),
        "pages_per_second_cpu": round(pages / cpu, 1),
        "mean_kilobytes": round(statistics.mean(sizes) / 1000, 1),
        "kilobytes_per_page": round(sum(sizes) / pages / 1000, 2),
        "pages": pages,
        "first_page_text_characters": len(first.pages[0].extract_text()),
        "wall_seconds_runs": [round(s, 3) for s in walls],
    }


def _installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both tasks on both stacks; write benchmarks/results/pdf_stack.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=500)
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    choice = choose_font(None)
    assert choice.path is not None, "fonts-wqy-microhei is missing: run `make sysdeps`"
    campaign = load_campaign_file(REPO / "campaigns" / f"{YEAR}.toml")
    ctx = ReportContext(tuple(campaign.topics), tuple(campaign.standards), campaign.campaign.name)
    items = certificate_items(args.certificates)
    specs = report_specs(args.reports, campaign.campaign.report_year)
    has_fpdf2 = _installed("fpdf2") is not None and _installed("fonttools") is not None
    certificates: dict[str, Callable[[], Rendered]] = {
        "reportlab": lambda: reportlab_certificates(items, choice)
    }
    reports: dict[str, Callable[[], Rendered]] = {
        "reportlab": lambda: reportlab_reports(ctx, specs)
    }
    if has_fpdf2:
        certificates["fpdf2"] = lambda: fpdf2_certificates(items, choice)
        reports["fpdf2"] = lambda: fpdf2_reports(ctx, specs, choice)
    load_before = os.getloadavg()[0]
    result: dict[str, Any] = {
        "benchmark": "pdf_stack",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "certificates": {"count": len(items), **run_interleaved(certificates, args.repeats)},
        "reports": {"count": len(specs), **run_interleaved(reports, args.repeats)},
        "fpdf2_measured": has_fpdf2,
        "repeats": args.repeats,
        "method": METHOD,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
        "versions": {
            "python": platform.python_version(),
            **{p: _installed(p) for p in ("reportlab", "fpdf2", "fonttools", "pypdf")},
        },
        "font": choice.fingerprint,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for task in ("certificates", "reports"):
        figures = {
            name: f"{f['documents_per_second_cpu']}/s CPU, {f['mean_kilobytes']} KB"
            for name, f in result[task].items()
            if isinstance(f, dict)
        }
        print(f"pdf_stack {task} ({result[task]['count']}): {figures}")
    return result


if __name__ == "__main__":
    main()
