"""Publish the public catalogue of a campaign's released reports (发布报告目录).

`build_public_catalogue` reads the rows (tasks/release/catalogue/rows.py), makes the entries
(tasks/release/catalogue/entries.py) and builds the static site into
workspace/release/<year>/catalogue/ (tasks/release/catalogue/site.py); `publish_catalogue` (task)
does that and shows the result as the `catalogue-<year>` markdown artifact linking the index page
and naming the units with gaps, and returns counts. Thin shells: the rules live in the modules
named. A PDF whose stored path is missing or points outside the workspace is left unlinked and
reported, never copied from elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import NamedTuple

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.catalogue import catalogue_slug
from schemas.settings import Settings
from tasks.release.catalogue.entries import (
    catalogue_campaign,
    catalogue_entries,
    unreadable_screenings,
)
from tasks.release.catalogue.register import load_register, render_register_page
from tasks.release.catalogue.rows import CatalogueRows, listed_names, load_catalogue_rows
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
    return settings.inside_workspace("release", str(campaign_year), "catalogue")


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
    create_markdown_artifact(
        key=f"catalogue-{campaign_year}",
        markdown=catalogue_markdown(built.summary, built.gaps),
        description="Public catalogue of released reports",
    )
    return built.summary
