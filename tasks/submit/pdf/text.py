"""Read a report's extracted text for the pre-screen: Chinese-text share, years, topics,
standards and the reviewers' hints, plus the warnings they lead to.

Pure: page texts and the campaign's rules in, a `TextAnalysis` out. It does not open files or
call pypdf (tasks/submit/pdf/read.py does), and it never scores a report: the hints only point
reviewers at what to look for (completeness, comparability, balance, materiality).

A page holding full-width letters or digits, Kangxi radicals or compatibility ideographs (some
PDFs extract those instead of ordinary ideographs) is NFKC-normalised first. Keywords, years
and standards are matched with whitespace removed too, since extraction breaks lines in the
middle of Chinese words. One mention is one non-overlapping match, the longest keyword first
(公益慈善 is one mention, not also 慈善). It runs once per report inside the screen's workers,
so every pattern is written to scan fast (a few percent of pypdf's own time).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from schemas.screening import (
    ScreenCode,
    ScreenProblem,
    ScreenRules,
    TextAnalysis,
    TopicCoverage,
    screen_problem,
)

# A report is taken as scanned (no usable text layer) below either threshold.
MIN_CJK_PER_PAGE = 50  # Chinese characters per page read, on average
MIN_CJK_SHARE = 0.2  # Chinese characters among all non-space characters (mojibake: ~0)

NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SPACE = re.compile(r"\s+")
# Characters NFKC changes that matter here (not the full-width punctuation of every page).
NEEDS_NFKC = re.compile(
    r"[\uff0f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2e80-\u2fdf\uf900-\ufaff]"
)
YEAR = re.compile(r"(?:19|20)\d\d(?=年)")  # preceded by no digit: checked by hand (faster)
CN_DIGITS = str.maketrans("\u3007零一二三四五六七八九", "00123456789")  # U+3007: ideographic zero
CN_YEAR = re.compile("([\u3007零一二三四五六七八九]{4})年")
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
# A pattern's leading lookbehind, e.g. (?<![A-Za-z]): it stops the regex engine's fast scan.
LEADING_LOOKBEHIND = re.compile(r"^\(\?<[!=](?:\[[^\]]*\]|\\.|[^()\\])*\)")


@functools.lru_cache(maxsize=64)
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """Return a regex matching any of `words`, longest first (one mention is one match);
    cached, since every report of a batch uses the same keywords."""
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


def count_years(text: str) -> dict[int, int]:
    """Return how often each year is mentioned as `<year>年` (年度 included), in Arabic or
    Chinese numerals (二〇二三年), years ascending; pure."""
    counts = Counter(
        int(m.group())
        for m in YEAR.finditer(text)
        if not (m.start() and text[m.start() - 1].isdigit())
    )
    for digits in CN_YEAR.findall(text):
        year = int(digits.translate(CN_DIGITS))
        if 1900 <= year <= 2099:
            counts[year] += 1
    return dict(sorted(counts.items()))


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


def topic_coverage(rules: ScreenRules, pages: Sequence[str]) -> list[TopicCoverage]:
    """Return every topic's keyword mentions and pages over compacted page texts, in
    campaign-file order (a keyword listed under two topics counts for both); pure."""
    owners: dict[str, list[str]] = {}
    for t in rules.topics:
        for k in t.keywords:
            owners.setdefault(k, []).append(t.key)
    pattern = _alternation(tuple(owners))
    hits: Counter[str] = Counter()
    on: dict[str, list[int]] = {t.key: [] for t in rules.topics}
    for number, text in enumerate(pages, start=1):
        found = Counter(pattern.findall(text))
        for keyword, n in found.items():
            for key in owners[keyword]:
                hits[key] += n
                if not on[key] or on[key][-1] != number:
                    on[key].append(number)
    return [
        TopicCoverage(
            key=t.key,
            name=t.name,
            kind=t.kind,
            hits=hits[t.key],
            pages=on[t.key],
            covered=hits[t.key] >= rules.min_topic_hits,
        )
        for t in rules.topics
    ]


def _cites(pattern: str, texts: tuple[str, str]) -> bool:
    """Return whether `pattern` matches either text. A leading lookbehind is first left off
    for a fast scan that can only find more, never fewer, places; pure."""
    loose = LEADING_LOOKBEHIND.sub("", pattern, count=1)
    if loose != pattern and not any(re.search(loose, t) for t in texts):
        return False
    return any(re.search(pattern, t) for t in texts)


def cited_standards(rules: ScreenRules, text: str, dense: str) -> list[str]:
    """Return the keys of the standards whose patterns match the text or its compacted form,
    in campaign-file order; pure."""
    return [s.key for s in rules.standards if any(_cites(p, (text, dense)) for p in s.patterns)]


def analyse_text(pages: Sequence[str], rules: ScreenRules) -> TextAnalysis:
    """Return what the page texts say about the campaign's rules, with the warnings; pure."""
    texts = [normalise(p) for p in pages]
    dense_pages = [compact(t) for t in texts]
    text, dense = "\n".join(texts), "".join(dense_pages)
    text_chars = len(dense)
    cjk_chars = count_cjk(dense)
    share = cjk_chars / text_chars if text_chars else 0.0
    scanned = cjk_chars < MIN_CJK_PER_PAGE * len(pages) or share < MIN_CJK_SHARE
    years = count_years(dense)
    coverage = topic_coverage(rules, dense_pages)
    core = [c for c in coverage if c.kind == "core"]
    analysis = TextAnalysis(
        text_chars=text_chars,
        cjk_chars=cjk_chars,
        cjk_share=round(share, 4),
        scanned=scanned,
        years_found=years,
        report_year_found=years.get(rules.report_year, 0) > 0,
        other_year=dominant_other_year(years, rules.report_year),
        topics=coverage,
        core_topics_covered=sum(c.covered for c in core),
        focus_areas_covered=sum(c.covered for c in coverage if c.kind != "core"),
        standards_cited=cited_standards(rules, text, dense),
        hints={
            "completeness": round(sum(c.covered for c in core) / len(core), 2) if core else 0.0,
            "comparability": count_multi_year(text, dense),
            "balance": len(BALANCE.findall(dense)),
            "materiality": MATERIALITY.search(dense) is not None,
        },
    )
    return analysis.model_copy(update={"problems": text_problems(analysis, rules, len(pages))})


