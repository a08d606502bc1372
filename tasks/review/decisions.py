"""Apply the review's decisions: statuses, feedback letters, revision requests, lapsed revisions.

Once a round's sheets are overdue (tasks/review/rules.py), every report in review whose round
has an outcome is decided: its recommendation (or the chair's decision from
inbox/<year>/review/chair.xlsx) moves the participation to review_passed, revision_requested
or rejected, and the unit gets a feedback letter (scores per criterion, strengths, the
reviewers' suggestions, never who gave them) and, for a revision, a revision request. A unit
that was asked to revise and filed nothing by the revision deadline lapses. The mails go
through the outbox, keyed by participation and round, so a re-run sends nothing twice.

The chair's file is read before the transaction opens; `plan_decisions` decides on the loaded
rows without changing them, then one transaction moves the statuses, lapses the late revisions
and enqueues the letters. The task publishes the decisions taken, the reports still awaiting one
and the chair file's problems as artifacts, and returns counts. The letters themselves are
written in tasks/review/letters.py; the rules in tasks/review/rules.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.outbox import OutgoingMail
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import ParticipationStatus, Severity
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Unit
from tasks.common.business_day import current_actor
from tasks.common.outgoing import enqueue
from tasks.common.rejection_reports import publish_rejections, publish_table, write_rejection_report
from tasks.review.chair import ChairRuling, read_chair_rows, resolve_chair_rulings
from tasks.review.letters import REVISION_DEADLINE, fold_remarks, review_letters
from tasks.review.rules import REASONS, TARGETS, Decision, round_due, rule
from tasks.review.sheets.issue import sheet_deadline
from tasks.store import campaign_session


class DecisionSummary(BaseModel):
    """What one decision step did, in counts; the reports awaiting a decision are an artifact."""

    model_config = ConfigDict(frozen=True)

    decided: dict[str, int]  # decision -> reports
    by_chair: int
    awaiting: int  # reports due but still awaiting a decision (`review-awaiting`)
    lapsed: int
    mails_queued: int
    problems_by_code: dict[str, int]
    report: str


class DueReport(NamedTuple):
    """A report in review whose round is due, with the outcome of that round if there is one."""

    participation: Participation
    unit: Unit
    outcome: ReviewOutcome | None


@dataclass(frozen=True)
class Move:
    """A decided report: where it goes, the round it is in afterwards, and the audit reason."""

    report: DueReport
    outcome: ReviewOutcome
    decision: Decision
    round_after: int
    reason: str
    by_chair: bool


@dataclass
class DecisionPlan:
    """The reports decided and those still awaiting a decision (unit, why)."""

    moves: list[Move] = field(default_factory=list)
    awaiting: list[dict[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return how many reports each decision took, in the order first taken."""
        return dict(Counter(m.decision for m in self.moves))


def plan_decisions(
    due: Sequence[DueReport], chair: Mapping[int, ChairRuling], max_rounds: int
) -> DecisionPlan:
    """Decide every due report from its outcome and the chair's ruling; reads the rows only."""
    plan = DecisionPlan()
    for report in due:
        participation, unit, outcome = report
        assert participation.id is not None
        if outcome is None:
            plan.awaiting.append({"unit": unit.name, "why": "本轮尚无评审意见"})
            continue
        ruling_of_chair = chair.get(participation.id)
        ruling = rule(
            outcome.recommendation,
            ruling_of_chair.decision if ruling_of_chair else None,
            participation.revision_round,
            max_rounds,
        )
        if ruling.decision is None:
            plan.awaiting.append({"unit": unit.name, "why": ruling.why})
            continue
        round_after = participation.revision_round + (ruling.decision == "revise")
        reason = REASONS[ruling.decision].format(
            score=outcome.normalised_score, grade=outcome.grade, round=round_after
        )
        chair_reason = ruling_of_chair.reason if ruling_of_chair else ""
        extra = [ruling.why, f"评审组长：{chair_reason}" if chair_reason else ""]
        plan.moves.append(
            Move(
                report=report,
                outcome=outcome,
                decision=ruling.decision,
                round_after=round_after,
                reason="；".join([reason, *[e for e in extra if e]]),
                by_chair=ruling.by_chair,
            )
        )
    return plan


