"""The review's letters to a unit: the feedback letter and, for a revision, the request.

A letter renders from a decided version (ReviewDecision), never from the live outcome: what it
says is what was decided. It folds the latest reviews of the round that decided the report: the
mean per criterion, the best criteria as strengths with the experts' comments, and the experts'
suggestions (the weakest criteria when they gave none). It never says who reviewed. A version
after the first is told in a corrected letter (更正) that says what changed since the version
before; each letter is keyed by participation, round and version, so it goes once. Every
feedback letter carries the values it states as `facts` (the audit reads them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlmodel import Session, col, select

from notifications.contexts import (
    CorrectionContext,
    CriterionScoreContext,
    FeedbackLetterContext,
    GradeStepContext,
    RevisionRequestContext,
    campaign_context,
    deadline_context,
)
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Grade
from schemas.enums import ParticipationStatus
from schemas.review_tables import Review, ReviewAssignment, ReviewDecision
from schemas.tables import Participation, Unit
from tasks.review.letter_pdf import LetterFiles
from tasks.review.rules import Decision, criterion_comment, strengths_and_gaps

REVISION_DEADLINE = "revision"  # the campaign file's [deadlines.revision]


@dataclass(frozen=True)
class Remarks:
    """What the experts said about one report in one round, folded for a letter."""

    criterion_means: dict[str, float]
    comments: list[str]
    suggestions: list[str]


def fold_remarks(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], Remarks]:
    """Return the latest reviews of each (participation, round), folded for a letter; reads."""
    wanted = set(keys)
    rows = session.exec(
        select(ReviewAssignment.participation_id, ReviewAssignment.round, Review)
        .join(Review, col(Review.assignment_id) == col(ReviewAssignment.id))
        .where(col(ReviewAssignment.participation_id).in_({pid for pid, _ in wanted}))
        .order_by(col(Review.version))
    ).all()
    latest: dict[int, tuple[int, int, Review]] = {}
    for pid, rnd, review in rows:
        if (pid, rnd) in wanted:
            latest[review.assignment_id] = (pid, rnd, review)
    scores: dict[tuple[int, int], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    comments: dict[tuple[int, int], list[str]] = defaultdict(list)
    suggestions: dict[tuple[int, int], list[str]] = defaultdict(list)
    for _, (pid, rnd, review) in sorted(latest.items()):
        for criterion, value in review.scores.items():
            scores[(pid, rnd)][criterion].append(float(value))
        if review.comment.strip() and review.comment.strip() not in comments[(pid, rnd)]:
            comments[(pid, rnd)].append(review.comment.strip())
        text = review.suggestions.strip()
        if text and text not in suggestions[(pid, rnd)]:
            suggestions[(pid, rnd)].append(text)
    return {
        key: Remarks(
            {c: sum(v) / len(v) for c, v in scores[key].items()},
            comments[key],
            suggestions[key],
        )
        for key in wanted
    }


def letter_facts(decided: ReviewDecision) -> dict[str, object]:
    """Return the decided values a feedback letter states (the mail's `facts`); pure."""
    return {
        "participation_id": decided.participation_id,
        "round": decided.round,
        "version": decided.version,
        "decision": decided.decision,
        "score": round(decided.normalised_score, 1),
        "grade": decided.grade,
    }


def letter_version(decided: ReviewDecision) -> str:
    """Return the feedback letter's key version: `round-<r>`, then `round-<r>-v<k>`; pure."""
    if decided.version == 1:
        return f"round-{decided.round}"
    return f"round-{decided.round}-v{decided.version}"


def review_letters(
    campaign: CampaignFile,
    unit: Unit,
    participation: Participation,
    decided: ReviewDecision,
    remarks: Remarks,
    previous: ReviewDecision | None = None,
    files: LetterFiles | None = None,
) -> list[OutgoingMail]:
    """Return the feedback letter (corrected when `previous` is the version told before) and,
    when the participation was just asked to revise, the revision request.

    With `files`, the letter is also written as a dated PDF into the workspace (评审意见书)
    and attached to the mail; otherwise the mail goes without it.
    """
    assert participation.id is not None
    decision = cast(Decision, decided.decision)
    to = mailbox(unit.email, unit.contact_name)
    best, gaps = _strengths_and_gaps(campaign, remarks)
    feedback = feedback_context(campaign, unit, decided, remarks, best, gaps)
    if previous is not None:
        feedback = feedback.model_copy(update={"correction": correction(decided, previous)})
    attachments: tuple[str, ...] = ()
    if files is not None:
        feedback = feedback.model_copy(update={"attached": True})
        attachments = (files.write(feedback, campaign.year, decided.version),)
    mails = [
        OutgoingMail(
            campaign_year=campaign.year,
            to=to,
            mail=render("feedback_letter", feedback),
            subject_ref=f"participation:{participation.id}:feedback",
            version=letter_version(decided),
            attachments=attachments,
            facts=letter_facts(decided),
        )
    ]
    if decision == "revise" and participation.status == ParticipationStatus.REVISION_REQUESTED:
        request = RevisionRequestContext(
            campaign=campaign_context(campaign),
            unit_name=unit.name,
            contact_name=unit.contact_name or unit.name,
            round=participation.revision_round,
            max_rounds=campaign.review.max_revision_rounds,
            deadline=deadline_context(campaign, REVISION_DEADLINE),
            requests=tuple(remarks.suggestions + gaps),
        )
        mails.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=to,
                mail=render("revision_request", request),
                subject_ref=f"participation:{participation.id}:revision",
                version=participation.revision_round,
            )
        )
    return mails


