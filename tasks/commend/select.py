"""The commend stage's selection (表彰遴选): excellent units, cases per category, speakers.

Pure functions over the ranking of tasks/commend/rank.py and the campaign file's
`[commendation]` section: quotas are never exceeded, a unit is a case in at most one category,
only a unit whose report covers a category's topic can be its case, and every selection
carries its reasons (scores, ranks, category, topic evidence). The same candidates in any order
give the same selections. No database, no Prefect, no files; the rules and their tie-breaks are
documented in docs/commend.md. Saving the proposal is tasks/commend/proposal.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Final, NamedTuple

from pydantic import BaseModel, ConfigDict

from schemas.campaign_parts import Commendation, CommendationCategory
from tasks.commend.rank import Candidate, Ranked, TopicEvidence, rank_candidates

EXCELLENT_UNIT_TITLE: Final = "优秀社会责任报告发布单位"
SPEAKER_TITLE: Final = "发布会交流发言单位"
PAGES_SHOWN: Final = 5


class CommendationKind(StrEnum):
    """What a selection proposes (the stored Commendation.kind)."""

    EXCELLENT_UNIT = "excellent_unit"
    CASE = "case"
    SPEAKER = "speaker"


class Selection(BaseModel):
    """One proposed commendation: who, what kind, in which category, its place, and why.

    `rank` is the place within its own list (excellent units, one category's cases, speakers);
    the overall rank is in the reasons.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    participation_id: int
    kind: CommendationKind
    category_key: str = ""
    title: str
    case_title: str = ""
    rank: int
    reasons: list[str]


def case_title_for(candidate: Candidate) -> str:
    """Return the case's title as the unit gave it, or "" when it gave none. Pure.

    No title is made up: "<unit>：<practice>实践" read as the unit's own and was published in
    the catalogue; an untitled case is named by its category wherever it is shown.
    """
    return candidate.case_title.strip()


def select_excellent_units(
    ranked: Sequence[Ranked], count: int, per_industry_max: int | None
) -> list[Selection]:
    """Return the top `count` of the ranking, at most `per_industry_max` from one industry."""
    chosen: list[Selection] = []
    per_industry: Counter[str] = Counter()
    for r in ranked:
        if len(chosen) >= count:
            break
        group = r.candidate.industry_group
        if per_industry_max is not None and per_industry[group] >= per_industry_max:
            continue
        per_industry[group] += 1
        place = len(chosen) + 1
        reasons = [
            *r.reasons,
            f"优秀发布单位第{place}名（名额{count}家）",
        ]
        if per_industry_max is not None:
            reasons.append(
                f"所属行业“{group}”第{per_industry[group]}家（每个行业至多{per_industry_max}家）"
            )
        chosen.append(
            Selection(
                participation_id=r.candidate.participation_id,
                kind=CommendationKind.EXCELLENT_UNIT,
                title=EXCELLENT_UNIT_TITLE,
                rank=place,
                reasons=reasons,
            )
        )
    return chosen


def _evidence_reason(evidence: TopicEvidence) -> str:
    pages = evidence.pages[:PAGES_SHOWN]
    more = "等" if len(evidence.pages) > PAGES_SHOWN else ""
    zh_pages = f"，见第{'、'.join(map(str, pages))}页{more}" if pages else ""
    return f"报告中有{evidence.hits}处“{evidence.name}”相关内容{zh_pages}"


class CasePreference(NamedTuple):
    """A category a unit could be a case in, and the evidence that its report covers it."""

    category: CommendationCategory
    evidence: TopicEvidence


def case_preferences(
    candidate: Candidate, categories: Sequence[CommendationCategory]
) -> list[CasePreference]:
    """Return the open categories whose topic the report covers, strongest evidence first.

    Strongest = most keyword mentions of the category's topic; equal mentions keep the
    campaign file's order. Categories with quota 0 are closed and left out.
    """
    eligible = [
        CasePreference(cat, evidence)
        for cat in categories
        if cat.quota > 0 and (evidence := candidate.evidence(cat.topic)) is not None
    ]
    return sorted(eligible, key=lambda p: -p.evidence.hits)  # stable: ties keep file order


def select_cases(
    ranked: Sequence[Ranked],
    categories: Sequence[CommendationCategory],
    total: int | None = None,
) -> list[Selection]:
    """Return the cases of every category, in file order, each best-ranked first.

    Units are taken in overall rank order; each goes to the first category of its preferences
    (case_preferences) that still has room, so a unit is a case at most once and a category is
    short of its quota only when every unit covering its topic is a case elsewhere (or when
    `total` cases, all categories together, are taken).
    """
    taken: dict[str, list[Selection]] = {cat.key: [] for cat in categories}
    for r in ranked:
        if total is not None and sum(map(len, taken.values())) >= total:
            break
        preferences = case_preferences(r.candidate, categories)
        full: list[CommendationCategory] = []
        for position, (cat, evidence) in enumerate(preferences):
            if len(taken[cat.key]) >= cat.quota:
                full.append(cat)
                continue
            place = len(taken[cat.key]) + 1
            reasons = [
                *r.reasons,
                f"“{cat.name}”第{place}名（名额{cat.quota}家）",
                _evidence_reason(evidence),
            ]
            reasons += [f"“{c.name}”相关内容更多，但该类别名额已满" for c in full]
            others = "".join(f"“{c.name}”" for c, _ in preferences[position + 1 :])
            if others:
                reasons.append(f"也涉及{others}，每家单位只入选一个案例类别")
            taken[cat.key].append(
                Selection(
                    participation_id=r.candidate.participation_id,
                    kind=CommendationKind.CASE,
                    category_key=cat.key,
                    title=cat.name,
                    case_title=case_title_for(r.candidate),
                    rank=place,
                    reasons=reasons,
                )
            )
            break
    return [s for cat in categories for s in taken[cat.key]]


class SpeakerPass(NamedTuple):
    """One pass of the speaker choice: its name (it names the reason) and whom it accepts."""

    name: str
    accepts: Callable[[Ranked], bool]


class PickedSpeaker(NamedTuple):
    """A unit chosen to speak and why it was chosen."""

    ranked: Ranked
    why: list[str]


def pick_speakers(
    ranked: Sequence[Ranked],
    count: int,
    excellent: Sequence[Selection],
    cases: Sequence[Selection],
) -> list[PickedSpeaker]:
    """Return up to `count` speaking units with their reasons, in overall rank order; pure.

    Commended units (excellent or case) come first, the rest of the ranking only when they are
    too few. Within each of these two tiers, three passes in rank order: (1) the best-ranked unit
    of an industry that has no speaker yet; (2) the best-ranked case of a category that has no
    speaker yet; (3) the next by rank.
    """
    case_of = {s.participation_id: s for s in cases}
    commended = {s.participation_id for s in excellent} | set(case_of)
    industries: set[str] = set()
    categories: set[str] = set()
    picked: dict[int, PickedSpeaker] = {}
    passes = [
        SpeakerPass("industry", lambda r: r.candidate.industry_group not in industries),
        SpeakerPass(
            "category",
            lambda r: (
                r.candidate.participation_id in case_of
                and case_of[r.candidate.participation_id].category_key not in categories
            ),
        ),
        SpeakerPass("rank", lambda r: True),
    ]
    tiers = (
        [r for r in ranked if r.candidate.participation_id in commended],
        [r for r in ranked if r.candidate.participation_id not in commended],
    )
    for tier_index, tier in enumerate(tiers):
        for speaker_pass in passes:
            for r in tier:
                pid = r.candidate.participation_id
                if len(picked) >= count:
                    break
                if pid in picked or not speaker_pass.accepts(r):
                    continue
                why = [_speaker_reason(speaker_pass.name, r, case_of.get(pid))]
                if tier_index == 1:
                    why.append(f"已表彰单位不足{count}家，按综合排名由其余单位补足")
                picked[pid] = PickedSpeaker(r, why)
                industries.add(r.candidate.industry_group)
                if pid in case_of:
                    categories.add(case_of[pid].category_key)
    return sorted(picked.values(), key=lambda p: p.ranked.rank)


def select_speakers(
    ranked: Sequence[Ranked],
    count: int,
    excellent: Sequence[Selection],
    cases: Sequence[Selection],
) -> list[Selection]:
    """Return `count` speaking units, spread over industries and case categories; pure.

    Who speaks and why: pick_speakers. The speakers are listed in overall rank order; a speaker
    that is a case carries its category and case title.
    """
    case_of = {s.participation_id: s for s in cases}
    picked = pick_speakers(ranked, count, excellent, cases)
    speakers: list[Selection] = []
    for place, (r, why) in enumerate(picked, start=1):
        case = case_of.get(r.candidate.participation_id)
        speakers.append(
            Selection(
                participation_id=r.candidate.participation_id,
                kind=CommendationKind.SPEAKER,
                category_key=case.category_key if case else "",
                title=SPEAKER_TITLE,
                case_title=case.case_title if case else "",
                rank=place,
                reasons=[
                    *r.reasons,
                    *why,
                    f"交流发言第{place}位（共{len(picked)}位），发言人由单位确定",
                ],
            )
        )
    return speakers


def _speaker_reason(pass_name: str, r: Ranked, case: Selection | None) -> str:
    group = r.candidate.industry_group
    if pass_name == "industry":
        return f"所属行业“{group}”中综合排名最高"
    if pass_name == "category" and case is not None:
        return f"“{case.title}”入选案例中综合排名最高"
    return "各行业、各案例类别均已有发言单位，按综合排名递补"


def capped(quota: int, share: float, units: int) -> int:
    """Return a quota bounded by `share` of `units`, rounded down (share 0.3 of 11 units: 3).
    Pure."""
    return max(0, min(quota, math.floor(share * units + 1e-9)))


def select_commendations(
    candidates: Sequence[Candidate], commendation: Commendation
) -> list[Selection]:
    """Return the proposal: excellent units, then cases by category, then speakers; pure.

    Excellent units, each category's cases and all cases together are at most
    `commendation.max_share` of the candidates (the units the review passed without a flag),
    whatever the file's counts say; speakers are the file's fixed number. The candidates may
    come in any order; the result is the same (ties: docs/commend.md).
    """
    ranked = rank_candidates(candidates, commendation.performance_points)
    share, units = commendation.max_share, len(candidates)
    excellent = select_excellent_units(
        ranked, capped(commendation.excellent_units, share, units), commendation.per_industry_max
    )
    categories = [
        c.model_copy(update={"quota": capped(c.quota, share, units)})
        for c in commendation.categories
    ]
    total = capped(sum(c.quota for c in commendation.categories), share, units)
    cases = select_cases(ranked, categories, total)
    speakers = select_speakers(ranked, commendation.speakers, excellent, cases)
    return [*excellent, *cases, *speakers]
