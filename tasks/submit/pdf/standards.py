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


ESCAPE_OR_LOWER = re.compile(r"(\\.)|([a-z]+)")
# A pattern's leading lookbehind, e.g. (?<![A-Z]): it stops the regex engine's fast scan.
LEADING_LOOKBEHIND = re.compile(r"^\(\?<[!=](?:\[[^\]]*\]|\\.|[^()\\])*\)")


def upper_letters(pattern: str) -> str:
    """Return `pattern` with its lower-case letters upper-cased, escapes (\\s, \\d) kept; pure."""
    return ESCAPE_OR_LOWER.sub(lambda m: m.group(1) or m.group(2).upper(), pattern)


Compiled = tuple[tuple[tuple[re.Pattern[str], re.Pattern[str]], ...], ...]


def _compiled(standards: Sequence[Standard]) -> Compiled:
    """Return, per standard in campaign-file order, each pattern compiled twice: as written
    (letters upper-cased) and without a leading lookbehind (for a fast first scan that can
    only find more places, never fewer); cached per worker process."""
    return _compile(tuple(tuple(s.patterns) for s in standards))


@functools.lru_cache(maxsize=16)
def _compile(patterns: tuple[tuple[str, ...], ...]) -> Compiled:
    """Return the compiled pattern pairs; cached."""
    out = []
    for alternatives in patterns:
        pairs = []
        for pattern in alternatives:
            strict = upper_letters(pattern)
            loose = LEADING_LOOKBEHIND.sub("", strict, count=1)
            pairs.append((re.compile(strict), re.compile(loose)))
        out.append(tuple(pairs))
    return tuple(out)


def negated(text: str, start: int, end: int, negations: tuple[str, ...]) -> bool:
    """Return whether a negation stands in the clause around `text[start:end]`; pure."""
    left = max(0, start - REACH)
    before = CLAUSE_END.split(text[left:start])[-1]
    after = CLAUSE_END.split(text[end : end + REACH])[0]
    return any(n in before or n in after for n in negations)


def _cited(
    pairs: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...],
    text: str,
    negations: tuple[str, ...],
) -> bool:
    """Return whether one of a standard's patterns matches `text` outside a negation; pure."""
    for strict, loose in pairs:
        if loose.search(text) is None:
            continue
        for m in strict.finditer(text):
            if not negated(text, m.start(), m.end(), negations):
                return True
    return False


def cited_standards(rules: ScreenRules, text: str) -> list[str]:
    """Return the keys of the standards `text` cites (a mention not negated in its clause), in
    campaign-file order; pure. Text and patterns are upper-cased first, so letters match in
    any case."""
    text = dashes_to_hyphen(text).upper()
    return [
        s.key
        for s, pairs in zip(rules.standards, _compiled(rules.standards), strict=True)
        if _cited(pairs, text, rules.standard_negations)
    ]
