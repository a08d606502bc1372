"""Apply the review's decisions: statuses, feedback letters, revision requests, lapsed revisions.

Once a round's sheets are overdue (tasks/review_rules.py), every report in review whose round
has an outcome is decided: its recommendation (or the chair's decision from
inbox/<year>/review/chair.xlsx) moves the participation to review_passed, revision_requested
or rejected, and the unit gets a feedback letter (scores per criterion, strengths, the
reviewers' suggestions, never who gave them) and, for a revision, a revision request. A unit
that was asked to revise and filed nothing by the revision deadline lapses. The mails go
through the outbox, keyed by participation and round, so a re-run sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from prefect import task
from pydantic import BaseModel, ConfigDict
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
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.columns import CHAIR_DECISIONS
from schemas.enums import ParticipationStatus, Severity
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import Review, ReviewAssignment, ReviewOutcome
from schemas.rows import ChairDecisionRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Unit
from tasks.clock import current_actor
from tasks.outgoing import enqueue
from tasks.reports import publish_rejections, publish_table, write_rejection_report
from tasks.review_rules import REASONS, TARGETS, Decision, round_due, rule, strengths_and_gaps
from tasks.review_sheets import sheet_deadline
from tasks.store import campaign_session
from tasks.validation import read_rows, rejection_at

REVISION_DEADLINE = "revision"  # the campaign file's [deadlines.revision]


class DecisionSummary(BaseModel):
    """What one decision step did."""

    model_config = ConfigDict(frozen=True)

    decided: dict[str, int]  # decision -> reports
    by_chair: int
    awaiting: list[dict[str, str]]  # unit, why
    lapsed: int
    mails_queued: int
    problems_by_code: dict[str, int]
    report: str
    rejections: list[Rejection]


@dataclass(frozen=True)
class _Remarks:
    criterion_means: dict[str, float]
    comments: list[str]
    suggestions: list[str]


def _remarks(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], _Remarks]:
    """Return the latest reviews of each (participation, round), folded for a letter."""
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
        key: _Remarks(
            {c: sum(v) / len(v) for c, v in scores[key].items()},
            comments[key],
            suggestions[key],
        )
        for key in wanted
    }


def _chair_rulings(
    files: list[str], awaiting: dict[str, int]
) -> tuple[dict[int, tuple[Decision, str]], list[Rejection]]:
    """Read the chair's decisions; a row for a unit not awaiting a decision is reported."""
    found = read_rows(files, CHAIR_DECISIONS, ChairDecisionRow)
    out: dict[int, tuple[Decision, str]] = {}
    rejections = list(found.rejections)
    for row, file, number in found.rows:
        pid = awaiting.get(row.uscc)
        if pid is None:
            rejections.append(
                rejection_at(
                    CHAIR_DECISIONS,
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "not-awaiting-decision",
                    "该单位的报告当前不在待决定的评审中",
                    "this unit's report is not awaiting a review decision",
                )
            )
            continue
        out[pid] = (row.decision, row.reason)
    return out, rejections


def _letters(
    campaign: CampaignFile,
    unit: Unit,
    participation: Participation,
    outcome: ReviewOutcome,
    decision: Decision,
    remarks: _Remarks,
) -> list[OutgoingMail]:
    """Return the feedback letter (and the revision request) for one decided report."""
    criteria = campaign.review.criteria
    names = {c.key: c.name for c in criteria}
    maxima = {c.key: c.max for c in criteria}
    best, gaps = strengths_and_gaps(remarks.criterion_means, names, maxima)
    grade = next((g for g in campaign.review.grades if g.name == outcome.grade), None)
    to = mailbox(unit.email, unit.contact_name)
    context = campaign_context(campaign)
    contact = unit.contact_name or unit.name
    assert participation.id is not None
    feedback = FeedbackLetterContext(
        campaign=context,
        unit_name=unit.name,
        contact_name=contact,
        decision=decision,
        criteria=tuple(
            CriterionScoreContext(name=c.name, score=remarks.criterion_means[c.key], max=c.max)
            for c in criteria
            if c.key in remarks.criterion_means
        ),
        score=outcome.normalised_score,
        grade_name=outcome.grade,
        grade_label=grade.label if grade else "",
        strengths=tuple(best + remarks.comments),
        suggestions=tuple(remarks.suggestions or gaps),
        revision_requested=decision == "revise",
    )
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
            campaign=context,
            unit_name=unit.name,
            contact_name=contact,
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


