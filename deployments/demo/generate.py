"""The synthetic data generator's entry point: `generate()` writes a whole season's inputs (the
association list, recommendation files, receipts, basic-information forms, financials, report
PDFs, the reviewer roster) and the season plan for the demo driver, with problems injected on
purpose at `bad_rate`.

A tool for the demo, the tests and the benchmarks; product code never imports it. Every year
and date comes from the campaign file. Deterministic: the same campaign, seed, enterprises and
bad_rate give the same bytes, whatever `workers` and `with_pdfs` are.

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
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path

from deployments.demo.forms import Sheet, association_rows, build_forms, roster_rows
from deployments.demo.model import GenerationSummary, Injection, PdfProblem, UnitPlan
from deployments.demo.plan import plan_document, plan_units, reviewer_returns, season_dates
from deployments.demo.population import make_units
from deployments.demo.recommendations import build_recommendations
from deployments.demo.report_model import ReportContext, ReportSpec
from deployments.demo.reports import write_reports
from deployments.demo.reviewers import make_reviewers
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
    ry = campaign.campaign.report_year
    when = datetime.combine(campaign.campaign.notice_date, clock(9, 0))
    units = make_units(enterprises, seed, ry)
    recs = build_recommendations(
        units, campaign.year, campaign.quota.min, campaign.quota.max, seed, bad_rate
    )
    dates = season_dates(campaign)
    plans = plan_units(units, recs, dates, seed, bad_rate)
    reviewers = make_reviewers(
        seed,
        units,
        recs.associations,
        [t.key for t in campaign.topics],
        campaign.review.reviewers_per_report,
        [p.unit for p in plans if p.report_on],
    )
    returns = reviewer_returns(reviewers, dates, seed)
    sheets, cell_injections, info_files = build_forms(plans, ry, seed, bad_rate)
    jobs = _report_jobs(plans, ry, seed, out_dir) if with_pdfs else []
    injections = recs.injections + cell_injections + _pdf_injections(plans)
    seconds = {"population": time.perf_counter() - started}

    mark = time.perf_counter()
    out = Output(out_dir, 3 + len(recs.files) + len(sheets) + len(jobs), progress)
    out.xlsx("associations.xlsx", ASSOCIATIONS, association_rows(recs.associations), when)
    for f in recs.files:
        rows = [r.values for r in f.rows]
        if f.fmt == "xlsx":
            out.xlsx(f.path, RECOMMENDATIONS, rows, when)
        else:
            out.csv(f.path, RECOMMENDATIONS, rows, ENCODINGS[f.fmt])
    for s in sheets:
        _write_sheet(out, s, when)
    out.xlsx("reviewers.xlsx", ROSTER, roster_rows(reviewers), when)
    generator = {"seed": seed, "enterprises": enterprises, "bad_rate": bad_rate}
    doc = plan_document(
        campaign, dates, plans, reviewers, returns, info_files, injections, generator
    )
    out.json("plan.json", doc)
    seconds["tables"] = time.perf_counter() - mark

    mark = time.perf_counter()
    for sub in ("reports", "reports/revised") if jobs else ():
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    context = ReportContext(
        tuple(campaign.topics), tuple(campaign.standards), campaign.campaign.name
    )
    pages = write_reports(context, jobs, workers, lambda _pages, size: out.count(1, size))
    seconds["pdfs"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started

    reporters = [p for p in plans if p.report_on]
    return GenerationSummary(
        out_dir=out_dir,
        seed=seed,
        enterprises=enterprises,
        bad_rate=bad_rate,
        associations=len(recs.associations),
        units=len(units),
        units_recommended_ok=len(recs.accepted),
        recommendation_files=dict(sorted(Counter(f.fmt for f in recs.files).items())),
        recommendation_rows=sum(len(f.rows) for f in recs.files),
        receipts=len(sheets[0].rows),
        basic_info=len(info_files),
        financials_rows=len(sheets[2].rows),
        bad_rows_by_kind=dict(
            sorted(Counter(str(i.kind) for i in recs.injections + cell_injections).items())
        ),
        pdfs_by_problem=dict(sorted(Counter(str(p.pdf_problem or "ok") for p in reporters).items()))
        if with_pdfs
        else {},
        revised_pdfs=sum(p.revises for p in plans) if with_pdfs else 0,
        pdf_pages=pages,
        reviewers=len(reviewers),
        files=out.files,
        bytes_written=out.bytes,
        injections=tuple(injections),
        seconds={k: round(v, 3) for k, v in seconds.items()},
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


def _write_sheet(out: Output, sheet: Sheet, when: datetime) -> None:
    """Write one form sheet in its format."""
    if sheet.fmt == "xlsx":
        out.xlsx(sheet.rel, sheet.kind, sheet.rows, when)
    else:
        out.csv(sheet.rel, sheet.kind, sheet.rows, ENCODINGS[sheet.fmt])


def _report_jobs(
    plans: list[UnitPlan], ry: int, seed: int, out_dir: Path
) -> list[tuple[ReportSpec, str]]:
    """Return (spec, path) for every report file to write, revised ones included; pure."""
    jobs = []
    for p in plans:
        if p.report_on is None:
            continue
        jobs.append(
            (_spec(p, ry, seed, p.report_on, False), str(out_dir / f"reports/{p.unit.uscc}.pdf"))
        )
        if p.revises and p.revised_on is not None:
            path = out_dir / f"reports/revised/{p.unit.uscc}.pdf"
            jobs.append((_spec(p, ry, seed, p.revised_on, True), str(path)))
    return jobs


def _spec(p: UnitPlan, ry: int, seed: int, published: date, revised: bool) -> ReportSpec:
    """Return the report spec of one unit (the wrong year's when that is its problem); pure."""
    u = p.unit
    wrong = p.pdf_problem == PdfProblem.WRONG_YEAR and not revised
    year = ry - 1 if wrong else ry
    title = u.report_title.removeprefix(u.name).replace(f"{ry}年度", f"{year}年度")
    if wrong:
        published = date(ry, published.month, min(published.day, 28))
    return ReportSpec(
        key=f"{seed}:{'revised' if revised else 'report'}:{u.index}",
        uscc=u.uscc,
        name=u.name,
        title=title,
        report_year=year,
        published=published,
        figures=u.figures,
        safety_incidents=u.safety_incidents,
        penalties=u.penalties,
        problem=None if revised or p.pdf_problem is None else str(p.pdf_problem),
        revised=revised,
        avoid=(str(ry),) if wrong else (),
    )


def _pdf_injections(plans: list[UnitPlan]) -> list[Injection]:
    """Return an Injection per report file broken on purpose; pure."""
    return [
        Injection(kind=str(p.pdf_problem), file=f"reports/{p.unit.uscc}.pdf", uscc=p.unit.uscc)
        for p in plans
        if p.pdf_problem is not None and p.report_on is not None
    ]
