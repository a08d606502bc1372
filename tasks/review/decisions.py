"""Apply the review's decisions: statuses, feedback letters, revision requests, lapsed revisions.

First the experts an operator recorded absent (inbox/<year>/review/absent.xlsx,
tasks/review/absence.py). Then, once a report's round is past due and every assigned sheet is
in or its expert absent (tasks/review/rules.py `round_decidable`, tasks/review/rounds.py), the
report is decided: its recommendation (or the chair's decision from
inbox/<year>/review/chair.xlsx) moves the participation to review_passed, revision_requested
(only while the revision window is open; later a revise is a reject) or rejected; the round's
ReviewDecision version 1 is written (tasks/review/versions.py) and the unit gets a feedback
letter rendered from it (scores per criterion, strengths, the reviewers' suggestions, never who
gave them) and, for a revision, a revision request. A chair's row for a report already decided
is the chair's later word: a new version and a corrected letter (tasks/review/redecide.py). A
unit that was asked to revise and filed nothing by the revision deadline lapses. The mails go
through the outbox, keyed by participation, round and version, so a re-run sends nothing twice.

The chair's and the absence files are read before the transaction opens; `plan_decisions`
decides on the loaded rows without changing them, then one transaction records the absences,
moves the statuses, writes the versions, lapses the late revisions and enqueues the letters.
The task publishes the decisions taken, the reports still awaiting one (with the experts
overdue) and the files' problems as artifacts, and returns counts. The letters themselves are
written in tasks/review/letters.py; the rules in tasks/review/rules.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import ParticipationStatus, Severity
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.business_day import current_actor
from tasks.common.fonts import choose_font
from tasks.common.outgoing import enqueue
from tasks.common.rejection_reports import publish_rejections, publish_table, write_rejection_report
from tasks.review.absence import read_absence_rows, record_absences
from tasks.review.chair import ChairRuling, chair_targets, read_chair_rows, resolve_chair_rulings
from tasks.review.letter_pdf import LetterFiles
from tasks.review.letters import REVISION_DEADLINE
from tasks.review.redecide import apply_later_words
from tasks.review.rounds import DueReport, load_due_reports
from tasks.review.rules import REASONS, revision_window_open, round_decidable, round_due, rule
from tasks.review.versions import Move, apply_decisions
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
    absences: int = 0  # assignments newly recorded absent (review/absent.xlsx)
    redecided: int = 0  # new decided versions the chair's later word made (corrected letters)


@dataclass
class DecisionPlan:
    """The reports decided and those still awaiting a decision (unit, why, experts overdue)."""

    moves: list[Move] = field(default_factory=list)
    awaiting: list[dict[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return how many reports each decision took, in the order first taken."""
        return dict(Counter(m.decision for m in self.moves))


def plan_decisions(
    due: Sequence[DueReport],
    chair: Mapping[int, ChairRuling],
    max_rounds: int,
    as_of: date,
    revision_open: bool,
) -> DecisionPlan:
    """Decide every report whose round is decidable on `as_of` (past due, every sheet in or
    its expert absent); reads the rows only.

    A report with an expert's sheet outstanding waits (listed with those experts' names); so
    does one without an outcome, and one the chair has to decide. `revision_open` says whether
    a revision can still be asked for (tasks/review/rules.py `rule`).
    """
    plan = DecisionPlan()
    for report in due:
        participation, unit, outcome, state = report
        assert participation.id is not None
        if not round_due(state.due_on, as_of):
            continue
        overdue = "、".join(state.outstanding)
        if not round_decidable(state.due_on, as_of, len(state.outstanding)):
            plan.awaiting.append({"unit": unit.name, "why": "评分表未交齐", "overdue": overdue})
            continue
        if outcome is None:
            plan.awaiting.append({"unit": unit.name, "why": "本轮尚无评审意见", "overdue": ""})
            continue
        ruling_of_chair = chair.get(participation.id)
        ruling = rule(
            outcome.recommendation,
            ruling_of_chair.decision if ruling_of_chair else None,
            participation.revision_round,
            max_rounds,
            revision_open,
        )
        if ruling.decision is None:
            plan.awaiting.append({"unit": unit.name, "why": ruling.why, "overdue": ""})
            continue
        round_after = participation.revision_round + (ruling.decision == "revise")
        reason = REASONS[ruling.decision].format(
            score=outcome.normalised_score, grade=outcome.grade, round=round_after
        )
        chair_reason = ruling_of_chair.reason if ruling_of_chair else ""
        extra = [ruling.why, f"评审组长：{chair_reason}" if chair_reason else ""]
        plan.moves.append(
            Move(
                participation=participation,
                unit=unit,
                outcome=outcome,
                decision=ruling.decision,
                reason="；".join([reason, *[e for e in extra if e]]),
                chair=ruling_of_chair if ruling.by_chair else None,
            )
        )
    return plan


