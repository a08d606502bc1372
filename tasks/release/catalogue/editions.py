"""Read every released season from the database and build the site over all years from them.

`load_editions` reads, for each campaign year with released (or approved) units, the same rows
the season's catalogue shows (tasks/release/catalogue/rows.py, one short transaction for all
years) and makes them entries with that year's campaign file; a year whose campaign file is
missing is skipped and named. `build_site_over_years` then builds workspace/release/site/
(tasks/release/catalogue/search_site.py) from them, the page texts the screening stored for each
report (tasks/release/catalogue/stored_text.py), the report PDFs in the workspace (read only for
a report without stored pages) and the season catalogues already built under
release/<year>/catalogue/.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

from schemas.campaign_file import CampaignFileError, load_campaign_file
from schemas.catalogue import CatalogueEdition, catalogue_slug
from schemas.settings import Settings
from tasks.release.catalogue.entries import catalogue_campaign, catalogue_entries
from tasks.release.catalogue.rows import listed_years, load_catalogue_rows
from tasks.release.catalogue.search_site import SearchSiteBuild, build_search_site
from tasks.release.catalogue.stored_text import page_list, stored_pages
from tasks.release.catalogue.text import ReportSource
from tasks.store import campaign_session

__all__ = [
    "Editions",
    "build_site_over_years",
    "load_editions",
    "season_dir",
    "site_dir",
    "text_cache_dir",
]


class Editions(NamedTuple):
    """Every released season: its entries, the stored page texts, the PDFs, the years left
    out and why."""

    editions: list[CatalogueEdition]
    sources: dict[str, ReportSource]  # "<year>/<slug>" -> the report PDF in the workspace
    skipped: dict[int, str]  # year -> why it is not on the site
    stored: dict[str, tuple[str, ...]]  # "<year>/<slug>" -> its pages stored at screening


def site_dir(settings: Settings) -> Path:
    """Return the folder of the site over all years (inside the workspace)."""
    return settings.inside_workspace("release", "site")


def text_cache_dir(settings: Settings) -> Path:
    """Return the folder keeping the text read from each report PDF, by SHA-256."""
    return settings.inside_workspace("release", ".report-text")


def _source(settings: Settings, stored_path: str, sha256: str) -> ReportSource | None:
    """Return a stored report PDF inside the workspace, or None when absent or outside it."""
    try:
        path = settings.inside_workspace(stored_path)
    except ValueError:
        return None
    return ReportSource(path, sha256) if path.is_file() else None


def load_editions(settings: Settings, as_of: date) -> Editions:
    """Return every season with released units, oldest first; reads the database and files.

    Side effects: one read-only transaction; reads each year's campaign file.
    """
    editions: list[CatalogueEdition] = []
    sources: dict[str, ReportSource] = {}
    skipped: dict[int, str] = {}
    versions: dict[str, tuple[int, int | None]] = {}  # key -> (submission id, PDF pages)
    with campaign_session(settings) as session:
        for year in listed_years(session):
            try:
                campaign = load_campaign_file(settings.campaign_file(year))
            except (CampaignFileError, OSError) as exc:
                skipped[year] = f"campaign file: {type(exc).__name__}"
                continue
            rows = load_catalogue_rows(session, year, as_of)
            entries = catalogue_entries(rows, campaign)
            editions.append(
                CatalogueEdition(campaign=catalogue_campaign(campaign), entries=tuple(entries))
            )
            pages = {e.slug: e.pdf_pages for e in entries}
            for unit in rows.units:
                key, slug = f"{year}/{catalogue_slug(unit.uscc)}", catalogue_slug(unit.uscc)
                report = rows.reports.get(unit.participation_id)
                if report is not None and report.submission_id is not None:
                    versions[key] = (report.submission_id, pages.get(slug))
                found = _source(settings, report.stored_path, report.sha256) if report else None
                if found is not None:
                    sources[key] = found
        texts = stored_pages(session, [sid for sid, _ in versions.values()])
    stored = {
        key: page_list(texts[sid], count) for key, (sid, count) in versions.items() if sid in texts
    }
    return Editions(editions, sources, skipped, stored)


def season_dir(settings: Settings, campaign_year: int) -> Path:
    """Return the folder a season's catalogue is built in (release/<year>/catalogue/)."""
    return settings.inside_workspace("release", str(campaign_year), "catalogue")


def build_site_over_years(
    settings: Settings, as_of: date
) -> tuple[SearchSiteBuild, dict[int, str]]:
    """Build workspace/release/site/ over every released season; return what it did and the
    years left out (year -> why).

    A season whose catalogue was never built (release/<year>/catalogue/) is on the site without
    its season pages. Side effects: those of load_editions and build_search_site.
    """
    found = load_editions(settings, as_of)
    seasons = {}
    for edition in found.editions:
        folder = season_dir(settings, edition.campaign.year)
        if (folder / "index.html").is_file():
            seasons[edition.campaign.year] = folder
    build = build_search_site(
        found.editions,
        site_dir(settings),
        found.sources,
        seasons,
        text_cache_dir(settings),
        stored=found.stored,
    )
    return build, found.skipped
