"""The site's report text from the pages the screening stored: read back per report version, in
page order with gaps as empty pages, and the same text a PDF read gives (so the site finds the
same reports by the same words whichever path a report's text took)."""

from __future__ import annotations

from pathlib import Path

from factories import make_uscc
from searchkit import released_reports
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from tasks.release.catalogue.stored_text import page_list, stored_pages
from tasks.release.catalogue.text import extract_pages, paragraphs
from tasks.release.search_index import decided_reports
from tasks.store import session_scope


def test_page_list_keeps_page_numbers_and_reads_a_page_without_text_as_empty() -> None:
    assert page_list({1: "碳达峰行动", 3: "员工\u3000\u3000关爱\x00"}) == (
        "碳达峰行动",
        "",
        "员工 关爱",
    )
    assert page_list({2: "减排"}, count=4) == ("", "减排", "", "")
    assert page_list({}, count=None) == ()


def test_stored_pages_give_the_text_a_pdf_read_gives_for_every_released_report(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        released_reports(session, campaign_2024, tmp_path, [1, 2], approved=[3])
        decided = decided_reports(session, campaign_2024.year)
        found = stored_pages(session, [*decided, 999_999])

    assert sorted(found) == sorted(decided)  # a report without stored pages is absent
    for n in (1, 2):
        pdf = extract_pages(tmp_path / f"{make_uscc(n)}.pdf").pages
        pages = page_list(next(p for p in found.values() if _same_report(p, pdf)), len(pdf))
        assert pages == pdf
        assert [paragraphs(text) for text in pages] == [paragraphs(text) for text in pdf]


def _same_report(stored: dict[int, str], pdf: tuple[str, ...]) -> bool:
    """Return whether stored pages belong to the report whose PDF text is `pdf` (its cover)."""
    return page_list(stored, len(pdf))[0] == pdf[0]


def test_a_chinese_line_wrap_is_joined_and_a_paragraph_still_ends_at_a_full_stop() -> None:
    from tasks.release.catalogue.text import page_text

    raw = "一、组织治理\n公司推进碳达\n峰行动。\n（一）员工关爱\n 公司开展心理辅导。ISO\n14001"
    stored = "一、组织治理公司推进碳达峰行动。（一）员工关爱公司开展心理辅导。ISO\n14001"

    assert page_text(raw) == page_text(stored)
    assert paragraphs(page_text(raw)) == [
        "一、组织治理公司推进碳达峰行动。",
        "（一）员工关爱公司开展心理辅导。",
        "ISO 14001",
    ]
