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

from schemas.performance_catalogue import BY_KEY

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


def indicator_names(keys: Iterable[str]) -> str:
    """Return indicator keys as their Chinese names joined with 、 (a key the catalogue does
    not know is shown as 其他指标, never as the key). Pure."""
    names = [BY_KEY[k].name_zh if k in BY_KEY else "其他指标" for k in keys]
    return "、".join(dict.fromkeys(names))


def _performance_reason(performance: Performance | None, bonus: float) -> str:
    if performance is None or performance.indicators == 0:
        return "无绩效评价数据，不计绩效加分"
    flagged = indicator_names(performance.flagged)
    watch = f"，需关注：{flagged}" if flagged else ""
    return (
        f"绩效评价{performance.indicators}项指标中{performance.sound}项正常{watch}，加分{bonus:.2f}"
    )


def score_reason(composite: float, score: float, bonus: float, points: float) -> str:
    """Return how the composite is made and on which scale (it can pass 100). Pure."""
    return (
        f"综合分{composite:.2f} = 评审得分{score:.2f} + 绩效加分{bonus:.2f}"
        f"（评审得分满分100，绩效加分至多{points:g}分，综合分满分{100 + points:g}）"
    )


def rank_reason(rank: int, of: int, review_rank: int | None, grade: str) -> str:
    """Return the overall place among the candidates, named as such (not the release list's
    count: flagged units are proposed for release but not ranked for commendation). Pure."""
    review = f"评审名次第{review_rank}" if review_rank is not None else "无评审名次"
    return f"在{of}家可表彰候选单位中综合排名第{rank}（{review}{'，' + grade if grade else ''}）"


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
        reasons = (
            score_reason(composite, c.normalised_score, bonus, points),
            rank_reason(rank, len(ordered), c.review_rank, c.grade),
            _performance_reason(c.performance, bonus),
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
