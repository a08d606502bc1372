"""Publish the public catalogue of a campaign's released reports (发布报告目录).

`build_public_catalogue` reads the rows (tasks/release/catalogue/rows.py), makes the entries
(tasks/release/catalogue/entries.py) and builds the static site into
workspace/release/<year>/catalogue/ (tasks/release/catalogue/site.py), then the site over all
years with its full-text search into workspace/release/site/ (tasks/release/catalogue/editions.py;
a failure of the search index is reported, not raised: the season's catalogue stands);
`publish_catalogue` (task) does that and shows the result as the `catalogue-<year>` markdown
artifact linking the index page and naming the units with gaps, and returns counts. Thin shells:
the rules live in the modules named. A PDF whose stored path is missing or points outside the
workspace is left unlinked and reported, never copied from elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.catalogue import catalogue_slug
from schemas.settings import Settings
from tasks.common.file_links import publish_file
from tasks.release.catalogue.editions import build_site_over_years, season_dir
from tasks.release.catalogue.entries import (
    catalogue_campaign,
    catalogue_entries,
    unreadable_screenings,
)
from tasks.release.catalogue.register import load_register, render_register_page
from tasks.release.catalogue.rows import CatalogueRows, listed_names, load_catalogue_rows
from tasks.release.catalogue.search_index import SearchIndexFailed
from tasks.release.catalogue.site import build_catalogue
from tasks.store import campaign_session

__all__ = [
    "BuiltCatalogue",
    "CatalogueGaps",
    "CatalogueSummary",
    "build_public_catalogue",
    "catalogue_dir",
    "catalogue_markdown",
    "pdf_sources",
    "publish_catalogue",
]


class CatalogueSummary(BaseModel):
    """What one publication of the catalogue did: where it is, what it lists, what changed."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    site_dir: str  # relative to the workspace
    index: str  # absolute path of index.html
    reports: int
    commended: int
    pdfs_linked: int
    pdfs_copied: int
    pdfs_missing: int  # units whose report PDF is not in the workspace (named in the artifact)
    screening_missing: int  # units whose report shows no topics (no usable screen)
    files_written: int
    files_unchanged: int
    files_removed: int
    # the site over all years (workspace/release/site/): its index page, what it holds
    site_index: str = ""
    site_years: list[int] = []
    site_reports: int = 0
    site_cases: int = 0
    site_texts_stored: int = 0  # reports whose text came from the pages stored at screening
    site_texts_read: int = 0  # report PDFs read this time (no stored pages, not in the cache)
    site_texts_missing: int = 0  # reports whose text could not be read (not searchable)
    site_reindexed: bool = False
    site_index_bytes: int = 0
    site_problem: str = ""  # why the search index or a year is missing, "" when none


class CatalogueGaps(NamedTuple):
    """The listed units whose page lacks something, by name (the artifact names them)."""

    pdfs_missing: list[str]  # unit names whose report PDF is not in the workspace
    screening_missing: list[str]  # unit names whose report shows no topics


class BuiltCatalogue(NamedTuple):
    """A catalogue built: what the run reports, and the units with gaps."""

    summary: CatalogueSummary
    gaps: CatalogueGaps


def catalogue_dir(settings: Settings, campaign_year: int) -> Path:
    """Return the folder the campaign's catalogue is built in (inside the workspace)."""
    return season_dir(settings, campaign_year)


def site_fields(settings: Settings, as_of: date) -> dict[str, Any]:
    """Build the site over all years; return the summary's `site_*` fields.

    Side effects: those of build_site_over_years. A search index that cannot be built is
    reported in `site_problem`, never raised.
    """
    try:
        build, skipped = build_site_over_years(settings, as_of)
    except SearchIndexFailed as exc:
        return {"site_problem": f"search index: {exc.message}"[:500]}
    problems = [f"{year}: {why}" for year, why in sorted(skipped.items())]
    return {
        "site_index": build.index,
        "site_years": build.years,
        "site_reports": build.reports,
        "site_cases": build.cases,
        "site_texts_stored": build.texts_stored,
        "site_texts_read": build.texts_read,
        "site_texts_missing": len(build.texts_missing),
        "site_reindexed": build.reindexed,
        "site_index_bytes": build.index_bytes,
        "site_problem": "; ".join(problems),
    }


def pdf_sources(settings: Settings, rows: CatalogueRows) -> tuple[dict[str, Path], list[int]]:
    """Return (slug -> report PDF in the workspace, participations whose PDF is not there)."""
    found: dict[str, Path] = {}
    missing: list[int] = []
    for unit in rows.units:
        report = rows.reports.get(unit.participation_id)
        path = _inside(settings, report.stored_path) if report else None
        if path is None or not path.is_file():
            missing.append(unit.participation_id)
        else:
            found[catalogue_slug(unit.uscc)] = path
    return found, missing


