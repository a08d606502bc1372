"""The feedback letter as a dated PDF (评审意见书): render it, and write it into the workspace.

`render_letter_pdf(letter, font)` lays out one A4 page or two with reportlab's platypus in the
campaign's PDF font (tasks/common/fonts.py, shared with the certificates): the unit, the overall
score and the star grade on the campaign file's ladder, each dimension's weight, raw score and
comment, one sentence on raw versus calibrated scores, strengths, suggestions, who issued it and
the day the outcome was decided. The output is a function of the letter and the font (reportlab's
invariant mode; the creation date is the letter's date).

`LetterFiles` writes the PDF under review/<year>/letters/ with a readable name (unit short name,
round, version) and returns its workspace-relative path for the mail's attachments. It decides
nothing about what the letter says (tasks/review/letters.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from notifications.contexts import FeedbackLetterContext
from notifications.render import cn_date
from tasks.common.fonts import FontChoice, LoadedFont, load_font
from tasks.review.file_names import letter_file_name

LETTERS_FOLDER = "letters"
DECISION_WORDS = {
    "pass": "通过评审，提交指导单位工作会议审议发布",
    "revise": "修改完善后重新提交",
    "reject": "暂不推荐发布（最终由指导单位工作会议审议）",
}


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=1),
        "sub": ParagraphStyle("sub", parent=base, fontSize=11, alignment=1),
        "head": ParagraphStyle("head", parent=base, fontSize=12, leading=20, spaceBefore=8),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=14),
        "right": ParagraphStyle("right", parent=base, alignment=2),
    }


def _grid(rows: list[list[Paragraph]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa3ad")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f3f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _ladder_text(letter: FeedbackLetterContext) -> str:
    steps = [f"{g.name}（{g.label}，{g.band}）" for g in letter.ladder]
    return "评级标准：" + "、".join(steps) + "。"


def _score_sentence(letter: FeedbackLetterContext) -> str:
    weighted = "" if letter.raw_score is None else f"，按权重加权为{letter.raw_score:.1f}分"
    return (
        f"说明：分项得分为评审专家原始评分的平均值{weighted}；综合得分{letter.score:.1f}分是按各位"
        "专家的评分尺度校准（标准化）后的得分，评级以综合得分为准。"
    )


def _story(letter: FeedbackLetterContext, s: dict[str, ParagraphStyle]) -> list[object]:
    """Return the letter's flowables, top to bottom."""

    def p(text: str, style: str = "body") -> Paragraph:
        return Paragraph(escape(text), s[style])

    c = letter.campaign
    story: list[object] = [
        p(f"{c.report_year}年度社会责任报告评审意见书", "title"),
        p(c.title, "sub"),
        Spacer(1, 6 * mm),
    ]
    if letter.correction is not None:
        story.append(
            p(
                f"本意见书为更正版（第{letter.correction.version}版），以本版为准。"
                f"更正原因：{letter.correction.reason}"
            )
        )
    summary = [
        ["受评单位", letter.unit_name],
        ["评审轮次", f"第{letter.round + 1}轮"],
        ["综合得分", f"{letter.score:.1f}"],
        ["评级", f"{letter.grade_name}（{letter.grade_label}）"],
        ["评审结论", DECISION_WORDS[letter.decision]],
    ]
    story.append(_grid([[p(a), p(b)] for a, b in summary], [32 * mm, 138 * mm]))
    story.append(p("分项得分及评价", "head"))
    rows = [[p("维度（权重）"), p("得分"), p("评价")]]
    rows += [
        [p(f"{x.name}（{x.weight * 100:.0f}%）"), p(f"{x.score:.1f} / {x.max:.0f}"), p(x.comment)]
        for x in letter.criteria
    ]
    story += [_grid(rows, [32 * mm, 24 * mm, 114 * mm]), Spacer(1, 2 * mm)]
    story.append(p(_score_sentence(letter), "small"))
    if letter.ladder:
        story.append(p(_ladder_text(letter), "small"))
    for heading, items in (("报告的主要亮点", letter.strengths), ("改进建议", letter.suggestions)):
        if items:
            story.append(p(heading, "head"))
            story += [p(f"{i}. {text}") for i, text in enumerate(items, 1)]
    story += [Spacer(1, 6 * mm), p(f"{c.title}组委会", "right")]
    story.append(p("、".join(c.organisers), "right"))
    if letter.issued_on is not None:
        story.append(p(cn_date(letter.issued_on), "right"))
    return story


def render_letter_pdf(letter: FeedbackLetterContext, font: LoadedFont) -> bytes:
    """Return the PDF of one feedback letter. Pure: `font` is registered in this process."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=f"{letter.unit_name}评审意见书",
        author="、".join(letter.campaign.organisers),
        subject=letter.campaign.title,
        creator="csr-campaign",
        lang="zh-CN",
        invariant=1,
    )
    doc.build(_story(letter, _styles(font.name)))
    return out.getvalue()


@dataclass(frozen=True)
class LetterFiles:
    """Where a season's feedback letters are written, and the font they are printed in."""

    workspace: Path
    font: FontChoice

    def write(self, letter: FeedbackLetterContext, year: int, version: int) -> str:
        """Render and write one letter's PDF; return its workspace-relative path. Writes a file
        (replacing one of the same name: the same decided version renders the same letter)."""
        folder = self.workspace / "review" / str(year) / LETTERS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / letter_file_name(letter.unit_name, letter.round, version)
        loaded = load_font(self.font)
        path.write_bytes(render_letter_pdf(letter, loaded))
        return path.relative_to(self.workspace).as_posix()
