"""Experts recorded absent: no sheet will come from them for a round, so it is decided without.

An operator records an absence in the inbox file review/absent.xlsx (评审专家缺席登记表: expert
email, round, USCC or blank for all that expert's reports of the round, reason) or with
`campaign review absent` (deployments/cli_review.py). Both go through `record_absences`, which
sets ReviewAssignment.absent_on/absent_by/absent_reason on the matching assignments whose sheet
is not in, in the caller's transaction. A row that matches nothing is reported (file, row,
column, reason), never guessed; a row already recorded changes nothing, so the file is read on
every run. Reads the files before any transaction (`read_absence_rows`); no engine here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlmodel import Session, col, select

from schemas.columns import REVIEW_ABSENCES
from schemas.rejection import Rejection
from schemas.review_tables import Review, ReviewAssignment, Reviewer
from schemas.rows import AbsenceRow
from schemas.tables import Participation, Unit
from tasks.common.validation import FileRows, read_rows, rejection_at


class AbsenceRequest(NamedTuple):
    """One absence to record: whose, which round, which reports (empty: all), why."""

    reviewer_email: str
    round: int
    usccs: tuple[str, ...]
    reason: str


class AbsencesRecorded(NamedTuple):
    """What recording absences did: assignments newly marked absent, and the rows refused."""

    recorded: int
    rejections: list[Rejection]


class NoSuchAbsence(Exception):
    """An absence names no assignment still waiting for a sheet; carries why (zh, en)."""

    def __init__(self, code: str, reason_zh: str, reason_en: str) -> None:
        self.code = code
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"{code}: {reason_en}")


def read_absence_rows(files: Sequence[str]) -> FileRows[AbsenceRow]:
    """Read and validate the absence files; reads the files, no database."""
    return read_rows(files, REVIEW_ABSENCES, AbsenceRow)


def request_of(row: AbsenceRow) -> AbsenceRequest:
    """Return the absence a validated row asks for (a blank round is the first); pure."""
    return AbsenceRequest(row.reviewer_email, row.round or 0, tuple(row.uscc), row.reason)


def mark_absent(
    session: Session, campaign_year: int, request: AbsenceRequest, by: str, on: date
) -> int:
    """Record one absence on its assignments still waiting for a sheet; return how many changed.

    Raises NoSuchAbsence when the expert is not on the roster, or is not assigned in that
    round (those reports). Already recorded, or every sheet in after all: returns 0.
    """
    reviewer = session.exec(
        select(Reviewer)
        .where(Reviewer.campaign_year == campaign_year)
        .where(Reviewer.key == request.reviewer_email.strip().lower())
    ).first()
    if reviewer is None:
        raise NoSuchAbsence(
            "unknown-reviewer", "评审专家名单中没有该邮箱", "no expert has this email"
        )
    query = (
        select(ReviewAssignment, Unit.uscc)
        .join(Participation, col(Participation.id) == col(ReviewAssignment.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(ReviewAssignment.campaign_year == campaign_year)
        .where(ReviewAssignment.reviewer_id == reviewer.id)
        .where(ReviewAssignment.round == request.round)
    )
    if request.usccs:
        query = query.where(col(Unit.uscc).in_(list(request.usccs)))
    found = session.exec(query).all()
    returned = set(
        session.exec(
            select(Review.assignment_id).where(
                col(Review.assignment_id).in_([a.id for a, _ in found])
            )
        ).all()
    )
    missing = set(request.usccs) - {uscc for _, uscc in found}
    if not found or missing:
        raise NoSuchAbsence(
            "not-assigned",
            f"该专家在第{request.round}轮未被分配这些报告",
            f"the expert is not assigned these reports in round {request.round}",
        )
    changed = [a for a, _ in found if a.id not in returned and a.absent_on is None]
    for assignment in changed:
        assignment.absent_on = on
        assignment.absent_by = by[:200]
        assignment.absent_reason = request.reason[:500]
        session.add(assignment)
    return len(changed)


def record_absences(
    session: Session, campaign_year: int, found: FileRows[AbsenceRow], by: str, on: date
) -> AbsencesRecorded:
    """Record the absences of the file rows in the caller's transaction; report refused rows."""
    rejections = list(found.rejections)
    recorded = 0
    for row, file, number in found.rows:
        try:
            recorded += mark_absent(session, campaign_year, request_of(row), by, on)
        except NoSuchAbsence as exc:
            rejections.append(
                rejection_at(
                    REVIEW_ABSENCES,
                    file,
                    number,
                    "reviewer_email",
                    row.reviewer_email,
                    exc.code,
                    exc.reason_zh,
                    exc.reason_en,
                )
            )
    return AbsencesRecorded(recorded, rejections)
