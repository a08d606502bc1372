"""The rule that accepts a case's excerpt: its words stand on that page of the decided report.

An excerpt is what the public reads as the company's own words about its commended case, so it
must be exactly that: non-empty, at most MAX_CHARS characters, and found on the page named, in
the text the screening stored for the decided report version (schemas/search_tables.py
`searchable_text`). The comparison ignores what a PDF's layout or a copy from it changes and a
reader does not see: white space and line wraps, full-width forms (NFKC). What is published is
the page's own text for the matched stretch, never the typed copy, with white space folded
(none left between two Chinese characters or marks, as a reader sees them).
`match_excerpt` returns the published text or an `ExcerptProblem` (a stable code and both
reasons) that the caller places in a row or a command's answer. Pure: no database, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from schemas.search_tables import CJK, searchable_text

__all__ = [
    "MAX_CHARS",
    "MIN_CHARS",
    "ROLE_WORDS",
    "ExcerptProblem",
    "ExcerptRole",
    "fold",
    "match_excerpt",
    "parse_role",
]

# White space between two Chinese characters or marks (“”‘’…— included) is only layout.
_WIDE = f"{CJK}\u2018\u2019\u201c\u201d\u2026\u2014"
_GAP = re.compile(f"(?<=[{_WIDE}])\\s+(?=[{_WIDE}])")
MAX_CHARS = 300  # an excerpt, not a chapter: what a case card shows in full
MIN_CHARS = 5  # fewer is a word, not a passage (non-space characters)


class ExcerptRole(StrEnum):
    """Who chose an excerpt: a review expert or the organising committee's office."""

    REVIEWER = "reviewer"
    OPERATOR = "operator"


ROLE_WORDS = {ExcerptRole.REVIEWER: "评审专家", ExcerptRole.OPERATOR: "组委会"}
_ROLE_NAMES = {
    "reviewer": ExcerptRole.REVIEWER,
    "评审专家": ExcerptRole.REVIEWER,
    "评审": ExcerptRole.REVIEWER,
    "专家": ExcerptRole.REVIEWER,
    "operator": ExcerptRole.OPERATOR,
    "组委会": ExcerptRole.OPERATOR,
    "组委会办公室": ExcerptRole.OPERATOR,
}


def parse_role(text: str) -> ExcerptRole | None:
    """Return the role a cell or option names (评审专家 / reviewer, 组委会 / operator), or None."""
    return _ROLE_NAMES.get("".join(unicodedata.normalize("NFKC", text).split()).casefold())


@dataclass(frozen=True)
class ExcerptProblem:
    """Why an excerpt is refused: a stable code and the reason in Chinese and English."""

    code: str
    reason_zh: str
    reason_en: str


def fold(text: str) -> tuple[str, list[int]]:
    """Return `text` without white space, each character NFKC-normalised, and for every folded
    character the index in `text` it came from. Pure."""
    chars: list[str] = []
    at: list[int] = []
    for index, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                chars.append(c)
                at.append(index)
    return "".join(chars), at


def match_excerpt(text: str, page: int, page_text: str | None) -> str | ExcerptProblem:
    """Return the excerpt as it stands on the page (white space folded), or why it is refused.

    `page_text` is the stored text of that page of the decided report version, None when the
    version has no such page stored. Pure.
    """
    wanted, _ = fold(searchable_text(text))
    if not wanted:
        return ExcerptProblem("excerpt-empty", "摘录原文为空", "the excerpt is empty")
    shown = " ".join(searchable_text(text).split())
    if len(shown) > MAX_CHARS:
        return ExcerptProblem(
            "excerpt-too-long",
            f"摘录过长（{len(shown)} 字），最多 {MAX_CHARS} 字",
            f"the excerpt has {len(shown)} characters; at most {MAX_CHARS}",
        )
    if len(wanted) < MIN_CHARS:
        return ExcerptProblem(
            "excerpt-too-short",
            f"摘录过短（{len(wanted)} 字），至少 {MIN_CHARS} 字",
            f"the excerpt has {len(wanted)} characters; at least {MIN_CHARS}",
        )
    if page_text is None or not page_text.strip():
        return ExcerptProblem(
            "page-not-stored",
            f"报告第 {page} 页没有可核对的文字（页码超出或该页无文字）",
            f"page {page} of the report has no stored text to check against "
            "(beyond the last page, or a page without text)",
        )
    clean = searchable_text(page_text)
    folded, at = fold(clean)
    start = folded.find(wanted)
    if start < 0:
        return ExcerptProblem(
            "excerpt-not-on-page",
            f"摘录原文不在报告第 {page} 页上（请从报告原文复制，并核对页码）",
            f"the excerpt is not on page {page} of the report (copy it from the report and "
            "check the page number)",
        )
    span = clean[at[start] : at[start + len(wanted) - 1] + 1]
    return " ".join(_GAP.sub("", span).split())
