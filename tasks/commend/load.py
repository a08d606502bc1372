"""Read the commend stage's candidates from the campaign database, in a few batched queries.

A candidate is a participation whose report passed the review (`review_passed`; only the
meeting approves). For each: its unit (industry, ownership, district), its latest review
outcome (the highest round), its performance evaluation if one exists, the topics its latest
report PDF covers (the pre-screen's `topics`, schemas/screening.py) and the report title from
its basic-information form (or receipt). Reads only; the caller's session, no commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.review_tables import PerformanceEvaluation, ReviewOutcome
from schemas.tables import Participation, Submission, Unit
from tasks.commend.rank import Candidate, TopicEvidence, performance_from_evaluation


class CandidatePool(BaseModel):
    """The candidates read for one campaign, and the passed units that could not be ranked."""

    model_config = ConfigDict(frozen=True)

    candidates: list[Candidate]
    without_outcome: list[int]  # review_passed participations with no review outcome


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


def _latest_outcomes(session: Session, campaign_year: int) -> dict[int, ReviewOutcome]:
    """Return each review_passed participation's review outcome of its highest round."""
    outcomes: dict[int, ReviewOutcome] = {}
    for outcome in session.exec(
        _passed(select(ReviewOutcome), campaign_year, col(ReviewOutcome.participation_id))
        .where(ReviewOutcome.campaign_year == campaign_year)
        .order_by(col(ReviewOutcome.round))
    ).all():
        outcomes[outcome.participation_id] = outcome  # the highest round wins
    return outcomes


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
    outcome: ReviewOutcome,
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
        review_rank=outcome.rank,
        performance=(
            performance_from_evaluation(evaluation.indicators, evaluation.flags)
            if evaluation is not None
            else None
        ),
        topics=covered_topics(filings.screenings.get(pid)),
    )


def load_candidates(session: Session, campaign_year: int) -> CandidatePool:
    """Return the campaign's review_passed units as candidates (four queries, no writes)."""
    units = _passed_units(session, campaign_year)
    outcomes = _latest_outcomes(session, campaign_year)
    evaluations = _evaluations(session, campaign_year)
    filings = _filings(session, campaign_year)
    candidates: list[Candidate] = []
    without_outcome: list[int] = []
    for pid, unit in units:
        outcome = outcomes.get(pid)
        if outcome is None:
            without_outcome.append(pid)
            continue
        candidates.append(candidate_of(pid, unit, outcome, evaluations.get(pid), filings))
    return CandidatePool(candidates=candidates, without_outcome=sorted(without_outcome))
