"""The synthetic data generator's entry point: `generate()` writes a whole season's inputs (the
association list, recommendation files, receipts, basic-information forms, financials, report
PDFs, the reviewer roster) and the season plan for the demo driver, with problems injected on
purpose at `bad_rate`.

The season is composed as values first (compose.py, pure), then written: the tables, plan.json,
then the PDFs in `workers` processes. A tool for the demo, the tests and the benchmarks; product
code never imports it. Every year and date comes from the campaign file. Deterministic: the same
campaign, seed, enterprises and bad_rate give the same bytes, whatever `workers` and `with_pdfs`
are.

Layout under out_dir:
    associations.xlsx, reviewers.xlsx, plan.json
    recommendations/<code>.xlsx | <code>.csv  (GB18030 or UTF-8 with BOM)
    receipts/receipts.xlsx
    basic_info/basic_info.xlsx, basic_info/<uscc>.csv
    financials/financials.xlsx
    reports/<uscc>.pdf, reports/revised/<uscc>.pdf
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from deployments.demo.compose import SyntheticSeason, compose_season
from deployments.demo.forms import Sheet, association_rows, roster_rows
from deployments.demo.model import GenerationSummary
from deployments.demo.plan import plan_document
from deployments.demo.report_model import ReportContext
from deployments.demo.reports import write_reports
from deployments.demo.writers import Output
from schemas.campaign_file import CampaignFile
from schemas.columns import ASSOCIATIONS, RECOMMENDATIONS, ROSTER

OWNED = ("recommendations", "receipts", "basic_info", "financials", "reports")
OWNED_FILES = ("associations.xlsx", "reviewers.xlsx", "plan.json")
ENCODINGS = {"csv-gb18030": "gb18030", "csv-utf-8-sig": "utf-8-sig"}


class GeneratorInputError(ValueError):
    """`generate()` was called with arguments it cannot work with; the message says which."""


def generate(
    campaign: CampaignFile,
    out_dir: Path,
    *,
    enterprises: int,
    seed: int,
    bad_rate: float = 0.05,
    with_pdfs: bool = True,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationSummary:
    """Write a synthetic season's input files under `out_dir` and return what was written.

    Side effects: creates out_dir; replaces the folders and files an earlier run wrote there
    (refuses a non-empty folder without a plan.json); runs `workers` processes for the PDFs;
    calls `progress(files_done, files_total)` after each file.
    """
    if enterprises < 1 or not 0 <= bad_rate <= 0.5 or workers < 1:
        raise GeneratorInputError(
            f"need enterprises >= 1, 0 <= bad_rate <= 0.5, workers >= 1; got "
            f"{enterprises}, {bad_rate}, {workers}"
        )
    started = time.perf_counter()
    _prepare(out_dir)
    season = compose_season(
        campaign,
        out_dir,
        enterprises=enterprises,
        seed=seed,
        bad_rate=bad_rate,
        with_pdfs=with_pdfs,
    )
    seconds = {"population": time.perf_counter() - started}

    mark = time.perf_counter()
    out = Output(out_dir, season.file_count, progress)
    generator = {"seed": seed, "enterprises": enterprises, "bad_rate": bad_rate}
    _write_tables(out, campaign, season, generator)
    seconds["tables"] = time.perf_counter() - mark

    mark = time.perf_counter()
    pages = _write_pdfs(out, campaign, season, workers)
    seconds["pdfs"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return _summary(
        season,
        out,
        seed=seed,
        enterprises=enterprises,
        bad_rate=bad_rate,
        with_pdfs=with_pdfs,
        pages=pages,
        seconds=seconds,
    )


def _prepare(out_dir: Path) -> None:
    """Create out_dir, or clear what an earlier run wrote there; refuse a foreign folder."""
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "plan.json").exists():
        raise GeneratorInputError(f"{out_dir} is not empty and holds no earlier plan.json")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in OWNED:
        shutil.rmtree(out_dir / name, ignore_errors=True)
    for name in OWNED_FILES:
        (out_dir / name).unlink(missing_ok=True)


def _write_tables(
    out: Output, campaign: CampaignFile, season: SyntheticSeason, generator: Mapping[str, object]
) -> None:
    """Write the association list, recommendation files, form sheets, roster and plan.json."""
    when = season.when
    out.xlsx("associations.xlsx", ASSOCIATIONS, association_rows(season.recs.associations), when)
    for f in season.recs.files:
        rows = [r.values for r in f.rows]
        if f.fmt == "xlsx":
            out.xlsx(f.path, RECOMMENDATIONS, rows, when)
        else:
            out.csv(f.path, RECOMMENDATIONS, rows, ENCODINGS[f.fmt])
    for s in season.forms.sheets:
        _write_sheet(out, s, when)
    out.xlsx("reviewers.xlsx", ROSTER, roster_rows(season.reviewers), when)
    doc = plan_document(
        campaign,
        season.dates,
        season.plans,
        season.reviewers,
        season.returns,
        season.forms.info_files,
        season.injections,
        generator,
    )
    out.json("plan.json", doc)


def _write_sheet(out: Output, sheet: Sheet, when: datetime) -> None:
    """Write one form sheet in its format."""
    if sheet.fmt == "xlsx":
        out.xlsx(sheet.rel, sheet.kind, sheet.rows, when)
    else:
        out.csv(sheet.rel, sheet.kind, sheet.rows, ENCODINGS[sheet.fmt])


def _write_pdfs(out: Output, campaign: CampaignFile, season: SyntheticSeason, workers: int) -> int:
    """Draw the report PDFs (revised ones too) in `workers` processes; return the page count."""
    for sub in ("reports", "reports/revised") if season.jobs else ():
        (out.root / sub).mkdir(parents=True, exist_ok=True)
    context = ReportContext(
        tuple(campaign.topics), tuple(campaign.standards), campaign.campaign.name
    )
    return write_reports(context, season.jobs, workers, lambda _pages, size: out.count(1, size))


def _summary(
    season: SyntheticSeason,
    out: Output,
    *,
    seed: int,
    enterprises: int,
    bad_rate: float,
    with_pdfs: bool,
    pages: int,
    seconds: dict[str, float],
) -> GenerationSummary:
    """Return what was written: counts, the problems injected, timings per phase. Pure."""
    recs, forms, plans = season.recs, season.forms, season.plans
    reporters = [p for p in plans if p.report_on]
    bad_rows = Counter(str(i.kind) for i in recs.injections + forms.injections)
    pdfs = Counter(str(p.pdf_problem or "ok") for p in reporters)
    return GenerationSummary(
        out_dir=out.root,
        seed=seed,
        enterprises=enterprises,
        bad_rate=bad_rate,
        associations=len(recs.associations),
        units=len(season.units),
        units_recommended_ok=len(recs.accepted),
        recommendation_files=dict(sorted(Counter(f.fmt for f in recs.files).items())),
        recommendation_rows=sum(len(f.rows) for f in recs.files),
        receipts=len(forms.receipts.rows),
        basic_info=len(forms.info_files),
        financials_rows=len(forms.financials.rows),
        bad_rows_by_kind=dict(sorted(bad_rows.items())),
        pdfs_by_problem=dict(sorted(pdfs.items())) if with_pdfs else {},
        revised_pdfs=sum(p.revises for p in plans) if with_pdfs else 0,
        pdf_pages=pages,
        reviewers=len(season.reviewers),
        files=out.files,
        bytes_written=out.bytes,
        injections=tuple(season.injections),
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )
