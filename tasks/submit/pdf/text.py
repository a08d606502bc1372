"""Read a report's extracted text for the pre-screen: Chinese-text share, pages without text,
the year it is about, topics, standards and the reviewers' hints, plus the warnings they lead to.

Pure: page texts and the campaign's rules in, a `TextAnalysis` out. It does not open files or
call pypdf (tasks/submit/pdf/read.py does), and it never scores a report: the hints only point
reviewers at what to look for (completeness, comparability, balance, materiality).

A page holding full-width letters or digits, Kangxi radicals or compatibility ideographs (some
PDFs extract those instead of ordinary ideographs) is NFKC-normalised first. Topics are matched
with whitespace removed, since extraction breaks lines in the middle of Chinese words
(tasks/submit/pdf/topics.py); the year is read from the cover and 报告期 first
(tasks/submit/pdf/year.py); standards with their negations in tasks/submit/pdf/standards.py.
It runs once per report inside the screen's workers, so every pattern is written to scan fast
(a few percent of pypdf's own time).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from schemas.screening import (
    ScreenCode,
    ScreenProblem,
    ScreenRules,
    TextAnalysis,
    screen_problem,
)
from tasks.submit.pdf.standards import cited_standards
from tasks.submit.pdf.topics import topic_coverage
from tasks.submit.pdf.year import body_years, stated_years

__all__ = ["analyse_text", "compact", "normalise", "page_ranges", "text_problems"]

# A report is taken as scanned (no usable text layer) below either threshold.
MIN_CJK_PER_PAGE = 50  # Chinese characters per page read, on average
MIN_CJK_SHARE = 0.2  # Chinese characters among all non-space characters (mojibake: ~0)
MIN_CHARS_PER_TEXT_PAGE = 10  # fewer non-space characters: the page has no text layer

NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SPACE = re.compile(r"\s+")
# Characters NFKC changes that matter here (not the full-width punctuation of every page).
NEEDS_NFKC = re.compile(
    r"[\uff0f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2e80-\u2fdf\uf900-\ufaff]"
)
# Three or more year labels in a row (a multi-year table's header, or "Y-2年、Y-1年、Y年").
YEAR_RUN = re.compile(
    r"(?:19|20)\d\d(?:年度|年)?(?:[\s、,/|]*(?<!\d)(?:19|20)\d\d(?:年度|年)?(?!\d)){2,}"
)
YEAR_IN_RUN = re.compile(r"(?:19|20)\d\d")
MULTI_YEAR_PHRASE = re.compile(r"(?:近|连续|过去)[三3]年|[三3]年(?:数据|对比|趋势|变化)")
BALANCE_TERMS = (
    "不足", "差距", "短板", "事故", "处罚", "罚款", "整改", "未达标", "未完成", "违规",
    "违法", "投诉", "负面",
)  # fmt: skip
MATERIALITY = re.compile(r"(?:实质性|重大性|重要性)议题")


@functools.lru_cache(maxsize=64)
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """Return a regex matching any of `words`, longest first (one mention is one match);
    cached."""
    ordered = sorted(dict.fromkeys(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered))


BALANCE = _alternation(BALANCE_TERMS)


def normalise(text: str) -> str:
    """Return `text` NFKC-normalised when it holds full-width letters or digits, radicals or
    compatibility ideographs; otherwise `text` itself; pure."""
    return unicodedata.normalize("NFKC", text) if NEEDS_NFKC.search(text) else text


def compact(text: str) -> str:
    """Return `text` with all whitespace removed; pure."""
    return SPACE.sub("", text)


def count_cjk(text: str) -> int:
    """Return how many Chinese characters (CJK ideographs) `text` holds; pure."""
    return len(NOT_CJK.sub("", text))


def dominant_other_year(years: dict[int, int], report_year: int) -> int | None:
    """Return the year mentioned more often than the report year (the most mentioned one,
    the later on a tie), or None when the report year holds its own; pure."""
    others = [(n, y) for y, n in years.items() if y != report_year]
    if not others:
        return None
    n, y = max(others)
    return y if n > years.get(report_year, 0) else None


def count_multi_year(text: str, dense: str) -> int:
    """Return the multi-year evidence: runs of three or more distinct years in `text` (table
    headers) plus phrases such as 近三年 / 连续三年 in its compacted form `dense`; pure."""
    runs = sum(
        1
        for m in YEAR_RUN.finditer(text)
        if not (m.start() and text[m.start() - 1].isdigit())
        and len(set(YEAR_IN_RUN.findall(m.group()))) >= 3
    )
    return runs + len(MULTI_YEAR_PHRASE.findall(dense))


def image_only_pages(dense_pages: Sequence[str]) -> list[int]:
    """Return the 1-based numbers of the pages whose compacted text holds fewer than
    MIN_CHARS_PER_TEXT_PAGE characters (images, scans, blank pages); pure."""
    return [
        number
        for number, text in enumerate(dense_pages, start=1)
        if len(text) < MIN_CHARS_PER_TEXT_PAGE
    ]


def page_ranges(numbers: Sequence[int]) -> str:
    """Return ascending page numbers as ranges, e.g. [3, 4, 5, 9] -> "3-5、9"; pure."""
    parts: list[str] = []
    run: list[int] = []
    for n in numbers:
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return "、".join(parts)


def analyse_text(pages: Sequence[str], rules: ScreenRules) -> TextAnalysis:
    """Return what the page texts say about the campaign's rules, with the warnings; pure.

    A page whose text layer holds next to nothing (a scanned page, a full-page picture, a blank
    page) is listed in `image_pages`; the share of them decides `pdf-partly-scanned`.
    """
    texts = [normalise(p) for p in pages]
    dense_pages = [compact(t) for t in texts]
    dense = "".join(dense_pages)
    text_chars = len(dense)
    cjk_chars = count_cjk(dense)
    share = cjk_chars / text_chars if text_chars else 0.0
    scanned = cjk_chars < MIN_CJK_PER_PAGE * len(pages) or share < MIN_CJK_SHARE
    years = body_years(texts)
    coverage = topic_coverage(rules, dense_pages)
    core = [c for c in coverage if c.kind == "core"]
    joined = "".join(t.replace("\n", "") for t in texts)
    analysis = TextAnalysis(
        text_chars=text_chars,
        cjk_chars=cjk_chars,
        cjk_share=round(share, 4),
        scanned=scanned,
        image_pages=image_only_pages(dense_pages),
        years_found=years,
        years_stated=sorted(stated_years(texts)),
        report_year_found=years.get(rules.report_year, 0) > 0,
        other_year=dominant_other_year(years, rules.report_year),
        topics=coverage,
        core_topics_covered=sum(c.covered for c in core),
        focus_areas_covered=sum(c.covered for c in coverage if c.kind != "core"),
        standards_cited=cited_standards(rules, joined),
        hints={
            "completeness": round(sum(c.covered for c in core) / len(core), 2) if core else 0.0,
            "comparability": count_multi_year("\n".join(texts), dense),
            "balance": len(BALANCE.findall(dense)),
            "materiality": MATERIALITY.search(dense) is not None,
        },
    )
    return analysis.model_copy(update={"problems": text_problems(analysis, rules, len(pages))})


def _year_problem(analysis: TextAnalysis, year: int) -> ScreenProblem | None:
    """Return the wrong-year warning, or None. A stated year (cover, title, 报告期) decides;
    only a report stating none is judged by its body's year mentions; pure."""
    stated, found = analysis.years_stated, analysis.years_found
    if stated:
        if year in stated:
            return None
        said = "、".join(f"{y}年" for y in stated)
        return screen_problem(
            ScreenCode.WRONG_YEAR,
            f"封面、标题或报告期写明的年度为{said}，本届要求{year}年度报告",
            f"the cover, title or reporting period states {', '.join(map(str, stated))}, "
            f"not {year}",
            advice=f"报告封面、标题或报告期写明的年度为{said}，本届发布的是{year}年度报告。"
            f"如提交有误，请重新提交{year}年度报告。",
        )
    advice = (
        f"系统未在报告封面或“关于本报告”中找到报告期（本届为{year}年度报告），"
        "本次无需因此重新提交。"
    )
    if not analysis.report_year_found:
        return screen_problem(
            ScreenCode.WRONG_YEAR,
            f"报告中未写明报告期，正文也未出现“{year}年”",
            f"no reporting period stated and {year} does not appear",
            advice=advice,
        )
    if analysis.other_year is not None:
        other = analysis.other_year
        return screen_problem(
            ScreenCode.WRONG_YEAR,
            f"报告中未写明报告期；正文中“{other}年”出现{found[other]}次，多于“{year}年”"
            f"（{found[year]}次）",
            f"no reporting period stated; {other} is mentioned more often ({found[other]}) "
            f"than {year} ({found[year]})",
            advice=advice,
        )
    return None


