"""The commend stage's ranking (综合排名): review score plus a bounded performance component.

Plain values in, plain values out: a `Candidate` is what the commend task read about one unit
whose report passed the review (its normalised review score, its performance evaluation if
there is one, the topics its report covers); `rank_candidates` orders them and explains each
place in `reasons`. No database, no Prefect, no files. The formula and the tie-break are
documented in docs/commend.md; the selection built on the ranking is tasks/commend/select.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

KEY_DECIMALS: Final = 4  # scores are compared to four decimal places (float noise is no rank)
NO_INDUSTRY: Final = "未填写行业"  # the group of units whose industry is blank


class CommendInputError(ValueError):
    """The candidates break the selection's contract (a unit or participation given twice)."""

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        super().__init__(f"{reason}: {value!r}")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicEvidence(_Frozen):
    """A topic the unit's report covers, as the PDF pre-screen found it."""

    key: str
    name: str
    hits: int = Field(ge=0)
    pages: tuple[int, ...] = ()


class Performance(_Frozen):
    """The unit's performance evaluation (绩效评价) reduced to what the ranking uses."""

    indicators: int = Field(ge=0)  # indicators in the evaluation
    sound: int = Field(ge=0)  # computed (a value or a known flag) and no warning flag raised
    flagged: tuple[str, ...] = ()  # keys whose flag is raised (e.g. revenue fell)


class Candidate(_Frozen):
    """One unit whose report passed the review, as the commend stage sees it."""

    participation_id: int
    uscc: str
    unit_name: str
    industry: str = ""
    ownership: str = ""
    district: str = ""
    report_title: str = ""
    case_title: str = ""  # the unit's own title for its case, when its filings name one
    normalised_score: float
    grade: str = ""
    review_rank: int | None = None
    performance: Performance | None = None  # None: no evaluation, so no bonus
    topics: tuple[TopicEvidence, ...] = ()  # covered topics only

    @property
    def industry_group(self) -> str:
        """Return the industry used to spread and cap selections (blank ones form one group)."""
        return self.industry.strip() or NO_INDUSTRY

    def evidence(self, topic: str) -> TopicEvidence | None:
        """Return the evidence that the report covers `topic`, or None."""
        return next((t for t in self.topics if t.key == topic), None)


class Ranked(_Frozen):
    """A candidate in its place: performance bonus, composite score, overall rank, and why."""

    candidate: Candidate
    bonus: float
    composite: float
    rank: int  # 1-based overall rank (综合排名)
    of: int  # how many candidates were ranked
    reasons: tuple[str, ...]


def performance_from_evaluation(indicators: Mapping[str, Any], flags: Iterable[str]) -> Performance:
    """Return the ranking's view of a PerformanceEvaluation's `indicators` and `flags`; pure.

    An indicator is sound when it was computed (it has a value or a known flag) and no flag is
    raised (its own `flag` or the key in `flags`); one the data did not allow is not sound.
    """
    raised = set(flags)
    for key, entry in indicators.items():
        if isinstance(entry, Mapping) and entry.get("flag") is True:
            raised.add(key)
    sound = sum(
        1
        for key, entry in indicators.items()
        if isinstance(entry, Mapping)
        and (entry.get("value") is not None or entry.get("flag") is not None)
        and key not in raised
    )
    return Performance(
        indicators=len(indicators), sound=sound, flagged=tuple(sorted(raised & set(indicators)))
    )


def performance_bonus(performance: Performance | None, points: float) -> float:
    """Return the bonus: `points` × the share of sound indicators (0 without an evaluation)."""
    if performance is None or performance.indicators == 0:
        return 0.0
    return points * min(performance.sound, performance.indicators) / performance.indicators


def ranking_key(candidate: Candidate, bonus: float) -> tuple[float, float, float, str]:
    """Return the sort key: composite, review score, bonus (all descending), then USCC."""
    composite = round(candidate.normalised_score + bonus, KEY_DECIMALS)
    return (
        -composite,
        -round(candidate.normalised_score, KEY_DECIMALS),
        -round(bonus, KEY_DECIMALS),
        candidate.uscc,
    )


def _performance_reason(performance: Performance | None, bonus: float, points: float) -> str:
    if performance is None:
        return "无绩效评价，不计绩效加分 (no performance evaluation: no performance bonus)"
    if performance.indicators == 0:
        return "绩效评价无指标，不计绩效加分 (performance evaluation has no indicators: no bonus)"
    flagged = "、".join(performance.flagged) or "无"
    return (
        f"绩效评价：{performance.indicators}项指标中{performance.sound}项正常，预警：{flagged}；"
        f"加分 {bonus:.2f}/{points:g} (performance: {performance.sound} of "
        f"{performance.indicators} indicators sound, flagged: "
        f"{', '.join(performance.flagged) or 'none'}; bonus {bonus:.2f} of {points:g})"
    )


def rank_candidates(candidates: Sequence[Candidate], points: float) -> list[Ranked]:
    """Return the candidates in overall rank order with composite scores and reasons; pure.

    composite = normalised review score + `points` × share of sound performance indicators.
    Ties: higher composite, then higher review score, then higher bonus, then USCC ascending.
    Raises CommendInputError when a participation id or a USCC appears twice.
    """
    _require_unique([c.participation_id for c in candidates], "participation given twice")
    _require_unique([c.uscc for c in candidates], "USCC given twice")
    bonuses = {c.participation_id: performance_bonus(c.performance, points) for c in candidates}
    ordered = sorted(candidates, key=lambda c: ranking_key(c, bonuses[c.participation_id]))
    ranked: list[Ranked] = []
    for rank, c in enumerate(ordered, start=1):
        bonus = bonuses[c.participation_id]
        composite = round(c.normalised_score + bonus, KEY_DECIMALS)
        review = f"评审名次 {c.review_rank}" if c.review_rank is not None else "评审名次 无"
        grade = f"，等级 {c.grade}" if c.grade else ""
        reasons = (
            f"综合分 {composite:.2f} = 评审标准化得分 {c.normalised_score:.2f} + 绩效加分 "
            f"{bonus:.2f} (composite {composite:.2f} = review score {c.normalised_score:.2f} "
            f"+ performance bonus {bonus:.2f})",
            f"综合排名 {rank}/{len(ordered)}；{review}{grade} (overall rank {rank} of "
            f"{len(ordered)}; review rank {c.review_rank if c.review_rank is not None else '-'})",
            _performance_reason(c.performance, bonus, points),
        )
        ranked.append(
            Ranked(
                candidate=c,
                bonus=round(bonus, KEY_DECIMALS),
                composite=composite,
                rank=rank,
                of=len(ordered),
                reasons=reasons,
            )
        )
    return ranked


def _require_unique(values: Sequence[object], reason: str) -> None:
    seen: set[object] = set()
    for v in values:
        if v in seen:
            raise CommendInputError(v, reason)
        seen.add(v)
