"""Who may file in a campaign: the units recommended this year and where they stand.

Shared by every intake of units' documents (receipts, forms, financials, report PDFs): a
document from a unit no association recommended, from a unit held over quota, from a closed
participation, or repeated in one batch is rejected with the same codes and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlmodel import Session, col, select

from schemas.enums import ParticipationStatus
from schemas.participation import FINAL
from schemas.tables import Participation, Recommendation, Unit


class Problem(NamedTuple):
    """Why a document may not be taken in: a stable code and the reasons in Chinese and English."""

    code: str
    reason_zh: str
    reason_en: str


class HeldOverQuota(KeyError):
    """A unit was asked for its participation, but its recommendation is held over quota."""

    def __init__(self, uscc: str) -> None:
        super().__init__(f"{uscc} has no participation (held over quota)")
        self.uscc = uscc


@dataclass(frozen=True)
class Enrolled:
    """What the database knows of a recommended unit."""

    participation_id: int | None  # None: recommended but held over quota
    status: ParticipationStatus | None


def load_enrolled(session: Session, campaign_year: int) -> dict[str, Enrolled]:
    """Return what is known of every recommended unit of a campaign, by USCC."""
    out: dict[str, Enrolled] = {}
    recommended = session.exec(
        select(Unit.uscc)
        .join(Recommendation, col(Recommendation.unit_id) == col(Unit.id))
        .where(Recommendation.campaign_year == campaign_year)
    ).all()
    for uscc in recommended:  # recommended but without a participation: held over quota
        out[uscc] = Enrolled(None, None)
    rows = session.exec(
        select(Unit.uscc, Participation.id, Participation.status)
        .join(Participation, col(Participation.unit_id) == col(Unit.id))
        .where(Participation.campaign_year == campaign_year)
    ).all()
    for uscc, pid, status in rows:
        out[uscc] = Enrolled(pid, ParticipationStatus(status))
    return out


def filing_problem(known: Enrolled | None) -> Problem | None:
    """Return why a unit may not file now, or None when it may."""
    if known is None:
        return Problem(
            "not-recommended",
            "该单位不在本年度行业协会推荐名单中",
            "no association recommended this unit this year",
        )
    if known.participation_id is None:
        return Problem(
            "recommendation-held",
            "推荐协会超出名额，该单位的推荐待运营人员审核",
            "the association's list is over quota and held for the operator",
        )
    if known.status in FINAL:
        return Problem(
            "participation-closed",
            f"该单位本年度参与已结束（{known.status}）",
            f"this unit's participation has ended ({known.status})",
        )
    return None


def repeated(what_zh: str, what_en: str, file: str, row: int) -> Problem:
    """Return the problem of a document repeated in one batch, pointing to the one kept."""
    return Problem(
        "duplicate-in-file",
        f"重复的{what_zh}，已按{file}第{row}行受理",
        f"{what_en} repeated; {file} row {row} was kept",
    )


def participation_of(enrolled: dict[str, Enrolled], uscc: str) -> int:
    """Return the participation id of a unit that passed `filing_problem`.

    Raises HeldOverQuota (a KeyError) for a unit recommended but held over quota.
    """
    pid = enrolled[uscc].participation_id
    if pid is None:
        raise HeldOverQuota(uscc)
    return pid
