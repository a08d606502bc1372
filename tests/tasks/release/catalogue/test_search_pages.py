"""The case library page: a chosen excerpt quoted with its page and who chose it, else the
pre-screen's passages under their own label; every value escaped."""

from __future__ import annotations

import re
from pathlib import Path

from browserkit import run_chromium

from schemas.campaign_file import CampaignFile
from schemas.catalogue import (
    CaseEvidence,
    CatalogueCommendation,
    CatalogueEdition,
    CatalogueEntry,
    ChosenExcerpt,
)
from tasks.release.catalogue.entries import catalogue_campaign
from tasks.release.catalogue.search_pages import render_cases

SCRIPT = '<script>alert("x")</script>'


def _case(
    excerpt: ChosenExcerpt | None, evidence: str = "公司推进绿色低碳转型"
) -> CatalogueCommendation:
    return CatalogueCommendation(
        kind="case",
        title="绿色低碳优秀案例",
        category_key="green-low-carbon",
        rank=1,
        evidence=(CaseEvidence(page=3, text=evidence),),
        excerpt=excerpt,
    )


def _page(campaign: CampaignFile, *awards: tuple[str, CatalogueCommendation]) -> str:
    entries = tuple(
        CatalogueEntry(slug=slug, unit_name=f"单位{slug}", commendations=(award,))
        for slug, award in awards
    )
    edition = CatalogueEdition(campaign=catalogue_campaign(campaign), entries=entries)
    return render_cases([edition])


def _cases(page: str) -> list[str]:
    return re.findall(
        r'<li class="kb-case">(.*?)</li>\s*(?=<li class="kb-case">|</ol>)', page, re.S
    )


def test_a_chosen_excerpt_is_quoted_with_its_page_link_and_role(
    campaign_2024: CampaignFile,
) -> None:
    chosen = ChosenExcerpt(page=7, text="建成零碳工厂，年减排二氧化碳1.2万吨", role="reviewer")
    by_office = ChosenExcerpt(page=2, text="社区志愿服务全年4,200小时", role="operator")

    page = _page(
        campaign_2024, ("a1", _case(chosen)), ("b2", _case(by_office)), ("c3", _case(None))
    )
    first, second, third = _cases(page)

    assert "“建成零碳工厂，年减排二氧化碳1.2万吨”" in first
    assert '<a href="text/2024/a1.html#p7">第 7 页</a> · 评审专家选定' in first
    assert "公司推进绿色低碳转型" not in first  # a chosen excerpt replaces the keyword passages
    assert '<a href="text/2024/b2.html#p2">第 2 页</a> · 组委会选定' in second
    assert "案例摘录尚未由评审专家或组委会选定" in third
    assert '<a href="text/2024/c3.html#p3">第 3 页</a>：公司推进绿色低碳转型' in third
    assert "（2 个案例已选定）" in page


def test_markup_in_an_excerpt_or_a_passage_is_shown_as_text(campaign_2024: CampaignFile) -> None:
    chosen = ChosenExcerpt(page=1, text=f"案例{SCRIPT}", role="reviewer")

    page = _page(campaign_2024, ("a1", _case(chosen)), ("b2", _case(None, evidence=SCRIPT)))

    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 2


def test_chromium_shows_an_excerpt_made_of_markup_as_text(
    chromium: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    markup = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
    chosen = ChosenExcerpt(page=1, text=f"案例{markup}", role="operator")
    page = tmp_path / "cases.html"
    page.write_text(_page(campaign_2024, ("a1", _case(chosen))), encoding="utf-8")

    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())

    quote = re.search(r'<blockquote class="kb-excerpt"[^>]*>(.*?)</blockquote>', dom, re.S)
    assert quote is not None
    assert "<img" not in quote.group(1)
    assert "<script" not in quote.group(1)
    assert "&lt;img src=x" in quote.group(1)
    assert "<title>pwned</title>" not in dom
