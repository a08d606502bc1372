"""Turn the catalogue's rows into its entries: one `CatalogueEntry` per listed unit.

Pure functions of the rows (tasks/release/catalogue/rows.py) and the campaign file: the covered
topics by their campaign names, the latest form's key figures formatted for reading, the stored
pre-screen read back in its current shape (a report without one shows no topics and is
reported), the standards it cites, and its commendations as the public may see them: a case's
title only when it is the unit's own (the title on its form), never the one the commend stage
made up from the unit's name and the category, with the excerpt a reviewer or the office chose
for it on the report shown (else the pre-screen's passages for the category's topic, labelled
as keyword hits). No database, no files; tasks/release/catalogue/site.py renders the entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from schemas.campaign_file import CampaignFile
from schemas.catalogue import (
    CaseEvidence,
    CatalogueCampaign,
    CatalogueCommendation,
    CatalogueEntry,
    KeyFigure,
    catalogue_slug,
)
from schemas.columns import BASIC_INFO
from schemas.screening import ScreenResult
from tasks.release.catalogue.excerpts import StoredExcerpt
from tasks.release.catalogue.rows import CatalogueRows, ReportFile

__all__ = [
    "KEY_FIGURES",
    "catalogue_campaign",
    "catalogue_entries",
    "cited_standards",
    "covered_topics",
    "format_figure",
    "key_figures",
    "public_commendations",
    "unreadable_screenings",
]

# The basic-information fields a report page shows, in this order (labels from the form).
KEY_FIGURES: tuple[str, ...] = (
    "employees",
    "revenue",
    "taxes",
    "rd_spend",
    "donations",
    "volunteer_hours",
    "energy_tce",
    "emissions_tco2e",
)


def format_figure(value: object) -> str | None:
    """Return a form value formatted for reading (1,200; 152,300.5), None when empty; pure."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def key_figures(data: Mapping[str, Any]) -> tuple[KeyFigure, ...]:
    """Return the public figures of a basic-information form, labelled as on the form; pure."""
    labels = {c.key: c.header for c in BASIC_INFO.columns}
    figures = []
    for key in KEY_FIGURES:
        value = format_figure(data.get(key))
        if value is not None:
            figures.append(KeyFigure(key=key, label=labels[key], value=value))
    return tuple(figures)


def covered_topics(screening: ScreenResult | None, campaign: CampaignFile) -> tuple[str, ...]:
    """Return the names of the campaign topics a report covers, in campaign-file order; pure."""
    if screening is None:
        return ()
    covered = {t.key for t in screening.topics if t.covered}
    return tuple(t.name for t in campaign.topics if t.key in covered)


def cited_standards(screening: ScreenResult | None, campaign: CampaignFile) -> tuple[str, ...]:
    """Return the names of the reference standards a report cites, in campaign-file order; pure."""
    if screening is None:
        return ()
    cited = set(screening.standards_cited)
    return tuple(s.name for s in campaign.standards if s.key in cited)


def public_commendations(
    awards: Sequence[CatalogueCommendation],
    form: Mapping[str, Any],
    screening: ScreenResult | None,
    campaign: CampaignFile,
    excerpts: Mapping[str, StoredExcerpt] | None = None,
    report_id: int | None = None,
) -> tuple[CatalogueCommendation, ...]:
    """Return a unit's commendations as published; pure.

    A case keeps its title only when the unit's basic-information form names that title (the
    unit's own); a title the commend stage composed is dropped, so the case shows under the
    unit's name and the category. A case carries the excerpt chosen for it (`excerpts`, by
    category key) when it was chosen on the report version shown (`report_id`, its submission
    id), and the pre-screen's passages for its category's topic (keyword hits, labelled as
    such on the page).
    """
    chosen = excerpts or {}
    own = str(form.get("case_title") or "").strip()
    topic_of = {c.key: c.topic for c in campaign.commendation.categories}
    coverage = {t.key: t for t in screening.topics} if screening else {}
    published = []
    for award in awards:
        topic = coverage.get(topic_of.get(award.category_key, ""))
        evidence = (
            tuple(CaseEvidence(page=e.page, text=e.text) for e in topic.evidence)
            if topic is not None and award.kind == "case"
            else ()
        )
        title = award.case_title if own and award.case_title.strip() == own else ""
        stored = chosen.get(award.category_key) if award.kind == "case" else None
        excerpt = stored.excerpt if stored and stored.submission_id == report_id else None
        published.append(
            award.model_copy(update={"case_title": title, "evidence": evidence, "excerpt": excerpt})
        )
    return tuple(published)


def _screening(report: ReportFile | None) -> ScreenResult | None:
    """Return a report's stored pre-screen, or None when absent or not in the current shape."""
    if report is None or report.screening is None:
        return None
    try:
        return ScreenResult.from_stored(report.screening)
    except ValidationError:
        return None


def catalogue_entries(rows: CatalogueRows, campaign: CampaignFile) -> list[CatalogueEntry]:
    """Return one catalogue entry per listed unit, sorted as the catalogue lists them; pure."""
    entries = []
    by_unit: dict[int, dict[str, StoredExcerpt]] = {}
    for (owner, key), stored in rows.excerpts.items():
        by_unit.setdefault(owner, {})[key] = stored
    for unit in rows.units:
        pid = unit.participation_id
        info = rows.basic_info.get(pid, {})
        report = rows.reports.get(pid)
        screening = _screening(report)
        title = info.get("report_title")
        year = info.get("report_year")
        entries.append(
            CatalogueEntry(
                slug=catalogue_slug(unit.uscc),
                unit_name=unit.name,
                industry=unit.industry,
                district=unit.district,
                ownership=unit.ownership,
                associations=tuple(rows.associations.get(pid, ())),
                report_title=title if isinstance(title, str) else "",
                report_year=year if isinstance(year, int) else campaign.campaign.report_year,
                topics=covered_topics(screening, campaign),
                standards=cited_standards(screening, campaign),
                grade=rows.grades.get(pid, ""),
                commendations=public_commendations(
                    rows.commendations.get(pid, ()),
                    info,
                    screening,
                    campaign,
                    by_unit.get(pid, {}),
                    report.submission_id if report else None,
                ),
                certificate_number=rows.certificates.get(pid, ""),
                pdf_pages=screening.pages if screening else None,
                pdf_bytes=report.size if report else None,
                key_figures=key_figures(info),
            )
        )
    return sorted(entries, key=CatalogueEntry.sort_key)


def catalogue_campaign(campaign: CampaignFile) -> CatalogueCampaign:
    """Return the catalogue's campaign header from the campaign file; pure."""
    info = campaign.campaign
    return CatalogueCampaign(
        title=info.name,
        theme=info.theme,
        year=info.year,
        edition=info.edition,
        report_year=info.report_year,
        release_date=campaign.events.release,
        topics=tuple(t.name for t in campaign.topics),
        organisers=tuple(info.organisers),
    )


def unreadable_screenings(rows: CatalogueRows) -> list[int]:
    """Return the participations whose latest report has no pre-screen in the current shape."""
    return [
        u.participation_id
        for u in rows.units
        if _screening(rows.reports.get(u.participation_id)) is None
    ]
