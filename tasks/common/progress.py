"""Move units along as their documents come in: registered -> submitted.

A registered unit is `submitted` once its basic-information form and a usable report PDF are
both in (either may arrive first). A report PDF is usable when its pre-screen found no error
(an encrypted, unreadable or non-PDF file does not count; warnings such as a scanned report do).
Runs in the caller's session; records each move with its audit row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.participation import transition
from schemas.tables import Association, Participation, Recommendation, Submission

NOT_SUBMITTED = frozenset(
    {
        ParticipationStatus.RECOMMENDED,
        ParticipationStatus.REGISTERED,
        ParticipationStatus.LAPSED,
        ParticipationStatus.WITHDRAWN,
    }
)


# What the moves and counts need of a report's screening: its problems list, extracted by the
# database. A stored screening (ScreenResult.to_stored) always holds one; a SQL NULL means the
# file was never screened. Decoding whole screening documents (2-3 KB each, topics and all)
# for every unit was most of a standings read, and the clock reads them several times a day.
SCREENING_PROBLEMS = col(Submission.screening)["problems"]
ID_CHUNK = 500  # ids per IN (...) list, well inside every database's parameter limit


def usable_problems(problems: Iterable[dict[str, Any]] | None) -> bool:
    """Return whether a report PDF whose screening found `problems` counts as filed (None:
    never screened): it does unless a problem is an error."""
    if problems is None:
        return False
    return not any(p.get("severity") == "error" for p in problems)


def usable_report(screening: dict[str, Any] | None) -> bool:
    """Return whether a report PDF's screening result lets it count as filed."""
    if not screening:
        return False
    return usable_problems(screening.get("problems") or [])


def fold_filings(
    rows: Iterable[tuple[int, SubmissionKind | str, Any]],
) -> tuple[dict[int, set[SubmissionKind]], dict[int, bool]]:
    """Return, per participation, the kinds filed and whether its latest report is usable.

    `rows` are (participation id, kind, screening problems: SCREENING_PROBLEMS) in ascending
    version order, so the last report seen for a participation is its latest.
    """
    kinds: dict[int, set[SubmissionKind]] = {}
    usable: dict[int, bool] = {}
    for pid, kind, problems in rows:
        kinds.setdefault(pid, set()).add(SubmissionKind(kind))
        if kind == SubmissionKind.REPORT_PDF:
            usable[pid] = usable_problems(problems)
    return kinds, usable


def documents_complete(kinds_in: set[SubmissionKind], report_usable: bool) -> bool:
    """Return whether a unit has filed what `submitted` needs."""
    return SubmissionKind.BASIC_INFO in kinds_in and report_usable


def advance_to_submitted(session: Session, campaign_year: int, *, actor: str, now: datetime) -> int:
    """Move every registered unit whose documents are complete to `submitted`; return how many."""
    registered = session.exec(  # ids first: an ORM row costs ~10x, and few of them move
        select(Participation.id)
        .where(Participation.campaign_year == campaign_year)
        .where(Participation.status == ParticipationStatus.REGISTERED)
    ).all()
    if not registered:
        return 0
    kinds, usable = fold_filings(
        session.exec(
            select(Submission.participation_id, Submission.kind, SCREENING_PROBLEMS)
            .where(Submission.campaign_year == campaign_year)
            .order_by(col(Submission.version))
        ).all()
    )
    complete = [
        pid
        for pid in registered
        if pid is not None and documents_complete(kinds.get(pid, set()), usable.get(pid, False))
    ]
    if not complete:
        return 0
    moving = [
        p
        for start in range(0, len(complete), ID_CHUNK)
        for p in session.exec(
            select(Participation)
            .where(col(Participation.id).in_(complete[start : start + ID_CHUNK]))
            .where(Participation.status == ParticipationStatus.REGISTERED)
        ).all()
    ]
    for p in moving:
        session.add(
            transition(
                p,
                ParticipationStatus.SUBMITTED,
                actor=actor,
                at=now,
                reason="基本信息表和社会责任报告均已提交",
            )
        )
    session.flush()
    return len(moving)


def progress_by_association(session: Session, campaign_year: int) -> list[dict[str, str | int]]:
    """Return, per association, how many of its units stand at each step of the submission."""
    links = session.exec(
        select(Association.code, Association.name, Participation.id, Participation.status)
        .join(Recommendation, col(Recommendation.association_id) == col(Association.id))
        .join(Participation, col(Participation.unit_id) == col(Recommendation.unit_id))
        .where(Recommendation.campaign_year == campaign_year)
        .where(Participation.campaign_year == campaign_year)
    ).all()
    kinds, usable = fold_filings(
        session.exec(
            select(Submission.participation_id, Submission.kind, SCREENING_PROBLEMS)
            .where(Submission.campaign_year == campaign_year)
            .order_by(col(Submission.version))
        ).all()
    )
    table: dict[str, dict[str, str | int]] = {}
    for code, name, member, status in links:
        if member is None:
            continue
        row = table.setdefault(
            code,
            {
                "association": code,
                "name": name,
                "units": 0,
                "receipt": 0,
                "basic_info": 0,
                "report_pdf": 0,
                "submitted": 0,
            },
        )
        filed = kinds.get(member, set())
        row["units"] = int(row["units"]) + 1
        row["receipt"] = int(row["receipt"]) + (SubmissionKind.RECEIPT in filed)
        row["basic_info"] = int(row["basic_info"]) + (SubmissionKind.BASIC_INFO in filed)
        row["report_pdf"] = int(row["report_pdf"]) + usable.get(member, False)
        row["submitted"] = int(row["submitted"]) + (
            ParticipationStatus(status) not in NOT_SUBMITTED
        )
    return [table[c] for c in sorted(table)]
