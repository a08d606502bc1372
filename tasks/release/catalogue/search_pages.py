"""Render the pages of the site over all years (the knowledge base): the search page, one text
page per released report, one page per unit across years, the unit list and the case library.

Pure functions of the editions (schemas/catalogue.py `CatalogueEdition`) and the report texts:
they return HTML strings; tasks/release/catalogue/search_site.py writes them. The text pages carry
what Pagefind indexes (the report's text under one heading per PDF page, so a hit names its page)
and the filters and metadata of the report as `data-pagefind-*` attributes. Jinja2 autoescapes
every value; a unit is the same across years by its slug (its USCC).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from schemas.catalogue import (
    CatalogueCampaign,
    CatalogueCommendation,
    CatalogueEdition,
    CatalogueEntry,
)
from tasks.release.catalogue.site import KIND_ORDER, environment, filter_options
from tasks.release.catalogue.text import paragraphs

__all__ = [
    "CaseItem",
    "UnitHistory",
    "UnitReport",
    "case_library",
    "render_cases",
    "render_search_page",
    "render_text_page",
    "render_unit_page",
    "render_units",
    "site_title",
    "unit_histories",
]

CASE = "case"


class UnitReport(NamedTuple):
    """One unit's report in one edition."""

    campaign: CatalogueCampaign
    entry: CatalogueEntry
    has_pdf: bool


class UnitHistory(NamedTuple):
    """A unit across editions: its latest public fields and its reports, newest first."""

    slug: str
    name: str
    industry: str
    district: str
    ownership: str
    reports: tuple[UnitReport, ...]


class CaseItem(NamedTuple):
    """One commended case: the report it is in and the commendation."""

    entry: CatalogueEntry
    award: CatalogueCommendation


def site_title(editions: Sequence[CatalogueEdition]) -> str:
    """Return the site's title: the newest edition's campaign title; pure."""
    return editions[-1].campaign.title if editions else "企业社会责任报告发布会"


def _context(editions: Sequence[CatalogueEdition], root: str) -> dict[str, object]:
    """Return what every page's frame shows (years, title, relative root); pure."""
    return {
        "years": [e.campaign.year for e in editions],
        "seasons": [e.campaign.year for e in editions if e.season_pages],
        "site_title": site_title(editions),
        "root": root,
        "search": False,
    }


def unit_histories(
    editions: Sequence[CatalogueEdition], with_pdf: Mapping[int, frozenset[str]]
) -> list[UnitHistory]:
    """Return every unit's reports across editions (newest first), units sorted by name; pure."""
    by_slug: dict[str, list[UnitReport]] = defaultdict(list)
    for edition in editions:
        pdfs = with_pdf.get(edition.campaign.year, frozenset())
        for entry in edition.entries:
            by_slug[entry.slug].append(UnitReport(edition.campaign, entry, entry.slug in pdfs))
    histories = []
    for slug, reports in by_slug.items():
        reports.sort(key=lambda r: r.campaign.year, reverse=True)
        latest = reports[0].entry
        histories.append(
            UnitHistory(
                slug=slug,
                name=latest.unit_name,
                industry=latest.industry,
                district=latest.district,
                ownership=latest.ownership,
                reports=tuple(reports),
            )
        )
    return sorted(histories, key=lambda h: (h.name, h.slug))


def case_library(
    editions: Sequence[CatalogueEdition],
) -> list[tuple[int, list[tuple[str, list[CaseItem]]]]]:
    """Return the commended cases: (year, [(category title, cases by rank)]), newest year first."""
    library = []
    for edition in sorted(editions, key=lambda e: e.campaign.year, reverse=True):
        groups: dict[str, list[CaseItem]] = defaultdict(list)
        for entry in edition.entries:
            for award in entry.commendations:
                if award.kind == CASE:
                    groups[award.title].append(CaseItem(entry, award))
        if groups:
            ordered = [
                (title, sorted(items, key=lambda c: (c.award.rank, c.entry.sort_key())))
                for title, items in sorted(groups.items())
            ]
            library.append((edition.campaign.year, ordered))
    return library


def render_search_page(editions: Sequence[CatalogueEdition], shards: Sequence[str] = ()) -> str:
    """Return the site's index.html: the full-text search with its filters, merging the index
    `shards` (pagefind/<shard>/, searched together); pure."""
    entries = [e for edition in editions for e in edition.entries]
    topics = list(dict.fromkeys(t for ed in reversed(editions) for t in ed.campaign.topics))
    awards = Counter(c.title for e in entries for c in e.commendations)
    kinds = {c.title: KIND_ORDER.get(c.kind, 9) for e in entries for c in e.commendations}
    years = [(str(ed.campaign.year), len(ed.entries)) for ed in reversed(editions)]
    filters = [
        ("year", "年份", "全部年份", years),
        (
            "topic",
            "议题",
            "全部议题",
            filter_options((t for e in entries for t in e.topics), topics),
        ),
        ("industry", "行业", "全部行业", filter_options(e.industry for e in entries)),
        ("district", "所在区", "全部区", filter_options(e.district for e in entries)),
        (
            "standard",
            "引用标准",
            "全部标准",
            filter_options(s for e in entries for s in e.standards),
        ),
        (
            "commendation",
            "表彰",
            "全部",
            [(t, awards[t]) for t in sorted(awards, key=lambda t: (kinds[t], t))],
        ),
    ]
    context = _context(editions, "") | {
        "search": True,
        "filters": filters,
        "editions": list(reversed(editions)),
        "reports": len(entries),
        "units": len({e.slug for e in entries}),
        "shards": " ".join(shards),
    }
    return environment().get_template("kb_index.html").render(**context)


def render_text_page(
    editions: Sequence[CatalogueEdition],
    campaign: CatalogueCampaign,
    entry: CatalogueEntry,
    pages: Sequence[str],
    has_pdf: bool,
) -> str:
    """Return the text page of one report (text/<year>/<slug>.html), indexed by Pagefind; pure."""
    context = _context(editions, "../../") | {
        "campaign": campaign,
        "entry": entry,
        "pages": [paragraphs(text) for text in pages],
        "has_pdf": has_pdf,
    }
    return environment().get_template("kb_text.html").render(**context)


def render_unit_page(editions: Sequence[CatalogueEdition], unit: UnitHistory) -> str:
    """Return one unit's page across years (units/<slug>.html); pure."""
    context = _context(editions, "../") | {"unit": unit}
    return environment().get_template("kb_unit.html").render(**context)


def render_units(editions: Sequence[CatalogueEdition], units: Sequence[UnitHistory]) -> str:
    """Return the list of every unit that released a report (units.html); pure."""
    context = _context(editions, "") | {"units": units}
    return environment().get_template("kb_units.html").render(**context)


def render_cases(editions: Sequence[CatalogueEdition]) -> str:
    """Return the case library (cases.html): each case with its chosen excerpt, else the
    pre-screen's passages under their own label; pure."""
    library = case_library(editions)
    cases = [c for _year, groups in library for _title, items in groups for c in items]
    chosen = sum(1 for c in cases if c.award.excerpt is not None)
    context = _context(editions, "") | {"cases": library, "total": len(cases), "chosen": chosen}
    return environment().get_template("kb_cases.html").render(**context)