def text_problems(analysis: TextAnalysis, rules: ScreenRules, pages: int) -> list[ScreenProblem]:
    """Return the warnings the text leads to. A scanned report gets only `pdf-scanned`: with
    no text, missing years, topics and standards say nothing new; pure."""
    if analysis.scanned:
        return [
            screen_problem(
                ScreenCode.SCANNED,
                f"{pages}页中仅提取到{analysis.cjk_chars}个汉字（占全部文字的{analysis.cjk_share:.0%}）",
                f"{analysis.cjk_chars} Chinese characters in {pages} pages "
                f"({analysis.cjk_share:.0%} of all text)",
            )
        ]
    problems = []
    year, found = rules.report_year, analysis.years_found
    if not analysis.report_year_found:
        problems.append(
            screen_problem(
                ScreenCode.WRONG_YEAR,
                f"报告中未出现报告年度“{year}年”",
                f"the report year {year} does not appear",
            )
        )
    elif analysis.other_year is not None:
        other = analysis.other_year
        problems.append(
            screen_problem(
                ScreenCode.WRONG_YEAR,
                f"“{other}年”出现{found[other]}次，多于报告年度“{year}年”（{found[year]}次）",
                f"{other} is mentioned more often ({found[other]}) than the report year {year} "
                f"({found[year]})",
            )
        )
    missing = [c for c in analysis.topics if c.kind == "core" and not c.covered]
    if missing:
        problems.append(
            screen_problem(
                ScreenCode.TOPICS_MISSING,
                "、".join(c.name for c in missing),
                ", ".join(c.key for c in missing),
            )
        )
    if not analysis.standards_cited:
        problems.append(screen_problem(ScreenCode.NO_STANDARD))
    return problems
