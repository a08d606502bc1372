"""Read the commend stage's candidates from the campaign database, in a few batched queries.

A candidate is a participation whose report passed the review (`review_passed`; only the
meeting approves) and that carries no flag (tasks/common/report_flags.py: wrong year, open
pre-screen problems, below the pass score): a flagged unit is skipped and listed with why, and
only the meeting can commend it, explicitly. For each candidate: its unit (industry, ownership,
district), its decided review version (tasks/common/decided_outcomes.py, never the live
ReviewOutcome, which moves as late sheets renormalise the experts), its performance evaluation
if one exists, the topics its latest report PDF covers (the pre-screen's `topics`,
schemas/screening.py) and the report title from its basic-information form (or receipt).
Reads only; the caller's session, no commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.review_tables import PerformanceEvaluation, ReviewDecision
from schemas.tables import Participation, Submission, Unit
from tasks.commend.rank import Candidate, TopicEvidence, performance_from_evaluation
from tasks.common.decided_outcomes import decided_outcomes
from tasks.common.report_flags import report_flags


class SkippedUnit(BaseModel):
    """A unit whose report passed the review but that cannot be proposed, and why (flags)."""

    model_config = ConfigDict(frozen=True)

    participation_id: int
    uscc: str
    unit_name: str
    reasons: list[str]  # the flags' words, Chinese first


class CandidatePool(BaseModel):
    """The candidates read for one campaign, and the passed units that could not be ranked."""

    model_config = ConfigDict(frozen=True)

    candidates: list[Candidate]
    without_outcome: list[int]  # review_passed participations with no decided review
    skipped: list[SkippedUnit] = []  # flagged: only the meeting may commend them, explicitly


def covered_topics(screening: Mapping[str, Any] | None) -> tuple[TopicEvidence, ...]:
    """Return the covered topics of a stored screen result (empty when there is none); pure."""
    found: list[TopicEvidence] = []
    for topic in (screening or {}).get("topics") or []:
        if not isinstance(topic, Mapping) or not topic.get("covered") or not topic.get("key"):
            continue
        found.append(
            TopicEvidence(
                key=str(topic["key"]),
                name=str(topic.get("name") or topic["key"]),
                hits=max(0, int(topic.get("hits") or 0)),
                pages=tuple(int(p) for p in topic.get("pages") or []),
            )
        )
    return tuple(found)


def _passed_units(session: Session, campaign_year: int) -> list[tuple[int, Unit]]:
    rows = session.exec(
        select(Participation.id, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign_year)
        .where(Participation.status == ParticipationStatus.REVIEW_PASSED)
    ).all()
    return [(pid, unit) for pid, unit in rows if pid is not None]


def _passed(stmt: Any, campaign_year: int, pid_column: Any) -> Any:
    """Restrict a statement to the campaign's review_passed participations (a join, no IN)."""
    return (
        stmt.join(Participation, col(Participation.id) == pid_column)
        .where(Participation.campaign_year == campaign_year)
        .where(Participation.status == ParticipationStatus.REVIEW_PASSED)
    )


def _evaluations(session: Session, campaign_year: int) -> dict[int, PerformanceEvaluation]:
    """Return the performance evaluation of each review_passed participation that has one."""
    return {
        e.participation_id: e
        for e in session.exec(
            _passed(
                select(PerformanceEvaluation),
                campaign_year,
                col(PerformanceEvaluation.participation_id),
            ).where(PerformanceEvaluation.campaign_year == campaign_year)
        ).all()
    }


class Filings(NamedTuple):
    """What the candidates' filings say: the latest report's screen, the titles they gave."""

    screenings: dict[int, dict[str, Any] | None]  # participation -> stored screen result
    titles: dict[int, dict[str, Any]]  # participation -> form data (+ `_receipt`)


def _filings(session: Session, campaign_year: int) -> Filings:
    """Return the latest report PDF's screen and the form or receipt data of each candidate."""
    screenings: dict[int, dict[str, Any] | None] = {}
    forms: dict[int, dict[str, Any]] = {}
    for pid, kind, data, screening in session.exec(
        _passed(
            select(
                Submission.participation_id, Submission.kind, Submission.data, Submission.screening
            ),
            campaign_year,
            col(Submission.participation_id),
        )
        .where(
            col(Submission.kind).in_(
                [SubmissionKind.REPORT_PDF, SubmissionKind.BASIC_INFO, SubmissionKind.RECEIPT]
            )
        )
        .order_by(col(Submission.version))
    ).all():
        if kind == SubmissionKind.REPORT_PDF:
            screenings[pid] = screening  # the latest version wins
        elif data and (
            # A basic-information form's title beats a receipt's, whichever arrived later.
            kind == SubmissionKind.BASIC_INFO or pid not in forms or forms[pid]["_receipt"]
        ):
            forms[pid] = {**data, "_receipt": kind == SubmissionKind.RECEIPT}
    return Filings(screenings, forms)


def candidate_of(
    pid: int,
    unit: Unit,
    outcome: ReviewDecision,
    evaluation: PerformanceEvaluation | None,
    filings: Filings,
) -> Candidate:
    """Return one unit as a commend candidate from its rows; pure."""
    form = filings.titles.get(pid, {})
    return Candidate(
        participation_id=pid,
        uscc=unit.uscc,
        unit_name=unit.name,
        industry=unit.industry,
        ownership=unit.ownership,
        district=unit.district,
        report_title=str(form.get("report_title") or ""),
        case_title=str(form.get("case_title") or ""),
        normalised_score=float(outcome.normalised_score),
        grade=outcome.grade,
        review_rank=outcome.rank,  # the decided version's, never the live outcome's
        performance=(
            performance_from_evaluation(evaluation.indicators, evaluation.flags)
            if evaluation is not None
            else None
        ),
        topics=covered_topics(filings.screenings.get(pid)),
    )


def load_candidates(session: Session, campaign: CampaignFile) -> CandidatePool:
    """Return the campaign's unflagged review_passed units as candidates; reads only.

    A flagged unit is skipped and listed with its flags' words; a passed unit with no decided
    review is listed as without outcome. One query per table.
    """
    campaign_year = campaign.year
    units = _passed_units(session, campaign_year)
    outcomes = decided_outcomes(session, campaign_year, [pid for pid, _ in units])
    flags = report_flags(session, campaign)
    evaluations = _evaluations(session, campaign_year)
    filings = _filings(session, campaign_year)
    candidates: list[Candidate] = []
    without_outcome: list[int] = []
    skipped: list[SkippedUnit] = []
    for pid, unit in units:
        outcome = outcomes.get(pid)
        if pid in flags:
            words = [f"{f.zh} ({f.en})" for f in flags[pid]]
            skipped.append(
                SkippedUnit(
                    participation_id=pid, uscc=unit.uscc, unit_name=unit.name, reasons=words
                )
            )
        elif outcome is None:
            without_outcome.append(pid)
        else:
            candidates.append(candidate_of(pid, unit, outcome, evaluations.get(pid), filings))
    return CandidatePool(
        candidates=candidates,
        without_outcome=sorted(without_outcome),
        skipped=sorted(skipped, key=lambda s: s.uscc),
    )
