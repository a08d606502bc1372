"""A fixture catalogue of two seasons (2023 and 2024) built from real report PDFs of the demo's
generator, with its site over all years: what the catalogue's search tests open in Chromium.

Each report is screened for real (`screen_pdf`) and its pages kept as the intake stores them
(`page_rows`, report_page's shape); the site takes every report's text from those stored pages
but one (UNSTORED: a report screened before the pages were stored), whose PDF the build reads."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import NamedTuple

from factories import make_uscc
from pypdf import PdfReader
from screenkit import report_spec

from deployments.demo.report_model import ReportContext
from deployments.demo.reports import write_reports
from schemas.campaign_file import CampaignFile
from schemas.catalogue import (
    CaseEvidence,
    CatalogueCommendation,
    CatalogueEdition,
    CatalogueEntry,
    catalogue_slug,
)
from schemas.screening import ScreenLimits, rules_from_campaign
from tasks.release.catalogue.entries import catalogue_campaign
from tasks.release.catalogue.search_site import SearchSiteBuild, build_search_site
from tasks.release.catalogue.site import build_catalogue
from tasks.release.catalogue.stored_text import page_list
from tasks.release.catalogue.text import ReportSource
from tasks.submit.page_texts import page_rows
from tasks.submit.pdf.read import screen_pdf

HOSTILE_UNIT = '<img src=x onerror="window.__pwned=7">上海测试</script>有限公司'
UNITS = {2023: (1, 2, 3, 4), 2024: (2, 3, 4, 5, 6, 7)}
INDUSTRIES = ("制造业", "金融业", "信息传输、软件和信息技术服务业")
OWN_CASE_TITLE = "零碳工厂之路"
UNSTORED = (2023, 1)  # (year, unit) screened before report_page existed: its PDF is read


class FixtureSite(NamedTuple):
    """The built fixture: the site, its editions, what the build said, each report's text."""

    site: Path
    editions: list[CatalogueEdition]
    build: SearchSiteBuild
    texts: dict[str, str]  # "<year>/<slug>" -> the PDF's text as pypdf reads it, all pages
    pages: dict[str, int]  # "<year>/<slug>" -> PDF pages
    names: dict[str, str]  # slug -> unit name
    sources: dict[str, ReportSource]  # "<year>/<slug>" -> the report PDF
    seasons: dict[int, Path]  # year -> the season's catalogue folder
    stored: dict[str, tuple[str, ...]]  # "<year>/<slug>" -> pages as stored at screening


def pdf_text(path: Path) -> tuple[str, int]:
    """Return a PDF's text (every page, line breaks removed) and its page count: the oracle."""
    reader = PdfReader(path)
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", "", text), len(reader.pages)


def unit_name(n: int) -> str:
    """Return unit n's name (unit 7's is markup)."""
    return HOSTILE_UNIT if n == 7 else f"上海测试{n:04d}科技有限公司"


def write_pdfs(campaign: CampaignFile, folder: Path) -> dict[str, Path]:
    """Write one generated report per (year, unit) of UNITS; return "<year>/<slug>" -> path."""
    ctx = ReportContext(tuple(campaign.topics), tuple(campaign.standards), "发布会")
    jobs, paths = [], {}
    for year, units in UNITS.items():
        for n in units:
            spec = dataclasses.replace(
                report_spec(f"kb:{year}:{n}", year - 1),
                uscc=make_uscc(n),
                name=unit_name(n) if n != 7 else "上海测试0007有限公司",
            )
            path = folder / str(year) / f"{make_uscc(n)}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            paths[f"{year}/{catalogue_slug(make_uscc(n))}"] = path
            jobs.append((spec, str(path)))
    write_reports(ctx, jobs, 1, lambda _p, _s: None)
    return paths


