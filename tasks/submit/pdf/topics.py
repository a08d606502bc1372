"""Find the campaign's topics in a report's page texts: word-aware keyword matching with
per-topic exclusions and thresholds, and the sentences that matched kept as evidence.

Word-aware without a segmenter: each topic's `exclude` words (员工会, 施工会, 加工会 for 工会)
join the keywords in one alternation, longest first, and a match of an exclusion is skipped
whole, so the keyword inside it is never counted. A segmenter (jieba) was the other way and was
not taken (not measured here): by its README its prefix dictionary takes seconds to build on
first import, in every worker process, and a dynamic-programming cut over every character is
much more work than this one scan (millions of characters a second, benchmarks/topics.py);
whether 员工会议 comes out as 员工/会议 would also depend on its dictionary, while the exclusions
stay explicit and reviewable in the campaign file.

Pure: compacted page texts (whitespace removed, NFKC applied: tasks/submit/pdf/text.py) and the
rules in, `TopicCoverage` per topic out. The compiled matcher is cached per set of topics, once
per worker process.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from schemas.campaign_parts import Topic
from schemas.screening import Evidence, ScreenRules, TopicCoverage

__all__ = ["EVIDENCE_PER_TOPIC", "TopicMatcher", "matcher_for", "topic_coverage"]

EVIDENCE_PER_TOPIC = 3  # sentences kept per topic for the reviewers
SENTENCE_END = frozenset("。！？；!?;")
EVIDENCE_REACH = 60  # characters looked at on each side of a match for its sentence


@dataclass(frozen=True)
class TopicMatcher:
    """One compiled alternation of every keyword and exclusion, and who owns each word."""

    pattern: re.Pattern[str]
    owners: dict[str, tuple[str, ...]]  # word -> topic keys; () for an exclusion


def _trie_regex(words: Sequence[str]) -> str:
    """Return a regex matching exactly `words`, built as a prefix tree so the engine tries
    one branch per character instead of every word at every position; the longest word wins
    at a position; pure."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(tree)


Lexicon = tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # (key, keywords, exclude)


def matcher_for(topics: Sequence[Topic]) -> TopicMatcher:
    """Return the matcher of `topics` (a keyword listed under two topics counts for both;
    an exclusion of any topic is skipped for all); cached per worker process."""
    return _matcher(tuple((t.key, tuple(t.keywords), tuple(t.exclude)) for t in topics))


@functools.lru_cache(maxsize=16)
def _matcher(lexicon: Lexicon) -> TopicMatcher:
    """Return the compiled matcher of one lexicon; cached."""
    owners: dict[str, list[str]] = {}
    for key, keywords, _exclude in lexicon:
        for k in keywords:
            owners.setdefault(k, []).append(key)
    for _key, _keywords, exclude in lexicon:
        for word in exclude:
            owners.setdefault(word, [])
    return TopicMatcher(
        re.compile(_trie_regex(sorted(owners))),
        {w: tuple(dict.fromkeys(keys)) for w, keys in owners.items()},
    )


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Return where the sentence of `text` around `text[start:end]` begins and ends, cut to
    EVIDENCE_REACH characters on each side; pure."""
    left = max(0, start - EVIDENCE_REACH)
    for i in range(start - 1, left - 1, -1):
        if text[i] in SENTENCE_END:
            left = i + 1
            break
    right = min(len(text), end + EVIDENCE_REACH)
    for i in range(end, right):
        if text[i] in SENTENCE_END:
            right = i + 1
            break
    return left, right


def sentence_at(text: str, start: int, end: int) -> str:
    """Return the sentence of `text` around `text[start:end]` (see `sentence_span`); pure."""
    left, right = sentence_span(text, start, end)
    return text[left:right]


def topic_coverage(rules: ScreenRules, pages: Sequence[str]) -> list[TopicCoverage]:
    """Return every topic's mentions, pages, evidence and coverage over compacted page texts,
    in campaign-file order; pure. Counting is one `findall` a page; the matches are walked
    one by one only on pages where a topic found there still lacks evidence."""
    matcher = matcher_for(rules.topics)
    hits: Counter[str] = Counter()
    on: dict[str, list[int]] = {t.key: [] for t in rules.topics}
    evidence: dict[str, list[Evidence]] = {t.key: [] for t in rules.topics}
    for number, text in enumerate(pages, start=1):
        wanting = False
        for word, n in Counter(matcher.pattern.findall(text)).items():
            for key in matcher.owners[word]:
                hits[key] += n
                if not on[key] or on[key][-1] != number:
                    on[key].append(number)
                wanting = wanting or len(evidence[key]) < EVIDENCE_PER_TOPIC
        if wanting:
            _collect_evidence(matcher, text, number, evidence)
    return [
        TopicCoverage(
            key=t.key,
            name=t.name,
            kind=t.kind,
            hits=hits[t.key],
            pages=on[t.key],
            covered=hits[t.key] >= rules.min_hits(t),
            evidence=evidence[t.key],
        )
        for t in rules.topics
    ]


def _collect_evidence(
    matcher: TopicMatcher, text: str, page: int, evidence: dict[str, list[Evidence]]
) -> None:
    """Add to `evidence` the sentences of one page's matches for the topics that still lack
    EVIDENCE_PER_TOPIC distinct sentences (changes `evidence` in place)."""
    taken_to: dict[str, int] = {}  # per topic, where the last sentence taken on this page ends
    for m in matcher.pattern.finditer(text):
        for key in matcher.owners[m.group()]:
            kept = evidence[key]
            if len(kept) >= EVIDENCE_PER_TOPIC or m.start() < taken_to.get(key, 0):
                continue
            left, taken_to[key] = sentence_span(text, m.start(), m.end())
            said = text[left : taken_to[key]]
            if all(e.text != said for e in kept):
                kept.append(Evidence(page=page, text=said))
