"""Find which year a report is about: first what its cover, title and 报告期 say, then the body.

A report states its year on the cover or title page ("2023年度社会责任报告", "2023社会责任报告",
"FY2023", "2023/2024 ESG报告", "二〇二三年度…报告") and in its 报告说明 (报告期, 报告年度,
时间范围：2023年1月1日至2023年12月31日). When it states one, that is the answer and the body is
not counted. Only a report that states none is judged by its body's "YYYY年" mentions, where
target years (2030年前碳达峰, 到2025年), comparisons (较2022年, 同比) and multi-year table
headers are left out, since they say nothing about the report year.

Pure: normalised page texts in (NFKC applied, lines kept), years out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["body_years", "stated_years"]

COVER_PAGES = 3  # the cover, the inside cover and the title page / table of contents
CN_DIGITS = str.maketrans("\u3007零一二三四五六七八九", "00123456789")  # U+3007: ideographic zero
CN_YEAR = re.compile("[\u3007零一二三四五六七八九]{4}(?=\\s*年)")
YEAR = r"((?:19|20)\d\d)"
RANGE = YEAR + r"(?:\s*(?:[-/~至\u2013\u2014\uff0d]|年度?至)\s*" + YEAR + r")?"
REPORT_WORDS = (
    r"(?:企业|公司)?(?:社会责任|可持续发展|ESG|环境、社会及管?治理|环境、社会和管?治理|企业公民"
    r"|责任|社会价值|ESG暨社会责任|社会责任暨ESG)"
)
# "2023年度社会责任报告", "2023社会责任报告", "2023/2024 ESG报告", "2023年度可持续发展暨ESG报告"
TITLE = re.compile(
    r"(?<!\d)"
    + RANGE
    + r"\s*(?:年度|年)?\s*(?:[^\s\d。，,；]{0,12}?)"
    + REPORT_WORDS
    + r"[^。，\d]{0,8}?报告"
)
ENGLISH_TITLE = re.compile(
    r"(?<!\d)" + YEAR + r"\s+(?:Corporate\s+)?(?:Social\s+Responsibility|Sustainability|ESG|CSR)"
    r"(?:\s+and\s+ESG)?\s+Report|(?:Sustainability|ESG|CSR)\s+Report\s+" + YEAR + r"(?!\d)",
    re.IGNORECASE,
)
FISCAL = re.compile(
    r"(?<![A-Za-z])FY\s*'?" + YEAR + r"(?!\d)|(?<!\d)" + YEAR + r"\s*财(?:政)?年度?"
)
# 报告期 / 报告年度 / 时间范围 ... followed closely by the first year of the period.
PERIOD = re.compile(
    r"(?:报告期|报告年度|报告期间|报告周期|报告时间范围|时间范围|时间跨度|(?i:reporting\s+period))"
    r"[^。\n]{0,16}?(?<!\d)" + YEAR + r"(?!\d)"
)
PERIOD_WORDS = ("报告期", "报告年度", "报告周期", "时间范围", "时间跨度", "eporting", "EPORTING")
BODY_YEAR = re.compile(YEAR + r"(?=\s*年)")  # a digit before it: checked by hand (faster)
# Before a year: a comparison or a deadline (较2022年, 与2022年相比, 到2025年, 截至2030年).
NOT_BEFORE = re.compile(r"(?:较|比|相比|相较|对比|到|截至|截止|预计|力争|计划|目标)\s*$")
# After "YYYY年": a target or a comparison (2030年前, 2025年目标, 2022年同期, 2022年相比).
NOT_AFTER = re.compile(
    r"\s*年(?:度)?(?:前|之前|以前|底前|末前|目标|将|实现|达到|力争|预计|计划|同期|相比|对比|增长|下降|持平|基准)"
)
# A multi-year table header or list (2021年 2022年 2023年; 2021年、2022年、2023年).
RUN = re.compile(r"(?:19|20)\d\d(?:年度|年)?(?:[\s、/|]*(?:19|20)\d\d(?:年度|年)?){2,}")


def arabic_years(page: str) -> str:
    """Return `page` with years in Chinese numerals (二〇二三年) written in Arabic digits; the
    page itself when it holds none (every such year has U+3007, 零 or 一九); pure."""
    if "\u3007" not in page and "零" not in page and "一九" not in page:
        return page
    return CN_YEAR.sub(lambda m: m.group().translate(CN_DIGITS), page)


def _years(match: re.Match[str]) -> set[int]:
    """Return the years a title, period or fiscal-year match names (one or a range)."""
    return {int(g) for g in match.groups() if g}


def stated_years(pages: Sequence[str]) -> set[int]:
    """Return the years the report states as its own: titles and fiscal years on the cover
    pages, 报告期 statements on any page; empty when it states none; pure."""
    found: set[int] = set()
    for number, page in enumerate(pages, start=1):
        text = arabic_years(page)
        if number <= COVER_PAGES:
            for pattern in (TITLE, ENGLISH_TITLE, FISCAL):
                for m in pattern.finditer(text):
                    found |= _years(m)
        if any(w in text for w in PERIOD_WORDS):
            for m in PERIOD.finditer(text):
                found |= _years(m)
    return {y for y in found if 1990 <= y <= 2099}


def body_years(pages: Sequence[str]) -> dict[int, int]:
    """Return how often each year is mentioned as "YYYY年" in the body, leaving out target
    years, comparisons and multi-year table headers, years ascending; pure."""
    counts: Counter[int] = Counter()
    for page in pages:
        text = RUN.sub(" ", arabic_years(page))
        for m in BODY_YEAR.finditer(text):
            if m.start() and text[m.start() - 1].isdigit():
                continue
            if NOT_BEFORE.search(text, max(0, m.start() - 4), m.start()):
                continue
            if NOT_AFTER.match(text, m.end()):
                continue
            counts[int(m.group(1))] += 1
    return dict(sorted(counts.items()))