def stored_texts(campaign: CampaignFile, pdfs: dict[str, Path]) -> dict[str, tuple[str, ...]]:
    """Return "<year>/<slug>" -> the report's pages as the intake stores them (screened for
    real, `page_rows`) and the site reads them back (`page_list`); UNSTORED is left out."""
    rules = rules_from_campaign(campaign)
    unstored = f"{UNSTORED[0]}/{catalogue_slug(make_uscc(UNSTORED[1]))}"
    found = {}
    for key, path in pdfs.items():
        if key == unstored:
            continue
        result = screen_pdf(path, rules, ScreenLimits())
        assert result.usable, result.codes
        rows = page_rows(1, result.page_texts)
        found[key] = page_list({row.page: row.text for row in rows}, result.pages)
    return found


def _awards(year: int, n: int) -> tuple[CatalogueCommendation, ...]:
    """Unit 3 in 2024: a case with a composed title (must not show) and the pre-screen's passage;
    unit 4 in 2023: a case under its own title; unit 2 in 2024: an excellent unit."""
    if (year, n) == (2024, 3):
        return (
            CatalogueCommendation(
                kind="case",
                title="绿色低碳优秀案例",
                category_key="green-low-carbon",
                evidence=(CaseEvidence(page=3, text="公司推进绿色低碳转型"),),
            ),
        )
    if (year, n) == (2023, 4):
        return (
            CatalogueCommendation(
                kind="case",
                title="绿色低碳优秀案例",
                case_title=OWN_CASE_TITLE,
                category_key="green-low-carbon",
            ),
        )
    if (year, n) == (2024, 2):
        return (CatalogueCommendation(kind="excellent_unit", title="社会责任报告优秀企业"),)
    return ()


def editions(campaign: CampaignFile) -> list[CatalogueEdition]:
    """Return the two fixture editions (2023: 12th, 2024: 13th)."""
    topics = tuple(t.name for t in campaign.topics)
    found = []
    for year, units in UNITS.items():
        header = catalogue_campaign(campaign).model_copy(
            update={"year": year, "edition": year - 2011, "report_year": year - 1}
        )
        entries = tuple(
            CatalogueEntry(
                slug=catalogue_slug(make_uscc(n)),
                unit_name=unit_name(n),
                industry=INDUSTRIES[n % 3],
                district=("浦东新区", "徐汇区")[n % 2],
                report_title=f"{year - 1}年度社会责任报告",
                report_year=year - 1,
                topics=topics[: 2 + (n + year) % 5],
                standards=("GB/T 36001-2015",) if n % 2 else ("GRI",),
                grade=("三星级", "四星级", "五星级")[(n + year) % 3],
                commendations=_awards(year, n),
            )
            for n in units
        )
        found.append(CatalogueEdition(campaign=header, entries=entries))
    return found


def build_fixture(campaign: CampaignFile, root: Path) -> FixtureSite:
    """Write the PDFs, each season's catalogue and the site over both years under `root`."""
    pdfs = write_pdfs(campaign, root / "pdfs")
    found = editions(campaign)
    seasons = {}
    for edition in found:
        year = edition.campaign.year
        season = root / "release" / str(year) / "catalogue"
        season_pdfs = {e.slug: pdfs[f"{year}/{e.slug}"] for e in edition.entries}
        build_catalogue(edition.campaign, edition.entries, season, season_pdfs)
        seasons[year] = season
    site = root / "release" / "site"
    sources = {key: ReportSource(path) for key, path in pdfs.items()}
    stored = stored_texts(campaign, pdfs)
    build = build_search_site(found, site, sources, seasons, root / "cache", 2, stored)
    read = {key: pdf_text(path) for key, path in pdfs.items()}
    return FixtureSite(
        site=site,
        editions=found,
        build=build,
        texts={k: v[0] for k, v in read.items()},
        pages={k: v[1] for k, v in read.items()},
        names={e.slug: e.unit_name for ed in found for e in ed.entries},
        sources=sources,
        seasons=seasons,
        stored=stored,
    )
