"""The commend selection: worked examples, and properties against oracles written from the rules.

Oracles: excellent units = the ranking with every unit beyond its industry's cap struck out,
cut at the quota; cases = deferred acceptance (units propose to categories in order of their
topic evidence, a category holds its best-ranked proposers up to its quota), which with one
common ranking gives the unique stable outcome; speakers = per tier and pass, the leaders of
every group not yet represented, in rank order, cut at the count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.campaign_parts import Commendation, CommendationCategory
from tasks.commend.rank import Candidate, Performance, Ranked, TopicEvidence, rank_candidates
from tasks.commend.select import (
    EXCELLENT_UNIT_TITLE,
    SPEAKER_TITLE,
    CommendationKind,
    Selection,
    capped,
    case_title_for,
    select_commendations,
)

K = CommendationKind
GREEN = CommendationCategory(
    key="green-low-carbon", name="绿色低碳优秀案例", topic="green", quota=2
)
NPF = CommendationCategory(key="npf", name="新质生产力优秀案例", topic="npf", quota=1)


def topic(key: str, hits: int, pages: tuple[int, ...] = (1,)) -> TopicEvidence:
    return TopicEvidence(key=key, name=f"议题{key}", hits=hits, pages=pages)


def candidate(pid: int, score: float, **fields: Any) -> Candidate:
    values: dict[str, Any] = {
        "uscc": f"91310000{pid:09d}X",
        "unit_name": f"上海测试{pid}公司",
        "industry": "电子信息",
    }
    values.update(fields)
    return Candidate(participation_id=pid, normalised_score=score, **values)


def config(**fields: Any) -> Commendation:
    values: dict[str, Any] = {"speakers": 0, "excellent_units": 0, "categories": [GREEN, NPF]}
    values.update(fields)
    return Commendation(**values)


def of_kind(selections: list[Selection], kind: CommendationKind) -> list[tuple[int, str, int]]:
    return [(s.participation_id, s.category_key, s.rank) for s in selections if s.kind == kind]


# ---- worked examples ----------------------------------------------------------------------------


def test_excellent_units_are_the_top_of_the_ranking_capped_per_industry() -> None:
    pool = [
        candidate(1, 90.0),
        candidate(2, 89.0),
        candidate(3, 88.0),
        candidate(4, 70.0, industry="金融"),
        candidate(5, 60.0, industry="金融"),
    ]

    result = select_commendations(pool, config(excellent_units=3, per_industry_max=2))

    assert of_kind(result, K.EXCELLENT_UNIT) == [(1, "", 1), (2, "", 2), (4, "", 3)]
    third = next(s for s in result if s.participation_id == 4)
    assert third.title == EXCELLENT_UNIT_TITLE
    assert third.reasons[3:] == [
        "优秀发布单位第3名（名额3家）",
        "所属行业“金融”第1家（每个行业至多2家）",
    ]


def test_a_case_goes_to_its_strongest_topic_and_only_covering_units_are_cases() -> None:
    pool = [
        candidate(1, 90.0, topics=(topic("green", 3), topic("npf", 9, (2, 4, 6, 8, 10, 12)))),
        candidate(2, 80.0, topics=(topic("green", 5),)),
        candidate(3, 95.0),  # covers no topic: never a case
    ]

    result = select_commendations(pool, config())

    assert of_kind(result, K.CASE) == [(2, "green-low-carbon", 1), (1, "npf", 1)]
    case = next(s for s in result if s.participation_id == 1)
    assert (case.title, case.case_title) == ("新质生产力优秀案例", "")  # no made-up title
    assert case.reasons[3:] == [
        "“新质生产力优秀案例”第1名（名额1家）",
        "报告中有9处“议题npf”相关内容，见第2、4、6、8、10页等",
        "也涉及“绿色低碳优秀案例”，每家单位只入选一个案例类别",
    ]


def test_a_full_category_sends_the_next_unit_to_its_other_topic_and_says_so() -> None:
    pool = [
        candidate(1, 90.0, topics=(topic("npf", 5),)),
        candidate(2, 80.0, topics=(topic("npf", 9), topic("green", 1))),
    ]

    result = select_commendations(pool, config())

    assert of_kind(result, K.CASE) == [(2, "green-low-carbon", 1), (1, "npf", 1)]
    second = next(s for s in result if s.participation_id == 2)
    assert second.reasons[-1] == "“新质生产力优秀案例”相关内容更多，但该类别名额已满"


def test_equal_evidence_follows_the_campaign_file_order() -> None:
    pool = [candidate(1, 90.0, topics=(topic("npf", 4), topic("green", 4)))]

    assert of_kind(select_commendations(pool, config()), K.CASE) == [(1, "green-low-carbon", 1)]


def test_a_unit_names_its_own_case_title() -> None:
    unit = candidate(1, 90.0, case_title="  零碳工厂建设  ")

    assert case_title_for(unit) == "零碳工厂建设"


def test_speakers_come_one_per_industry_first_then_by_rank() -> None:
    pool = [
        candidate(1, 95.0),
        candidate(2, 94.0),
        candidate(3, 93.0, industry="金融"),
        candidate(4, 92.0, industry="建筑"),
        candidate(5, 50.0, industry="零售"),  # not commended: not a speaker while others remain
    ]

    result = select_commendations(pool, config(excellent_units=4, speakers=3))

    assert of_kind(result, K.SPEAKER) == [(1, "", 1), (3, "", 2), (4, "", 3)]
    third = next(s for s in result if s.kind == K.SPEAKER and s.participation_id == 4)
    assert (third.title, third.reasons[-2:]) == (
        SPEAKER_TITLE,
        ["所属行业“建筑”中综合排名最高", "交流发言第3位（共3位），发言人由单位确定"],
    )


def test_speakers_reach_past_the_commended_only_when_they_are_too_few() -> None:
    pool = [candidate(1, 95.0), candidate(2, 60.0), candidate(3, 50.0, industry="金融")]

    result = select_commendations(pool, config(excellent_units=1, speakers=2))

    assert of_kind(result, K.SPEAKER) == [(1, "", 1), (3, "", 2)]
    assert "已表彰单位不足2家" in result[-1].reasons[-2]


def test_each_list_is_at_most_the_campaign_files_share_of_the_candidates() -> None:
    # Seen in the 20-unit demo: all 4 released units were 优秀发布单位 and speakers.
    pool = [
        candidate(i, 90.0 - i, topics=(topic("green", 5), topic("npf", 5))) for i in range(1, 5)
    ]
    share = config(excellent_units=10, speakers=1, max_share=0.3)
    green, npf = (c.model_copy(update={"quota": 5}) for c in share.categories)

    result = select_commendations(pool, share.model_copy(update={"categories": [green, npf]}))

    assert of_kind(result, K.EXCELLENT_UNIT) == [(1, "", 1)]  # 30 % of 4 units, rounded down
    assert of_kind(result, K.CASE) == [(1, "green-low-carbon", 1)]  # 1 case in all, too
    assert of_kind(result, K.SPEAKER) == [(1, "green-low-carbon", 1)]


@pytest.mark.parametrize(
    ("quota", "share", "units", "expected"),
    [(10, 0.3, 29, 8), (10, 0.3, 4, 1), (10, 0.3, 3, 0), (2, 0.3, 29, 2), (5, 1.0, 3, 3)],
)
def test_a_quota_is_capped_by_the_share_rounded_down(
    quota: int, share: float, units: int, expected: int
) -> None:
    assert capped(quota, share, units) == expected


# ---- properties ---------------------------------------------------------------------------------

TOPICS = ("green", "npf", "care", "community")
INDUSTRIES = ("电子信息", "金融", "建筑", "")


@st.composite
def pools(draw: st.DrawFn) -> list[Candidate]:
    n = draw(st.integers(0, 14))
    ids = draw(st.lists(st.integers(1, 200), min_size=n, max_size=n, unique=True))
    out = []
    for pid in ids:
        covered = draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=3))
        indicators = draw(st.integers(0, 3))
        perf = draw(
            st.none()
            | st.builds(
                Performance, indicators=st.just(indicators), sound=st.integers(0, indicators)
            )
        )
        out.append(
            candidate(
                pid,
                draw(st.sampled_from([60.0, 70.0, 80.0, 85.0])),
                industry=draw(st.sampled_from(INDUSTRIES)),
                performance=perf,
                topics=tuple(topic(t, draw(st.integers(1, 3))) for t in covered),
            )
        )
    return out


@st.composite
def configs(draw: st.DrawFn) -> Commendation:
    n = draw(st.integers(0, 4))
    categories = [
        CommendationCategory(
            key=f"cat-{i}",
            name=f"类别{i}优秀案例",
            topic=draw(st.sampled_from(TOPICS)),  # two categories may share a topic
            quota=draw(st.integers(0, 3)),
        )
        for i in range(n)
    ]
    return Commendation(
        speakers=draw(st.integers(0, 6)),
        excellent_units=draw(st.integers(0, 8)),
        per_industry_max=draw(st.none() | st.integers(1, 3)),
        categories=categories,
    )


def oracle_excellent(ranked: list[Ranked], cfg: Commendation) -> list[int]:
    seen: Counter[str] = Counter()
    within_cap = []
    for r in ranked:
        seen[r.candidate.industry_group] += 1
        if cfg.per_industry_max is None or seen[r.candidate.industry_group] <= cfg.per_industry_max:
            within_cap.append(r.candidate.participation_id)
    return within_cap[: cfg.excellent_units]


def oracle_cases(ranked: list[Ranked], cfg: Commendation) -> dict[str, list[int]]:
    """Deferred acceptance: units propose, categories keep their best-ranked proposers."""
    place = {r.candidate.participation_id: r.rank for r in ranked}
    prefs: dict[int, list[str]] = {}
    for r in ranked:
        options = []
        for index, cat in enumerate(cfg.categories):
            hits = {t.key: t.hits for t in r.candidate.topics}.get(cat.topic)
            if hits is not None and cat.quota > 0:
                options.append((-hits, index, cat.key))
        prefs[r.candidate.participation_id] = [key for _, _, key in sorted(options)]
    quota = {c.key: c.quota for c in cfg.categories}
    held: dict[str, list[int]] = {c.key: [] for c in cfg.categories}
    next_choice = dict.fromkeys(prefs, 0)
    free = [pid for pid in prefs if prefs[pid]]
    while free:
        pid = free.pop()
        if next_choice[pid] >= len(prefs[pid]):
            continue
        key = prefs[pid][next_choice[pid]]
        next_choice[pid] += 1
        held[key] = sorted([*held[key], pid], key=lambda p: place[p])
        if len(held[key]) > quota[key]:
            free.append(held[key].pop())
    return held


def oracle_speakers(
    ranked: list[Ranked], cfg: Commendation, excellent: list[int], cases: dict[str, list[int]]
) -> list[int]:
    """Per tier, per pass: the best-ranked untaken unit of each group not yet represented."""
    case_of = {pid: key for key, pids in cases.items() for pid in pids}
    commended = set(excellent) | set(case_of)
    picks: list[Ranked] = []
    for tier in (
        [r for r in ranked if r.candidate.participation_id in commended],
        [r for r in ranked if r.candidate.participation_id not in commended],
    ):
        for pass_name in ("industry", "category", "rank"):
            taken = {p.candidate.participation_id for p in picks}
            industries = {p.candidate.industry_group for p in picks}
            categories = {case_of.get(p.candidate.participation_id) for p in picks}
            leaders: dict[object, Ranked] = {}
            for r in tier:
                pid = r.candidate.participation_id
                group: object = pid
                if pass_name == "industry":
                    group = r.candidate.industry_group
                    if group in industries:
                        continue
                elif pass_name == "category":
                    group = case_of.get(pid)
                    if group is None or group in categories:
                        continue
                if pid not in taken:
                    leaders.setdefault(group, r)
            room = max(cfg.speakers - len(picks), 0)
            picks += sorted(leaders.values(), key=lambda r: r.rank)[:room]
    return [r.candidate.participation_id for r in sorted(picks, key=lambda r: r.rank)]


@settings(max_examples=300, deadline=None)
@given(pools(), configs(), st.randoms(use_true_random=False))
def test_selection_matches_the_oracles_and_keeps_every_rule(
    pool: list[Candidate], cfg: Commendation, rnd: Any
) -> None:
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    ranked = rank_candidates(pool, cfg.performance_points)
    by_pid = {c.participation_id: c for c in pool}

    result = select_commendations(pool, cfg)

    # Deterministic: the same candidates in another order give the same proposal.
    assert select_commendations(shuffled, cfg) == result
    excellent = [pid for pid, _, _ in of_kind(result, K.EXCELLENT_UNIT)]
    cases = of_kind(result, K.CASE)
    speakers = [pid for pid, _, _ in of_kind(result, K.SPEAKER)]
    assert excellent == oracle_excellent(ranked, cfg)
    expected_cases = oracle_cases(ranked, cfg)
    assert {key: [pid for pid, k, _ in cases if k == key] for key in expected_cases} == (
        expected_cases
    )
    assert speakers == oracle_speakers(ranked, cfg, excellent, expected_cases)
    # The rules themselves, stated directly.
    quotas = {c.key: c for c in cfg.categories}
    per_category = Counter(key for _, key, _ in cases)
    assert all(per_category[key] <= quotas[key].quota for key in per_category)
    assert len({pid for pid, _, _ in cases}) == len(cases)  # a unit is a case at most once
    for pid, key, _ in cases:
        assert by_pid[pid].evidence(quotas[key].topic) is not None
    assert len(excellent) <= cfg.excellent_units
    if cfg.per_industry_max is not None:
        industries = Counter(by_pid[pid].industry_group for pid in excellent)
        assert max(industries.values(), default=0) <= cfg.per_industry_max
    assert len(speakers) == min(cfg.speakers, len(pool))
    assert len(set(speakers)) == len(speakers)
    assert [r for _, _, r in of_kind(result, K.EXCELLENT_UNIT)] == list(
        range(1, len(excellent) + 1)
    )
    assert [r for _, _, r in of_kind(result, K.SPEAKER)] == list(range(1, len(speakers) + 1))
    for key, count in per_category.items():
        assert [r for _, k, r in cases if k == key] == list(range(1, count + 1))
    for s in result:
        place = next(r for r in ranked if r.candidate.participation_id == s.participation_id)
        assert s.reasons[:3] == list(place.reasons)