def _inside(settings: Settings, stored_path: str) -> Path | None:
    """Return a stored path resolved inside the workspace, or None if it would leave it."""
    try:
        return settings.inside_workspace(stored_path)
    except ValueError:
        return None


def build_public_catalogue(settings: Settings, campaign_year: int, as_of: date) -> BuiltCatalogue:
    """Build the campaign's public catalogue of released reports; return what it did.

    Side effects: reads the database (one short transaction); writes the static site (HTML,
    CSS, JS, the certificate register page verify.html and copies of the report PDFs) under
    workspace/release/<year>/catalogue/, changing only files whose content changed and removing
    pages of units no longer listed. Publishes nothing (publish_catalogue does).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        rows = load_catalogue_rows(session, campaign_year, as_of)
        register = load_register(session, campaign_year)
    entries = catalogue_entries(rows, campaign)
    sources, missing = pdf_sources(settings, rows)
    site = catalogue_dir(settings, campaign_year)
    page = render_register_page(catalogue_campaign(campaign), register) if register else ""
    build = build_catalogue(catalogue_campaign(campaign), entries, site, sources, page)
    gaps = CatalogueGaps(
        pdfs_missing=listed_names(rows, missing),
        screening_missing=listed_names(rows, unreadable_screenings(rows)),
    )
    summary = CatalogueSummary(
        campaign_year=campaign_year,
        as_of=as_of,
        site_dir=str(site.relative_to(settings.workspace)),
        index=build.index,
        reports=build.reports,
        commended=build.commended,
        pdfs_linked=build.pdfs_linked,
        pdfs_copied=build.pdfs_copied,
        pdfs_missing=len(gaps.pdfs_missing),
        screening_missing=len(gaps.screening_missing),
        files_written=build.files_written,
        files_unchanged=build.files_unchanged,
        files_removed=build.files_removed,
        **site_fields(settings, as_of),
    )
    return BuiltCatalogue(summary, gaps)


def catalogue_markdown(summary: CatalogueSummary, gaps: CatalogueGaps) -> str:
    """Return the catalogue artifact's markdown: counts, the index's path and link, gaps. Pure."""
    index = Path(summary.index)
    lines = [
        f"## 报告目录 catalogue {summary.campaign_year} (as of {summary.as_of.isoformat()})",
        "",
        f"- reports listed: **{summary.reports}**, commended: **{summary.commended}**, "
        f"PDFs linked: **{summary.pdfs_linked}** ({summary.pdfs_copied} copied this time)",
        f"- files written: {summary.files_written}, unchanged: {summary.files_unchanged}, "
        f"removed: {summary.files_removed}",
        f"- index: [{summary.site_dir}/index.html]({index.as_uri()}) (`{index}`)",
    ]
    if summary.site_index:
        site = Path(summary.site_index)
        years = "、".join(str(y) for y in summary.site_years)
        lines.append(
            f"- 知识库 site over all years ({years}): [{site}]({site.as_uri()}), "
            f"{summary.site_reports} reports, {summary.site_cases} commended cases; "
            f"full text searchable except {summary.site_texts_missing}; "
            f"search index {'re-built' if summary.site_reindexed else 'unchanged'} "
            f"({summary.site_index_bytes / 1e6:.1f} MB)"
        )
    if summary.site_problem:
        lines.append(f"- site over all years: {_plain(summary.site_problem)}")
    for label, names in (
        ("report PDF not found in the workspace", gaps.pdfs_missing),
        ("no usable pre-screen (topics not shown)", gaps.screening_missing),
    ):
        if names:
            shown = "、".join(_plain(n) for n in names[:20])
            more = f" and {len(names) - 20} more" if len(names) > 20 else ""
            lines.append(f"- {label} ({len(names)}): {shown}{more}")
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    """Return a unit name with markdown's active characters escaped for the artifact."""
    escapes: Mapping[int, str] = {ord(c): f"\\{c}" for c in "\\`*_[]()<>#|!"}
    return text.translate(escapes)


@task(name="publish-catalogue", cache_policy=NO_CACHE)
def publish_catalogue(settings: Settings, campaign_year: int, as_of: date) -> CatalogueSummary:
    """Build the public catalogue and publish what it did as the `catalogue-<year>` artifact.

    Side effects: those of build_public_catalogue (the static site in the workspace), then one
    markdown artifact linking the index page. Returns counts and paths.
    """
    built = build_public_catalogue(settings, campaign_year, as_of)
    publish_file(Path(built.summary.index), "公开名录首页 (public catalogue index)")
    if built.summary.site_index:
        publish_file(Path(built.summary.site_index), "知识库检索首页 (knowledge base search)")
    create_markdown_artifact(
        key=f"catalogue-{campaign_year}",
        markdown=catalogue_markdown(built.summary, built.gaps),
        description="Public catalogue of released reports",
    )
    return built.summary
