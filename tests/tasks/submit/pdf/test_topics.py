"""Topic matching: word-aware (exclusions skip the keyword inside them), per-topic thresholds,
evidence sentences with their pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Standard, Topic
from schemas.screening import ScreenRules, rules_from_campaign
from tasks.submit.pdf.topics import EVIDENCE_PER_TOPIC, sentence_at, topic_coverage

LABOUR = Topic(
    key="labour", name="用工实践", kind="core", keywords=["工会", "劳动合同"], exclude=["员工会"]
)
CARE = Topic(key="care", name="员工关爱", kind="core", keywords=["员工关爱"], min_hits=2)


@pytest.fixture
def rules(campaign_2024: CampaignFile) -> ScreenRules:
    """The 2024 campaign's rules."""
    return rules_from_campaign(campaign_2024)


def _small(*topics: Topic) -> ScreenRules:
    """Return rules with only `topics` (and one standard, as the model needs)."""
    gri = Standard(key="gri", name="GRI", patterns=["GRI"])
    return ScreenRules(report_year=2023, topics=topics, standards=(gri,), min_topic_hits=1)


def _hits(rules: ScreenRules, pages: list[str]) -> dict[str, int]:
    return {c.key: c.hits for c in topic_coverage(rules, pages)}


@pytest.mark.parametrize("text", ["员工会议", "施工会同监理", "加工会计", "全体员工会同外部顾问"])
def test_the_campaigns_labour_words_are_not_found_inside_longer_words(
    rules: ScreenRules, text: str
) -> None:
    assert _hits(rules, [text])["labour_practice"] == 0


def test_the_campaigns_labour_words_are_found_on_their_own(rules: ScreenRules) -> None:
    assert _hits(rules, ["公司工会组织职工代表大会。员工工会会员"])["labour_practice"] == 3


@given(st.lists(st.sampled_from(["工会", "员工会", "员工", "会议", "劳动合同", "，", "工"])))
def test_hits_count_keywords_outside_exclusions(parts: list[str]) -> None:
    """Oracle: scan left to right, taking the longest word (keyword or exclusion) that starts
    at each position; only keywords count."""
    text = "".join(parts)
    words = sorted(["工会", "劳动合同", "员工会"], key=len, reverse=True)
    expected, i = 0, 0
    while i < len(text):
        word = next((w for w in words if text.startswith(w, i)), None)
        if word is None:
            i += 1
            continue
        expected += word != "员工会"
        i += len(word)

    assert _hits(_small(LABOUR), [text])["labour"] == expected


def test_a_topic_is_covered_at_its_own_threshold() -> None:
    rules = _small(LABOUR, CARE)

    once = {c.key: c.covered for c in topic_coverage(rules, ["工会。员工关爱。"])}
    twice = {c.key: c.covered for c in topic_coverage(rules, ["员工关爱。", "员工关爱。"])}

    assert once == {"labour": True, "care": False}
    assert twice == {"labour": False, "care": True}


def test_evidence_keeps_the_first_distinct_sentences_with_their_pages() -> None:
    pages = ["前言。公司工会成立于1990年。工会。", "依法签订劳动合同！", "工会。", "工会活动。"]

    [labour] = topic_coverage(_small(LABOUR), pages)

    assert labour.pages == [1, 2, 3, 4]
    assert [(e.page, e.text) for e in labour.evidence] == [
        (1, "公司工会成立于1990年。"),
        (1, "工会。"),
        (2, "依法签订劳动合同！"),
    ]
    assert len(labour.evidence) == EVIDENCE_PER_TOPIC


def test_sentence_at_is_cut_on_both_sides_of_a_long_sentence() -> None:
    text = "甲" * 200 + "工会" + "乙" * 200

    said = sentence_at(text, 200, 202)

    assert said == "甲" * 60 + "工会" + "乙" * 60


def test_exclude_words_must_hold_a_keyword() -> None:
    with pytest.raises(ValueError, match="must hold one of the topic's keywords"):
        Topic(key="x", name="x", kind="core", keywords=["工会"], exclude=["会议"])