def _lapse_unrevised(
    session: Session, campaign: CampaignFile, as_of: date, actor: str, now: datetime
) -> int:
    """Lapse the units asked to revise that filed nothing by the revision deadline."""
    if revision_window_open(campaign.deadline(REVISION_DEADLINE).date, as_of):
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
    settings: Settings,
    campaign_year: int,
    as_of: date,
    chair_files: list[str],
    report_dir: str,
    absent_files: list[str] | None = None,
) -> DecisionSummary:
    """Record absences; decide every report whose round is complete; mail; lapse late revisions.

    Side effects: reads the chair's and the absence files first; then, in one transaction,
    records the experts absent, moves participations (with StageTransition rows), writes each
    decided round's ReviewDecision version 1 (and the versions the chair's later word makes),
    lapses late revisions, writes each feedback letter as a PDF under review/<year>/letters/
    and enqueues feedback letters with it attached (corrected ones for new versions) and
    revision requests; writes `decision-rejections.xlsx` into `report_dir`; publishes the
    `review-decisions`, `review-awaiting` (when they have rows) and `chair-decision-rejections`
    artifacts.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    chair_rows = read_chair_rows(chair_files)
    absent_rows = read_absence_rows(absent_files or [])
    actor, now = current_actor(), now_utc()
    with campaign_session(settings) as session:
        absences = record_absences(session, campaign_year, absent_rows, actor, as_of)
        session.flush()
        due = load_due_reports(session, campaign, as_of)
        chair = resolve_chair_rulings(chair_rows, *chair_targets(session, campaign_year))
        open_ = revision_window_open(campaign.deadline(REVISION_DEADLINE).date, as_of)
        plan = plan_decisions(
            due, chair.by_participation, campaign.review.max_revision_rounds, as_of, open_
        )
        letters = LetterFiles(settings.workspace, choose_font(settings.certificate_font))
        mails = apply_decisions(session, campaign, plan.moves, actor, as_of, now, letters)
        later = apply_later_words(session, campaign, chair.later, as_of, now, letters)
        lapsed = _lapse_unrevised(session, campaign, as_of, actor, now)
        queued = enqueue(session, settings, mails + later.mails, business_day=as_of)
    problems = chair.rejections + later.refused + absences.rejections
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "decision-rejections.xlsx"), problems
    ).relative_to(settings.workspace)
    publish_decisions(plan, lapsed, later.versions, problems, report)
    return DecisionSummary(
        decided=plan.counts(),
        by_chair=sum(m.chair is not None for m in plan.moves),
        awaiting=len(plan.awaiting),
        lapsed=lapsed,
        mails_queued=queued,
        problems_by_code=count_by_code(problems),
        report=str(report),
        absences=absences.recorded,
        redecided=later.versions,
    )


def publish_decisions(
    plan: DecisionPlan, lapsed: int, redecided: int, rejections: list[Rejection], report: Path
) -> None:
    """Publish the decisions taken, the reports still awaiting one and the chair's and the
    absence files' problems.

    Side effects: creates the `review-decisions` table artifact when a report was decided or
    lapsed, `review-awaiting` when a due report waits, and always `chair-decision-rejections`.
    """
    decided = plan.counts()
    if decided or lapsed or redecided:
        rows: list[dict[str, object]] = [
            {"decision": k, "reports": v} for k, v in sorted(decided.items())
        ]
        rows.append({"decision": "lapsed (no revision filed)", "reports": lapsed})
        rows.append({"decision": "new version (the chair's later word)", "reports": redecided})
        publish_table("review-decisions", rows, "Review decisions taken in this run")
    if plan.awaiting:
        publish_table(
            "review-awaiting",
            plan.awaiting,
            "Reports in review past due and still awaiting a decision (overdue: the experts "
            "whose sheet is not in; record one absent in review/absent.xlsx)",
        )
    errors = [r for r in rejections if r.severity == Severity.ERROR]
    publish_rejections(
        "chair-decision-rejections",
        f"Chair decision problems ({len(errors)} errors)",
        rejections,
        report,
    )
