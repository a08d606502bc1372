"""What a catalogue entry publishes of a unit's commendations and standards: a case's title only
when the unit gave it, the pre-screen's passages for the case's category, the standards cited by
their campaign names."""

from __future__ import annotations

from schemas.campaign_file import CampaignFile
from schemas.catalogue import CaseEvidence, CatalogueCommendation, ChosenExcerpt
from schemas.screening import Evidence, ScreenResult, TopicCoverage
from tasks.release.catalogue.entries import cited_standards, public_commendations
from tasks.release.catalogue.excerpts import StoredExcerpt


def _screening(campaign: CampaignFile) -> ScreenResult:
    green = TopicCoverage(
        key="green",
        name="绿色",
        kind="core",
        hits=4,
        pages=[3, 5],
        covered=True,
        evidence=[Evidence(page=3, text="推进碳达峰行动"), Evidence(page=5, text="建设零碳工厂")],
    )
    cited = [campaign.standards[1].key, campaign.standards[0].key]
    return ScreenResult(
        file="r.pdf", size=1, opened=True, pages=9, topics=[green], standards_cited=cited
    )


def test_a_composed_case_title_is_dropped_and_the_category_passages_are_kept(
    campaign_2024: CampaignFile,
) -> None:
    composed = CatalogueCommendation(
        kind="case",
        title="绿色低碳优秀案例",
        case_title="上海测试0001科技有限公司：绿色低碳实践",
        category_key="green-low-carbon",
    )

    (shown,) = public_commendations([composed], {}, _screening(campaign_2024), campaign_2024)

    assert shown.case_title == ""
    assert shown.evidence == (
        CaseEvidence(page=3, text="推进碳达峰行动"),
        CaseEvidence(page=5, text="建设零碳工厂"),
    )


def test_the_units_own_case_title_is_kept_and_an_excellent_unit_has_no_passages(
    campaign_2024: CampaignFile,
) -> None:
    own = CatalogueCommendation(
        kind="case",
        title="绿色低碳优秀案例",
        case_title="零碳工厂",
        category_key="green-low-carbon",
    )
    unit = CatalogueCommendation(kind="excellent_unit", title="优秀企业", category_key="green")
    form = {"case_title": " 零碳工厂 "}

    shown = public_commendations([own, unit], form, _screening(campaign_2024), campaign_2024)

    assert [(c.case_title, len(c.evidence)) for c in shown] == [("零碳工厂", 2), ("", 0)]


def test_cited_standards_are_named_in_campaign_file_order(campaign_2024: CampaignFile) -> None:
    names = [s.name for s in campaign_2024.standards[:2]]

    assert cited_standards(_screening(campaign_2024), campaign_2024) == tuple(names)
    assert cited_standards(None, campaign_2024) == ()


def test_a_case_shows_the_excerpt_chosen_on_the_report_shown_and_not_an_older_ones(
    campaign_2024: CampaignFile,
) -> None:
    case = CatalogueCommendation(
        kind="case", title="绿色低碳优秀案例", category_key="green-low-carbon"
    )
    chosen = ChosenExcerpt(page=3, text="推进碳达峰行动", role="operator")
    excerpts = {"green-low-carbon": StoredExcerpt(11, chosen)}
    screening = _screening(campaign_2024)

    (current,) = public_commendations([case], {}, screening, campaign_2024, excerpts, 11)
    (older,) = public_commendations([case], {}, screening, campaign_2024, excerpts, 12)

    assert (current.excerpt, older.excerpt) == (chosen, None)
    assert len(older.evidence) == 2
