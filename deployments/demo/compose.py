"""Compose a synthetic season as values, before any file is written: the units, associations and
their recommendation files, each unit's filing days and PDF problem, the reviewers and when they
return their sheets, the filings after registration, the report PDFs to draw, and every problem
injected on purpose.

Pure and seeded: the same campaign, seed, enterprises, bad_rate and with_pdfs give the same
season. A tool for the demo, the tests and the benchmarks; product code never imports it. It
writes nothing (generate.py writes the files).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path

from deployments.demo.forms import Forms, build_forms
from deployments.demo.model import Injection, PdfProblem, Reviewer, Unit, UnitPlan
from deployments.demo.plan import SeasonDates, plan_units, reviewer_returns, season_dates
from deployments.demo.population import make_units
from deployments.demo.recommendations import Recommendations, build_recommendations
from deployments.demo.report_model import ReportSpec
from deployments.demo.reviewers import make_reviewers
from schemas.campaign_file import CampaignFile


@dataclass(frozen=True)
class SyntheticSeason:
    """A generated season as values: everything `generate()` writes, and what it put in wrong."""

    when: datetime  # the time stamped into the workbooks: the notice day, 09:00
    units: list[Unit]
    recs: Recommendations
    dates: SeasonDates
    plans: list[UnitPlan]
    reviewers: list[Reviewer]
    returns: list[date | None]  # when each reviewer returns the score sheets, if at all
    forms: Forms
    jobs: list[tuple[ReportSpec, str]]  # (spec, path) of every report PDF; empty without PDFs
    injections: list[Injection]  # recommendation rows, form cells and PDFs broken on purpose

    @property
    def file_count(self) -> int:
        """Return how many files the season writes (the associations, reviewers and plan too)."""
        return 3 + len(self.recs.files) + len(self.forms.sheets) + len(self.jobs)


def compose_season(
    campaign: CampaignFile,
    out_dir: Path,
    *,
    enterprises: int,
    seed: int,
    bad_rate: float,
    with_pdfs: bool,
) -> SyntheticSeason:
    """Return a whole synthetic season for the campaign, its report PDFs under `out_dir`; pure."""
    ry = campaign.campaign.report_year
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
    forms = build_forms(plans, ry, seed, bad_rate)
    return SyntheticSeason(
        when=datetime.combine(campaign.campaign.notice_date, clock(9, 0)),
        units=units,
        recs=recs,
        dates=dates,
        plans=plans,
        reviewers=reviewers,
        returns=reviewer_returns(reviewers, dates, seed),
        forms=forms,
        jobs=_report_jobs(plans, ry, seed, out_dir) if with_pdfs else [],
        injections=recs.injections + forms.injections + _pdf_injections(plans),
    )


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


def clean_report_spec(unit: Unit, key: str, report_year: int) -> ReportSpec:
    """Return a well-formed report spec of `unit` about `report_year`, published the next May,
    every third one revised-style (the benchmarks' corpora of good reports); pure."""
    return ReportSpec(
        key=key,
        uscc=unit.uscc,
        name=unit.name,
        title=unit.report_title.removeprefix(unit.name),
        report_year=report_year,
        published=date(report_year + 1, 5, 1),
        figures=unit.figures,
        safety_incidents=unit.safety_incidents,
        penalties=unit.penalties,
        problem=None,
        revised=unit.index % 3 == 0,
    )


def _pdf_injections(plans: list[UnitPlan]) -> list[Injection]:
    """Return an Injection per report file broken on purpose; pure."""
    return [
        Injection(kind=str(p.pdf_problem), file=f"reports/{p.unit.uscc}.pdf", uscc=p.unit.uscc)
        for p in plans
        if p.pdf_problem is not None and p.report_on is not None
    ]
