"""Apply the review's decisions: statuses, feedback letters, revision requests, lapsed revisions.

Once a round's sheets are overdue (tasks/review/rules.py), every report in review whose round
has an outcome is decided: its recommendation (or the chair's decision from
inbox/<year>/review/chair.xlsx) moves the participation to review_passed, revision_requested
or rejected, and the unit gets a feedback letter (scores per criterion, strengths, the
reviewers' suggestions, never who gave them) and, for a revision, a revision request. A unit
that was asked to revise and filed nothing by the revision deadline lapses. The mails go
through the outbox, keyed by participation and round, so a re-run sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.outbox import OutgoingMail
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.columns import CHAIR_DECISIONS
from schemas.enums import ParticipationStatus, Severity
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import ReviewOutcome
from schemas.rows import ChairDecisionRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.summary_rows import SummaryRows
from schemas.tables import Participation, Unit
from tasks.common.business_day import current_actor
from tasks.common.outgoing import enqueue
from tasks.common.rejection_reports import publish_rejections, publish_table, write_rejection_report
from tasks.common.validation import read_rows, rejection_at
from tasks.review.letters import REVISION_DEADLINE, fold_remarks, review_letters
from tasks.review.rules import REASONS, TARGETS, Decision, round_due, rule
from tasks.review.sheets.issue import sheet_deadline
from tasks.store import campaign_session


class DecisionSummary(BaseModel):
    """What one decision step did."""

    model_config = ConfigDict(frozen=True)

    decided: dict[str, int]  # decision -> reports
    by_chair: int
    awaiting: SummaryRows[dict[str, str]]  # unit, why
    lapsed: int
    mails_queued: int
    problems_by_code: dict[str, int]
    report: str
    rejections: SummaryRows[Rejection]


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
        remarks = fold_remarks(session, [(p.id or 0, o.round) for p, _, o, _ in decided])
        for participation, unit, outcome, decision in decided:
            mails += review_letters(
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


@task(name="publish-decisions", cache_policy=NO_CACHE)
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
