"""The review's letters to a unit: the feedback letter and, for a revision, the request.

The letter folds the latest reviews of the round that decided the report: the mean per
criterion, the best criteria as strengths with the experts' comments, and the experts'
suggestions (the weakest criteria when they gave none). It never says who reviewed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from notifications.contexts import (
    CriterionScoreContext,
    FeedbackLetterContext,
    RevisionRequestContext,
    campaign_context,
    deadline_context,
)
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile
from schemas.review_tables import Review, ReviewAssignment, ReviewOutcome
from schemas.tables import Participation, Unit
from tasks.review.rules import Decision, strengths_and_gaps

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


def review_letters(
    campaign: CampaignFile,
    unit: Unit,
    participation: Participation,
    outcome: ReviewOutcome,
    decision: Decision,
    remarks: Remarks,
) -> list[OutgoingMail]:
    """Return the feedback letter (and the revision request) for one decided report."""
    assert participation.id is not None
    to = mailbox(unit.email, unit.contact_name)
    best, gaps = _strengths_and_gaps(campaign, remarks)
    feedback = feedback_context(campaign, unit, outcome, decision, remarks, best, gaps)
    mails = [
        OutgoingMail(
            campaign_year=campaign.year,
            to=to,
            mail=render("feedback_letter", feedback),
            subject_ref=f"participation:{participation.id}:feedback",
            version=f"round-{outcome.round}",
        )
    ]
    if decision == "revise":
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


def _strengths_and_gaps(campaign: CampaignFile, remarks: Remarks) -> tuple[list[str], list[str]]:
    """Return the report's best and weakest criteria as words, by the campaign's criteria."""
    criteria = campaign.review.criteria
    return strengths_and_gaps(
        remarks.criterion_means, {c.key: c.name for c in criteria}, {c.key: c.max for c in criteria}
    )


def feedback_context(
    campaign: CampaignFile,
    unit: Unit,
    outcome: ReviewOutcome,
    decision: Decision,
    remarks: Remarks,
    best: list[str],
    gaps: list[str],
) -> FeedbackLetterContext:
    """Return the feedback letter's context: scores per criterion, strengths, suggestions."""
    grade = next((g for g in campaign.review.grades if g.name == outcome.grade), None)
    return FeedbackLetterContext(
        campaign=campaign_context(campaign),
        unit_name=unit.name,
        contact_name=unit.contact_name or unit.name,
        decision=decision,
        criteria=tuple(
            CriterionScoreContext(name=c.name, score=remarks.criterion_means[c.key], max=c.max)
            for c in campaign.review.criteria
            if c.key in remarks.criterion_means
        ),
        score=outcome.normalised_score,
        grade_name=outcome.grade,
        grade_label=grade.label if grade else "",
        strengths=tuple(best + remarks.comments),
        suggestions=tuple(remarks.suggestions or gaps),
        revision_requested=decision == "revise",
    )
