"""Load what the reviewer assignment needs: the submitted reports, the roster, the overrides.

Reads only. `load_reports` and `load_reviewers` query the caller's session; `read_overrides` reads
the overrides files (before any transaction opens) and `resolve_overrides` matches their rows to
the reports awaiting assignment, a plain function. The assignment itself and its saving are in
tasks/review/assign.py; the search is tasks/review/assignment/.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from sqlmodel import Session, col, select

from schemas.columns import REVIEW_OVERRIDES
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.rejection import Rejection
from schemas.review_tables import ReviewAssignment
from schemas.review_tables import Reviewer as ReviewerRow
from schemas.rows import OverrideRow
from schemas.tables import Association, Participation, Recommendation, Submission, Unit
from tasks.common.validation import FileRows, read_rows, rejection_at
from tasks.review.assignment.plan import Override, Report, Reviewer


class SubmittedReport(NamedTuple):
    """A submitted report as the assignment reads it, and its unit's name for the tables."""

    report: Report
    unit_name: str


class Roster(NamedTuple):
    """The roster as assignment inputs (capacity left), and the stored reviewers by key."""

    reviewers: list[Reviewer]
    rows: dict[str, ReviewerRow]


class ResolvedOverrides(NamedTuple):
    """The overrides that name a report awaiting assignment, and the rows refused."""

    overrides: list[Override]
    rejections: list[Rejection]


def load_reports(session: Session, campaign_year: int) -> list[SubmittedReport]:
    """Return the submitted units as assignment inputs, each with its unit name; reads."""
    rows = session.exec(
        select(Participation.id, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign_year)
        .where(Participation.status == ParticipationStatus.SUBMITTED)
    ).all()
    ids = [pid for pid, _ in rows if pid is not None]
    codes: dict[int, set[str]] = defaultdict(set)
    for pid, code in session.exec(
        select(Participation.id, Association.code)
        .join(Recommendation, col(Recommendation.unit_id) == col(Participation.unit_id))
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(col(Participation.id).in_(ids))
        .where(Recommendation.campaign_year == campaign_year)
    ).all():
        if pid is not None:
            codes[pid].add(code)
    topics: dict[int, frozenset[str]] = {}
    for pid, screening in session.exec(
        select(Submission.participation_id, Submission.screening)
        .where(col(Submission.participation_id).in_(ids))
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .order_by(col(Submission.version))
    ).all():
        covered = (screening or {}).get("topics") or []
        topics[pid] = frozenset(t["key"] for t in covered if t.get("covered"))
    return [
        SubmittedReport(
            Report(
                participation_id=pid,
                uscc=unit.uscc,
                unit_name=unit.name,
                employer_names=frozenset({unit.name}),
                association_codes=frozenset(codes[pid]),
                industry=unit.industry,
                topics=topics.get(pid, frozenset()),
            ),
            unit.name,
        )
        for pid, unit in rows
        if pid is not None
    ]


def load_reviewers(session: Session, campaign_year: int) -> Roster:
    """Return the roster as assignment inputs, capacity less the reports already assigned."""
    roster = session.exec(
        select(ReviewerRow).where(ReviewerRow.campaign_year == campaign_year)
    ).all()
    load = Counter(
        session.exec(
            select(ReviewAssignment.reviewer_id).where(
                ReviewAssignment.campaign_year == campaign_year
            )
        ).all()
    )
    inputs = [
        Reviewer(
            key=r.key,
            name=r.name,
            employer=r.employer,
            industries=frozenset(r.industries),
            topics=frozenset(r.topics),
            max_load=max(0, r.max_load - load[r.id or 0]),
            conflict_associations=frozenset(r.conflict_associations),
            conflict_units=frozenset(r.conflict_units),
        )
        for r in roster
    ]
    return Roster(inputs, {r.key: r for r in roster})


def read_overrides(files: Sequence[str]) -> FileRows[OverrideRow]:
    """Read and validate the overrides files (指定/回避); reads the files, no database."""
    return read_rows(files, REVIEW_OVERRIDES, OverrideRow)


def resolve_overrides(
    found: FileRows[OverrideRow], reports: Sequence[SubmittedReport]
) -> ResolvedOverrides:
    """Match override rows to the reports awaiting assignment; another unit is refused; pure."""
    by_uscc = {r.report.uscc: r.report.participation_id for r in reports}
    out: list[Override] = []
    rejections = list(found.rejections)
    for row, file, number in found.rows:
        pid = by_uscc.get(row.uscc)
        if pid is None:
            rejections.append(
                rejection_at(
                    REVIEW_OVERRIDES,
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "not-awaiting-review",
                    "该单位没有待分配评审的报告",
                    "this unit has no report awaiting assignment",
                )
            )
            continue
        out.append(
            Override(participation_id=pid, reviewer_key=row.reviewer_email, action=row.action)
        )
    return ResolvedOverrides(out, rejections)
