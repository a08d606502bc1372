"""A released report's page quotes the excerpt chosen for its commended case, escaped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from schemas.catalogue import (
    CatalogueCampaign,
    CatalogueCommendation,
    CatalogueEntry,
    ChosenExcerpt,
)
from tasks.release.catalogue.site import build_catalogue

CAMPAIGN = CatalogueCampaign(
    title="上海市企业社会责任报告发布会",
    theme="创新引领·责任筑基",
    year=2024,
    edition=13,
    report_year=2023,
    release_date=date(2025, 1, 16),
    topics=("绿色环保",),
    organisers=("上海市工业经济联合会",),
)
HOSTILE = "零碳</blockquote><script>alert(1)</script>工厂"


def _entry(slug: str, excerpt: ChosenExcerpt | None) -> CatalogueEntry:
    case = CatalogueCommendation(kind="case", title="绿色低碳优秀案例", rank=1, excerpt=excerpt)
    return CatalogueEntry.model_validate(
        {
            "slug": slug,
            "unit_name": "上海测试科技有限公司",
            "report_title": "上海测试科技有限公司2023年度社会责任报告",
            "report_year": 2023,
            "topics": ("绿色环保",),
            "grade": "四星级",
            "certificate_number": "SH2024-0001",
            "commendations": (case,),
        }
    )


def test_the_chosen_excerpt_is_quoted_with_its_page_and_who_chose_it(tmp_path: Path) -> None:
    chosen = _entry("91310115000000001x", ChosenExcerpt(page=3, text=HOSTILE, role="reviewer"))
    office = _entry("91310115000000002x", ChosenExcerpt(page=6, text="节能降耗", role="operator"))
    none = _entry("91310115000000003x", None)
    pdf = tmp_path / "1.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% report\n%%EOF\n")

    build_catalogue(CAMPAIGN, [chosen, office, none], tmp_path / "site", {chosen.slug: pdf})

    pages = tmp_path / "site" / "reports"
    quoted = (pages / f"{chosen.slug}.html").read_text("utf-8")
    assert "<script>alert" not in quoted
    assert "“零碳&lt;/blockquote&gt;&lt;script&gt;alert(1)&lt;/script&gt;工厂”" in quoted
    assert f'<a href="../pdf/{chosen.slug}.pdf#page=3">第 3 页</a> · 评审专家选定' in quoted
    by_office = (pages / f"{office.slug}.html").read_text("utf-8")
    assert "“节能降耗”" in by_office
    assert "第 6 页 · 组委会选定" in by_office  # no PDF published: the page, not a link
    assert 'class="excerpt"' not in (pages / f"{none.slug}.html").read_text("utf-8")
