"""The catalogue reads each listed case's newest chosen excerpt with the report it is on."""

from __future__ import annotations

from datetime import date

from excerptkit import GREEN_EXCERPT, NOW, add_report_version, seed_cases
from factories import make_uscc
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from schemas.case_excerpts import ExcerptRole
from schemas.catalogue import CatalogueEntry, ChosenExcerpt
from tasks.commend.case_targets import case_targets
from tasks.commend.excerpts import ExcerptChoice, choose_excerpt
from tasks.release.catalogue.entries import catalogue_entries
from tasks.release.catalogue.rows import load_catalogue_rows
from tasks.store import session_scope

DAY = date(2025, 1, 16)


def _excerpts(entries: list[CatalogueEntry], uscc_slug: str) -> list[ChosenExcerpt | None]:
    (entry,) = [e for e in entries if e.slug == uscc_slug]
    return [c.excerpt for c in entry.commendations]


def test_the_newest_excerpt_shows_until_the_report_gets_a_newer_version(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    slug = make_uscc(1).lower()
    with session_scope(engine) as session:
        ids = seed_cases(session, campaign_2024)
        first = ExcerptChoice(make_uscc(1), 2, GREEN_EXCERPT, "张", ExcerptRole.REVIEWER)
        choose_excerpt(session, case_targets(session, campaign_2024), first, NOW)
        second = ExcerptChoice(
            make_uscc(1), 2, "减少碳排放约9,800吨。", "王", ExcerptRole.OPERATOR, reason="更具体"
        )
        choose_excerpt(session, case_targets(session, campaign_2024), second, NOW)
        shown = catalogue_entries(load_catalogue_rows(session, 2024, DAY), campaign_2024)
        add_report_version(session, ids[1], 2, ["封面", "新版"])
        after = catalogue_entries(load_catalogue_rows(session, 2024, DAY), campaign_2024)

    assert _excerpts(shown, slug) == [
        ChosenExcerpt(page=2, text="减少碳排放约9,800吨。", role="operator")
    ]
    assert _excerpts(after, slug) == [None]
    assert _excerpts(shown, make_uscc(2).lower()) == [None, None]  # two cases, none chosen
