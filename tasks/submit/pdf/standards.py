"""Find which of the campaign's reference standards a report cites, and which it only names to
say it did not follow them.

Before matching, every dash variant (U+2010-U+2015, U+2212, the full-width and small hyphens, and
the long ——) becomes "-", so "CASS—CSR 4.0" and "CASS" + U+FF0D + "ESG" match a pattern written
with "-"; the campaign file's patterns cover full titles and abbreviations. A mention does not
count when a negation of the campaign file (未参照, 不适用, ...) stands in the same clause:
"本报告未参照GRI" cites nothing, while in "未参照GRI，而是参照GB/T 36000" the second clause
still cites GB/T 36000. A standard is cited when one of its mentions is not negated.

Pure: normalised text in, standard keys out; patterns compiled once per worker process.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from schemas.campaign_parts import Standard
from schemas.screening import ScreenRules

__all__ = ["cited_standards", "dashes_to_hyphen", "negated"]

DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]+")
CLAUSE_END = re.compile(r"[。，,；;！？!?\n]")
REACH = 40  # characters a clause is followed on each side of a mention


def dashes_to_hyphen(text: str) -> str:
    """Return `text` with every run of dash characters replaced by one "-"; pure."""
    return DASHES.sub("-", text)


def _compiled(standards: Sequence[Standard]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Return one compiled alternation per standard, by key; cached per worker process."""
    return _compile(tuple((s.key, tuple(s.patterns)) for s in standards))


@functools.lru_cache(maxsize=16)
def _compile(
    patterns: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Return one case-insensitive alternation per standard key; cached."""
    return tuple(
        (key, re.compile("|".join(f"(?:{p})" for p in alternatives), re.IGNORECASE))
        for key, alternatives in patterns
    )


def negated(text: str, start: int, end: int, negations: tuple[str, ...]) -> bool:
    """Return whether a negation stands in the clause around `text[start:end]`; pure."""
    left = max(0, start - REACH)
    before = CLAUSE_END.split(text[left:start])[-1]
    after = CLAUSE_END.split(text[end : end + REACH])[0]
    return any(n in before or n in after for n in negations)


def cited_standards(rules: ScreenRules, text: str) -> list[str]:
    """Return the keys of the standards `text` cites (a mention not negated in its clause), in
    campaign-file order; pure."""
    text = dashes_to_hyphen(text)
    cited = []
    for key, pattern in _compiled(rules.standards):
        if any(
            not negated(text, m.start(), m.end(), rules.standard_negations)
            for m in pattern.finditer(text)
        ):
            cited.append(key)
    return cited
