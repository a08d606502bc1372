"""Read the season's commended cases an excerpt can be chosen for, with what a chooser needs.

A target is one case commendation the meeting has not removed (proposed or approved), its unit,
the decided report version (the unit's newest report PDF: the one the meeting decided on and the
catalogue links), the pre-screen's passages for the category's topic (candidates, with their
pages) and the current chosen excerpt (the newest version), if any. Read-only; three queries
whatever the number of cases. tasks/commend/excerpts.py stores choices against these targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.case_excerpt_tables import CaseExcerpt
from schemas.commendation import CommendationStatus
from schemas.enums import SubmissionKind
from schemas.release_tables import Commendation
from schemas.screening import ScreenResult
from schemas.tables import Participation, Submission, Unit

__all__ = ["CASE", "CaseTarget", "Passage", "case_targets", "newest_excerpts"]

CASE = "case"


@dataclass(frozen=True)
class Passage:
    """A passage of a report: its page and text (a pre-screen candidate)."""

    page: int
    text: str


@dataclass(frozen=True)
class CaseTarget:
    """One commended case and what an excerpt for it is checked against."""

    commendation_id: int
    campaign_year: int
    participation_id: int
    uscc: str
    unit_name: str
    category_key: str
    title: str  # the commendation's title, e.g. 绿色低碳优秀案例
    status: CommendationStatus
    report_title: str = ""
    submission_id: int | None = None  # the decided report version's row
    report_version: int | None = None
    candidates: tuple[Passage, ...] = ()
    current: CaseExcerpt | None = None


def _filings(
    session: Session, pids: Sequence[int]
) -> tuple[dict[int, Submission], dict[int, Submission]]:
    """Return each participation's newest report PDF version and newest basic-information form."""
    reports: dict[int, Submission] = {}
    forms: dict[int, Submission] = {}
    for sub in session.exec(
        select(Submission)
        .where(col(Submission.participation_id).in_(list(pids)))
        .where(col(Submission.kind).in_([SubmissionKind.REPORT_PDF, SubmissionKind.BASIC_INFO]))
        .order_by(col(Submission.participation_id), col(Submission.version))
    ).all():  # ordered: the newest version wins
        (reports if sub.kind == SubmissionKind.REPORT_PDF else forms)[sub.participation_id] = sub
    return reports, forms


def _candidates(report: Submission | None, topic: str) -> tuple[Passage, ...]:
    """Return the pre-screen's passages for a topic in a report version's stored screening."""
    if report is None or not report.screening:
        return ()
    try:
        screening = ScreenResult.from_stored(report.screening)
    except ValidationError:
        return ()
    found = next((t for t in screening.topics if t.key == topic), None)
    return tuple(Passage(e.page, e.text) for e in found.evidence) if found else ()


def newest_excerpts(session: Session, commendation_ids: Sequence[int]) -> dict[int, CaseExcerpt]:
    """Return the current (newest) excerpt version of each of these commendations; reads."""
    newest: dict[int, CaseExcerpt] = {}
    for row in session.exec(
        select(CaseExcerpt)
        .where(col(CaseExcerpt.commendation_id).in_(list(commendation_ids)))
        .order_by(col(CaseExcerpt.commendation_id), col(CaseExcerpt.version))
    ).all():
        newest[row.commendation_id] = row
    return newest


def case_targets(session: Session, campaign: CampaignFile) -> list[CaseTarget]:
    """Return the campaign's case commendations not removed, by category and place; reads."""
    cases = session.exec(
        select(Commendation, Unit)
        .join(Participation, col(Participation.id) == col(Commendation.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Commendation.campaign_year == campaign.year, Commendation.kind == CASE)
        .where(col(Commendation.status) != CommendationStatus.REMOVED)
        .order_by(col(Commendation.category_key), col(Commendation.rank), col(Commendation.id))
    ).all()
    reports, forms = _filings(session, [c.participation_id for c, _ in cases])
    current = newest_excerpts(session, [c.id for c, _ in cases if c.id is not None])
    topic_of = {c.key: c.topic for c in campaign.commendation.categories}
    targets = []
    for c, unit in cases:
        assert c.id is not None
        report = reports.get(c.participation_id)
        form = forms.get(c.participation_id)
        title = (form.data or {}).get("report_title") if form is not None else None
        targets.append(
            CaseTarget(
                commendation_id=c.id,
                campaign_year=c.campaign_year,
                participation_id=c.participation_id,
                uscc=unit.uscc,
                unit_name=unit.name,
                category_key=c.category_key,
                title=c.title,
                status=c.status,
                report_title=title if isinstance(title, str) else "",
                submission_id=report.id if report is not None else None,
                report_version=report.version if report is not None else None,
                candidates=_candidates(report, topic_of.get(c.category_key, "")),
                current=current.get(c.id),
            )
        )
    return targets
