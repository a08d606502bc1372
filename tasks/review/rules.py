"""The review's decision rules: when a round is decided, and what a recommendation becomes.

Plain functions over plain values and the campaign file (no database, no engine), tested
directly. The review flow
applies them in tasks/review/decisions.py.

- A round is decided the first day after its sheets were due (`sheet_deadline`), never
  earlier, and only once every assigned sheet of that report's round is in or its expert is
  recorded absent (`round_decidable`): a reviewer's harshness is measured over all the scores
  they gave, so a report decided on half the sheets could later rank differently. A first
  round's sheets are due on the review deadline; a re-check round's
  `review.recheck_working_days` working days after it was assigned (`recheck_sheets_due`).
- The chair's decision (评审组长决定表) replaces the reviewers' recommendation; without one, a
  report the reviewers disagreed on or left short stays in review, awaiting the chair.
- A revision beyond the campaign's `review.max_revision_rounds` becomes a reject: the report was
  revised as often as the campaign allows and still falls short of the pass score. A reject is
  the review's recommendation; the guiding units' meeting takes the final decision.
- A revision can only be asked for while the revision window is open (before the
  campaign file's revision deadline): a "revise" decided later becomes a reject, for the
  guiding units' meeting to consider (REVISION_CLOSED).
"""

from __future__ import annotations

__all__ = [
    "REVIEW_DEADLINE",
    "recheck_sheets_due",
    "sheet_deadline",
]  # the rule lives in tasks/common/review_dates.py

from dataclasses import dataclass
from datetime import date
from typing import Literal

from schemas.enums import ParticipationStatus
from tasks.common.review_dates import REVIEW_DEADLINE, recheck_sheets_due, sheet_deadline

Decision = Literal["pass", "revise", "reject"]

TARGETS: dict[Decision, ParticipationStatus] = {
    "pass": ParticipationStatus.REVIEW_PASSED,
    "revise": ParticipationStatus.REVISION_REQUESTED,
    "reject": ParticipationStatus.REJECTED,
}

REASONS: dict[Decision, str] = {
    "pass": "评审通过（综合得分{score:.1f}，{grade}）",
    "revise": "需修改完善（综合得分{score:.1f}，{grade}）：第{round}轮修改",
    "reject": "评审未通过（综合得分{score:.1f}，{grade}）：提交指导单位工作会议审议",
}


REVISION_CLOSED = "修改期限已过，提交指导单位工作会议审议"


class UnknownRecommendation(ValueError):
    """A recommendation (or chair decision) is none of the review's words; carries the value."""

    def __init__(self, recommendation: str) -> None:
        self.recommendation = recommendation
        super().__init__(f"unknown recommendation {recommendation!r}")


@dataclass(frozen=True)
class Ruling:
    """What the review decides for one report: a decision, or why there is none yet."""

    decision: Decision | None
    by_chair: bool
    why: str  # for an undecided report: what it waits for; for a decided one: extra context


def rule(
    recommendation: str,
    chair: Decision | None,
    revision_round: int,
    max_rounds: int,
    revision_open: bool,
) -> Ruling:
    """Return the decision for a report whose round is due: chair first, then the reviewers.

    A revise beyond `max_rounds`, or while the revision window is closed (`revision_open`
    False), becomes a reject with the reason. Raises UnknownRecommendation for a word that is
    neither a decision nor `needs_chair`.
    """
    if chair is not None:
        wanted: str = chair
    else:
        wanted = recommendation
    if wanted == "needs_chair":
        return Ruling(None, False, "评审意见分歧较大或评审不足，待评审组长决定")
    if wanted not in TARGETS:
        raise UnknownRecommendation(wanted)
    if wanted == "revise" and revision_round >= max_rounds:
        return Ruling("reject", chair is not None, f"已修改{revision_round}轮，仍未达到通过分数")
    if wanted == "revise" and not revision_open:
        return Ruling("reject", chair is not None, REVISION_CLOSED)
    return Ruling(wanted, chair is not None, "")


def revision_window_open(revision_deadline: date, as_of: date) -> bool:
    """Return whether a revision asked for on `as_of` can still be filed by the deadline.

    Only before the deadline day: a request mailed on the deadline itself would ask for the
    revision by the day it was sent (found by the season fuzzer, seed 22).
    """
    return as_of < revision_deadline


def round_due(sheets_due: date, as_of: date) -> bool:
    """Return whether a round whose sheets were due on `sheets_due` is past due on `as_of`."""
    return as_of > sheets_due


def round_decidable(sheets_due: date, as_of: date, outstanding: int) -> bool:
    """Return whether a report's round is decided on `as_of`: past due, no sheet outstanding.

    `outstanding` counts the assigned experts of the round whose sheet is not in and who are
    not recorded absent.
    """
    return round_due(sheets_due, as_of) and outstanding == 0


STRENGTH_SHARE = 0.8  # a criterion is a strength only at 80 % of its maximum or more
# What a letter says of a criterion's mean, by its share of the maximum (highest band first).
COMMENT_BANDS: tuple[tuple[float, str], ...] = (
    (0.9, "表现卓越，可供同业参考"),
    (0.8, "表现突出"),
    (0.7, "表现良好，仍有提升空间"),
    (0.6, "基本达到要求，建议重点完善"),
    (0.0, "存在明显不足，需要重点改进"),
)


def criterion_comment(score: float, maximum: float, description: str = "") -> str:
    """Return a letter's comment on one criterion: what it looks at and how the report did. Pure.

    The band is the mean's share of the criterion's maximum (COMMENT_BANDS).
    """
    share = score / maximum if maximum else 0.0
    band = next(words for floor, words in COMMENT_BANDS if share >= floor)
    return f"本维度考察{description}；本报告{band}。" if description else f"本报告{band}。"


def strengths_and_gaps(
    criterion_means: dict[str, float], names: dict[str, str], maxima: dict[str, float], top: int = 2
) -> tuple[list[str], list[str]]:
    """Return the best and the weakest criteria, as words for a feedback letter.

    Criteria are compared as a share of their maximum; ties go by the criterion's order in
    `names` (the campaign file's order). A criterion is a strength only at STRENGTH_SHARE of
    its maximum or more (a 60-point criterion is no highlight); the weakest list never
    repeats a strength.
    """
    order = {key: i for i, key in enumerate(names)}
    known = [k for k in criterion_means if k in names and maxima.get(k)]
    ranked = sorted(known, key=lambda k: (-criterion_means[k] / maxima[k], order[k]))
    best = [k for k in ranked[:top] if criterion_means[k] / maxima[k] >= STRENGTH_SHARE]
    weakest = [k for k in reversed(ranked) if k not in best][:top]
    return (
        [f"{names[k]}表现突出（{criterion_means[k]:.1f}分）" for k in best],
        [f"进一步提升报告的{names[k]}（{criterion_means[k]:.1f}分）" for k in weakest],
    )