def correction(decided: ReviewDecision, previous: ReviewDecision) -> CorrectionContext:
    """Return what a corrected letter says changed from `previous` to `decided`; pure."""
    return CorrectionContext(
        version=decided.version,
        previous_score=previous.normalised_score,
        previous_grade=previous.grade,
        previous_decision=cast(Decision, previous.decision),
        reason=decided.reason,
    )


def _strengths_and_gaps(campaign: CampaignFile, remarks: Remarks) -> tuple[list[str], list[str]]:
    """Return the report's best and weakest criteria as words, by the campaign's criteria."""
    criteria = campaign.review.criteria
    return strengths_and_gaps(
        remarks.criterion_means, {c.key: c.name for c in criteria}, {c.key: c.max for c in criteria}
    )


def grade_ladder(grades: Sequence[Grade]) -> tuple[GradeStepContext, ...]:
    """Return the campaign file's star ladder, highest first, each with the scores it covers
    in words (五星级: 90分及以上; 四星半级: 80—90分; the lowest: 50分以下). Pure."""
    ordered = sorted(grades, key=lambda g: -g.min_score)
    steps = []
    for i, g in enumerate(ordered):
        above = ordered[i - 1].min_score if i else None
        if above is None:
            band = f"{g.min_score:g}分及以上"
        elif g.min_score <= 0:
            band = f"{above:g}分以下"
        else:
            band = f"{g.min_score:g}—{above:g}分"
        steps.append(
            GradeStepContext(
                stars=g.stars, name=g.name, label=g.label, min_score=g.min_score, band=band
            )
        )
    return tuple(steps)


def feedback_context(
    campaign: CampaignFile,
    unit: Unit,
    decided: ReviewDecision,
    remarks: Remarks,
    best: list[str],
    gaps: list[str],
) -> FeedbackLetterContext:
    """Return the feedback letter's context of a decided version: scores per criterion,
    strengths, suggestions."""
    decision = cast(Decision, decided.decision)
    grades = campaign.review.grades
    grade = next((g for g in grades if g.name == decided.grade), None)
    criteria = [c for c in campaign.review.criteria if c.key in remarks.criterion_means]
    return FeedbackLetterContext(
        campaign=campaign_context(campaign),
        unit_name=unit.name,
        contact_name=unit.contact_name or unit.name,
        decision=decision,
        criteria=tuple(
            CriterionScoreContext(
                name=c.name,
                score=remarks.criterion_means[c.key],
                max=c.max,
                weight=c.weight,
                comment=criterion_comment(remarks.criterion_means[c.key], c.max, c.description),
            )
            for c in criteria
        ),
        score=decided.normalised_score,
        raw_score=decided.raw_score,
        grade_name=decided.grade,
        grade_label=grade.label if grade else "",
        stars=grade.stars if grade else None,
        ladder=grade_ladder(grades),
        strengths=tuple(best + remarks.comments),
        suggestions=tuple(remarks.suggestions or gaps),
        revision_requested=decision == "revise",
        issued_on=decided.decided_on,
        round=decided.round,
    )
