"""Reading report text for the search: per page with pypdf, a failing page is an empty page and
counted, wrapped lines joined into paragraphs, one read per file content (cached by SHA-256),
an unreadable file left out and tried again next time."""

from __future__ import annotations

from pathlib import Path

from factories import write_report_pdfs
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from schemas.campaign_file import CampaignFile
from tasks.release.catalogue.text import (
    ReportSource,
    clean_text,
    extract_pages,
    paragraphs,
    report_texts,
)


def test_paragraphs_join_wrapped_lines_and_break_after_a_sentence() -> None:
    text = "公司持续推进碳达\n峰行动。\n员工关爱\n覆盖全体员工；\nISO\n14001 认证\n"

    assert paragraphs(text) == [
        "公司持续推进碳达峰行动。",
        "员工关爱覆盖全体员工；",
        "ISO 14001 认证",
    ]


def test_clean_text_folds_spaces_and_drops_control_characters() -> None:
    assert clean_text("  碳\x00达峰\u3000\u3000行动 \n\n\n 第二段 ") == "碳达峰 行动 \n 第二段"


def test_extract_pages_reads_each_page_and_a_broken_page_as_empty(
    tmp_path: Path, campaign_2024: CampaignFile
) -> None:
    pdf = write_report_pdfs(campaign_2024, tmp_path, [(1, None)])[1]
    pages = len(PdfReader(pdf).pages)
    writer = PdfWriter(clone_from=PdfReader(pdf))
    garbage = StreamObject()
    garbage.set_data(b"not deflated")
    garbage[NameObject("/Filter")] = NameObject("/FlateDecode")  # page 2 cannot be inflated
    writer.pages[1][NameObject("/Contents")] = writer._add_object(garbage)
    broken = tmp_path / "broken.pdf"
    writer.write(broken)

    good = extract_pages(pdf)
    bad = extract_pages(broken)

    assert (len(good.pages), good.page_errors) == (pages, 0)
    assert "上海测试0001科技有限公司" in good.pages[0]
    assert len(bad.pages) == pages
    assert bad.pages[1] == ""
    assert good.pages[1] != ""
    assert bad.pages[2] == good.pages[2]


def test_the_text_cache_keeps_one_read_per_file_content(
    tmp_path: Path, campaign_2024: CampaignFile
) -> None:
    pdf = write_report_pdfs(campaign_2024, tmp_path / "in", [(1, None)])[1]
    same = tmp_path / "copy.pdf"
    same.write_bytes(pdf.read_bytes())
    sources = {"a": ReportSource(pdf), "b": ReportSource(same)}

    first, read_first = report_texts(sources, tmp_path / "cache", workers=1)
    second, read_second = report_texts(sources, tmp_path / "cache", workers=1)

    assert (read_first, read_second) == (1, 0)
    assert first["a"] == first["b"] == second["a"]


def test_an_unreadable_file_is_left_out_and_read_again_next_time(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")

    first = report_texts({"x": ReportSource(junk)}, tmp_path / "cache", workers=1)
    second = report_texts({"x": ReportSource(junk)}, tmp_path / "cache", workers=1)

    assert first == ({}, 1)
    assert second == ({}, 1)