def _scan_problem(analysis: TextAnalysis, rules: ScreenRules, pages: int) -> ScreenProblem | None:
    """Return the whole-scan or partial-scan warning, or None; pure."""
    if analysis.scanned:
        return screen_problem(
            ScreenCode.SCANNED,
            f"{pages}页中仅提取到{analysis.cjk_chars}个汉字（占全部文字的{analysis.cjk_share:.0%}）",
            f"{analysis.cjk_chars} Chinese characters in {pages} pages "
            f"({analysis.cjk_share:.0%} of all text)",
        )
    images = analysis.image_pages
    if pages and len(images) / pages > rules.max_image_page_share:
        where = page_ranges(images)
        share = f"{len(images)}/{pages}"
        return screen_problem(
            ScreenCode.PARTLY_SCANNED,
            f"第{where}页（{share}页，上限{rules.max_image_page_share:.0%}）",
            f"pages {where.replace('、', ', ')} ({share}; limit {rules.max_image_page_share:.0%})",
            advice=f"第{where}页（共{len(images)}页）",
        )
    return None


def text_problems(analysis: TextAnalysis, rules: ScreenRules, pages: int) -> list[ScreenProblem]:
    """Return the warnings the text leads to. A wholly scanned report gets only `pdf-scanned`:
    with no text, missing years, topics and standards say nothing new; pure."""
    scan = _scan_problem(analysis, rules, pages)
    if analysis.scanned:
        return [scan] if scan is not None else []
    problems = [p for p in (scan, _year_problem(analysis, rules.report_year)) if p is not None]
    missing = [c for c in analysis.topics if c.kind == "core" and not c.covered]
    if missing:
        names = "、".join(c.name for c in missing)
        problems.append(
            screen_problem(
                ScreenCode.TOPICS_MISSING, names, ", ".join(c.key for c in missing), advice=names
            )
        )
    if not analysis.standards_cited:
        problems.append(screen_problem(ScreenCode.NO_STANDARD))
    return problems
