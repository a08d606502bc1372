"""The feedback letter as a PDF: what it says, its font, its file name, and where it is kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from data.mail_contexts import sample_contexts
from pypdf import PdfReader

from notifications.contexts import FeedbackLetterContext
from schemas.campaign_file import CampaignFile
from tasks.common.fonts import SYSTEM_FONT, choose_font, load_font
from tasks.review.letter_pdf import LetterFiles, render_letter_pdf
from tasks.review.letters import grade_ladder


def _letter(campaign: CampaignFile) -> FeedbackLetterContext:
    letter = sample_contexts(campaign)["feedback_letter"]
    assert isinstance(letter, FeedbackLetterContext)
    return letter


def _text(pdf: Path) -> str:
    """The PDF's text without white space (table cells and wrapped lines break anywhere)."""
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(pdf).pages))


def test_the_ladder_is_the_campaign_files_with_the_scores_each_step_covers(
    campaign_2024: CampaignFile,
) -> None:
    ladder = grade_ladder(campaign_2024.review.grades)

    assert [(g.name, g.band) for g in ladder] == [
        ("五星级", "90分及以上"),
        ("四星半级", "80—90分"),
        ("四星级", "70—80分"),
        ("三星半级", "60—70分"),
        ("三星级", "50—60分"),
        ("二星级", "50分以下"),
    ]


@pytest.mark.skipif(not SYSTEM_FONT.is_file(), reason="needs fonts-wqy-microhei (make sysdeps)")
def test_the_letter_pdf_is_dated_signed_and_explains_its_scores(
    campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    files = LetterFiles(tmp_path, choose_font(None))

    path = files.write(_letter(campaign_2024), 2024, 1)

    assert path == "review/2024/letters/示例科技-第1轮评审意见书.pdf"
    reader = PdfReader(tmp_path / path)
    fonts = {
        str(f["/BaseFont"])
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()  # type: ignore[index, union-attr]
    }
    # The Chinese is drawn in an embedded subset; reportlab's page setup names Helvetica (one of
    # the standard 14, never embedded) and draws nothing in it.
    assert {name for name in fonts if "+" not in name} <= {"/Helvetica"}
    assert any(name.endswith("+WenQuanYiMicroHei-0") for name in fonts)
    text = _text(tmp_path / path)
    for line in (
        "2023年度社会责任报告评审意见书",
        "受评单位 上海示例科技股份有限公司",
        "综合得分 82.5",
        "评级 四星半级（领先）",
        "实质性（30%） 84.0 / 100",
        "本报告表现突出。",
        "按权重加权为81.9分；综合得分82.5分是按各位专家的评分尺度校准（标准化）后的得分",
        "三星半级（良好，60—70分）",
        "补充供应链社会责任管理的量化指标",
        "第十三届上海市企业社会责任报告发布会组委会",
        "2024年12月16日",
    ):
        assert line.replace(" ", "") in text, line


def test_the_same_letter_renders_to_the_same_bytes(campaign_2024: CampaignFile) -> None:
    font = load_font(choose_font(None))

    first = render_letter_pdf(_letter(campaign_2024), font)

    assert render_letter_pdf(_letter(campaign_2024), font) == first