def load_due_reports(session: Session, campaign: CampaignFile, as_of: date) -> list[DueReport]:
    """Return the reports in review whose round is due on `as_of`, with their outcomes; reads."""
    in_review = session.exec(
        select(Participation, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign.year)
        .where(Participation.status == ParticipationStatus.IN_REVIEW)
    ).all()
    due = [
        (p, u) for p, u in in_review if round_due(sheet_deadline(campaign, p.revision_round), as_of)
    ]
    outcomes = {
        (o.participation_id, o.round): o
        for o in session.exec(
            select(ReviewOutcome)
            .where(ReviewOutcome.campaign_year == campaign.year)
            .where(col(ReviewOutcome.participation_id).in_([p.id for p, _ in due]))
        ).all()
    }
    return [DueReport(p, u, outcomes.get((p.id or 0, p.revision_round))) for p, u in due]


def apply_decisions(
    session: Session, campaign: CampaignFile, moves: Sequence[Move], actor: str, now: datetime
) -> list[OutgoingMail]:
    """Move each decided report (audit rows, round counted up); return its letters to send."""
    for move in moves:
        participation = move.report.participation
        session.add(
            transition(
                participation, TARGETS[move.decision], actor=actor, at=now, reason=move.reason
            )
        )
        participation.revision_round = move.round_after
    remarks = fold_remarks(
        session, [(m.report.participation.id or 0, m.outcome.round) for m in moves]
    )
    mails: list[OutgoingMail] = []
    for move in moves:
        participation = move.report.participation
        mails += review_letters(
            campaign,
            move.report.unit,
            participation,
            move.outcome,
            move.decision,
            remarks[(participation.id or 0, move.outcome.round)],
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


@task(name="decide-reviews", cache_policy=NO_CACHE)
def decide_reviews(
    settings: Settings, campaign_year: int, as_of: date, chair_files: list[str], report_dir: str
) -> DecisionSummary:
    """Decide every report in review whose round is due; mail letters; lapse late revisions.

    Side effects: reads the chair's files first; then moves participations (with
    StageTransition rows) and enqueues feedback letters and revision requests, all in one
    transaction; writes `decision-rejections.xlsx` into `report_dir`; publishes the
    `review-decisions`, `review-awaiting` (when they have rows) and `chair-decision-rejections`
    artifacts.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    chair_rows = read_chair_rows(chair_files)
    actor, now = current_actor(), now_utc()
    with campaign_session(settings) as session:
        due = load_due_reports(session, campaign, as_of)
        chair = resolve_chair_rulings(
            chair_rows,
            {r.unit.uscc: r.participation.id for r in due if r.participation.id is not None},
        )
        plan = plan_decisions(due, chair.by_participation, campaign.review.max_revision_rounds)
        mails = apply_decisions(session, campaign, plan.moves, actor, now)
        lapsed = _lapse_unrevised(session, campaign, as_of, actor, now)
        queued = enqueue(session, settings, mails, business_day=as_of)
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "decision-rejections.xlsx"), chair.rejections
    ).relative_to(settings.workspace)
    publish_decisions(plan, lapsed, chair.rejections, report)
    return DecisionSummary(
        decided=plan.counts(),
        by_chair=sum(m.by_chair for m in plan.moves),
        awaiting=len(plan.awaiting),
        lapsed=lapsed,
        mails_queued=queued,
        problems_by_code=count_by_code(chair.rejections),
        report=str(report),
    )


def publish_decisions(
    plan: DecisionPlan, lapsed: int, rejections: list[Rejection], report: Path
) -> None:
    """Publish the decisions taken, the reports still awaiting one and the chair's problems.

    Side effects: creates the `review-decisions` table artifact when a report was decided or
    lapsed, `review-awaiting` when a due report waits, and always `chair-decision-rejections`.
    """
    decided = plan.counts()
    if decided or lapsed:
        rows: list[dict[str, object]] = [
            {"decision": k, "reports": v} for k, v in sorted(decided.items())
        ]
        rows.append({"decision": "lapsed (no revision filed)", "reports": lapsed})
        publish_table("review-decisions", rows, "Review decisions taken in this run")
    if plan.awaiting:
        publish_table(
            "review-awaiting", plan.awaiting, "Reports in review still awaiting a decision"
        )
    errors = [r for r in rejections if r.severity == Severity.ERROR]
    publish_rejections(
        "chair-decision-rejections",
        f"Chair decision problems ({len(errors)} errors)",
        rejections,
        report,
    )