def _lapse_unrevised(
    session: Session, campaign: CampaignFile, as_of: date, actor: str, now: datetime
) -> int:
    """Lapse the units asked to revise that filed nothing by the revision deadline."""
    if as_of <= campaign.deadline(REVISION_DEADLINE).date:
        return 0
    late = session.exec(
        select(Participation)
        .where(Participation.campaign_year == campaign.year)
        .where(Participation.status == ParticipationStatus.REVISION_REQUESTED)
    ).all()
    for participation in late:
        session.add(
            transition(
                participation,
                ParticipationStatus.LAPSED,
                actor=actor,
                at=now,
                reason="修改稿逾期未提交",
            )
        )
    return len(late)


@task(name="decide-reviews")
def decide_reviews(
    settings: Settings, campaign_year: int, as_of: date, chair_files: list[str], report_dir: str
) -> DecisionSummary:
    """Decide every report in review whose round is due; mail letters; lapse late revisions.

    Side effects: moves participations (with StageTransition rows), enqueues feedback letters
    and revision requests, all in one transaction; writes `decision-rejections.xlsx`.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    review = campaign.review
    actor, now = current_actor(), now_utc()
    counts: dict[str, int] = defaultdict(int)
    awaiting: list[dict[str, str]] = []
    mails: list[OutgoingMail] = []
    by_chair = 0
    with campaign_session(settings) as session:
        in_review = session.exec(
            select(Participation, Unit)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(Participation.campaign_year == campaign_year)
            .where(Participation.status == ParticipationStatus.IN_REVIEW)
        ).all()
        due = [
            (p, u)
            for p, u in in_review
            if round_due(sheet_deadline(campaign, p.revision_round), as_of)
        ]
        outcomes = {
            (o.participation_id, o.round): o
            for o in session.exec(
                select(ReviewOutcome)
                .where(ReviewOutcome.campaign_year == campaign_year)
                .where(col(ReviewOutcome.participation_id).in_([p.id for p, _ in due]))
            ).all()
        }
        chair, rejections = _chair_rulings(
            chair_files, {u.uscc: p.id for p, u in due if p.id is not None}
        )
        decided: list[tuple[Participation, Unit, ReviewOutcome, Decision]] = []
        for participation, unit in due:
            assert participation.id is not None
            outcome = outcomes.get((participation.id, participation.revision_round))
            if outcome is None:
                awaiting.append({"unit": unit.name, "why": "本轮尚无评审意见"})
                continue
            chair_decision, chair_reason = chair.get(participation.id, (None, ""))
            ruling = rule(
                outcome.recommendation,
                chair_decision,
                participation.revision_round,
                review.max_revision_rounds,
            )
            if ruling.decision is None:
                awaiting.append({"unit": unit.name, "why": ruling.why})
                continue
            by_chair += ruling.by_chair
            round_after = participation.revision_round + (ruling.decision == "revise")
            reason = REASONS[ruling.decision].format(
                score=outcome.normalised_score, grade=outcome.grade, round=round_after
            )
            extra = [ruling.why, f"评审组长：{chair_reason}" if chair_reason else ""]
            reason = "；".join([reason, *[e for e in extra if e]])
            session.add(
                transition(
                    participation, TARGETS[ruling.decision], actor=actor, at=now, reason=reason
                )
            )
            participation.revision_round = round_after
            counts[ruling.decision] += 1
            decided.append((participation, unit, outcome, ruling.decision))
        remarks = _remarks(session, [(p.id or 0, o.round) for p, _, o, _ in decided])
        for participation, unit, outcome, decision in decided:
            mails += _letters(
                campaign,
                unit,
                participation,
                outcome,
                decision,
                remarks[(participation.id or 0, outcome.round)],
            )
        lapsed = _lapse_unrevised(session, campaign, as_of, actor, now)
        queued = enqueue(session, settings, mails)
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "decision-rejections.xlsx"), rejections
    )
    return DecisionSummary(
        decided=dict(counts),
        by_chair=by_chair,
        awaiting=awaiting,
        lapsed=lapsed,
        mails_queued=queued,
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
        rejections=rejections,
    )


@task(name="publish-decisions")
def publish_decisions(summary: DecisionSummary) -> None:
    """Publish the decisions taken and the reports still awaiting one as table artifacts."""
    if summary.decided or summary.lapsed:
        rows: list[dict[str, object]] = [
            {"decision": k, "reports": v} for k, v in sorted(summary.decided.items())
        ]
        rows.append({"decision": "lapsed (no revision filed)", "reports": summary.lapsed})
        publish_table("review-decisions", rows, "Review decisions taken in this run")
    if summary.awaiting:
        publish_table(
            "review-awaiting", summary.awaiting, "Reports in review still awaiting a decision"
        )
    errors = [r for r in summary.rejections if r.severity == Severity.ERROR]
    publish_rejections(
        "chair-decision-rejections",
        f"Chair decision problems ({len(errors)} errors)",
        summary.rejections,
        Path(summary.report),
    )
