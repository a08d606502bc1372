"""Where each taking-part unit stands: what it has filed and what it still owes, in words too.

`owed_steps` is the rule (a deadline's steps not yet filed; a report PDF counts only when its
latest version is usable); `UnitStanding.owes` adds who may still owe anything at all (units
that are recommended or registered). `load_standings` reads the campaign's open participations,
their submissions and their recommending associations, one query per table. Read-only: this
module sends no mail and moves no status (tasks/remind/reminders.py and tasks/digests.py use it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind as K
from schemas.participation import FINAL
from schemas.tables import Association, Participation, Recommendation, Submission, Unit
from tasks.common.progress import SCREENING_PROBLEMS, fold_filings
from tasks.store import fetch_columns

# Rows as read: participation id, status, unit id, unit name, contact name, email ...
OpenParticipation = sa.Row[int | None, S, int | None, str, str, str]
# ... and unit id, association code, name, contact name, email.
RecommendingAssociation = sa.Row[int, str, str, str, str]

# Statuses in which a deadline's steps still make sense; a `submitted` unit owes nothing.
OWING: frozenset[S] = frozenset({S.RECOMMENDED, S.REGISTERED})

STEP_WORDS: dict[K, str] = {
    K.RECEIPT: "发布回执表",
    K.BASIC_INFO: "基本信息统计表",
    K.FINANCIALS: "近三年财务报表",
    K.REPORT_PDF: "社会责任报告（PDF版本）",
}

STATUS_WORDS: dict[S, str] = {
    S.RECOMMENDED: "已推荐",
    S.REGISTERED: "已报名",
    S.SUBMITTED: "已提交",
    S.IN_REVIEW: "评审中",
    S.REVISION_REQUESTED: "待修改",
    S.REVISED: "已修改",
    S.REVIEW_PASSED: "评审通过",
    S.REJECTED: "评审未通过",
    S.APPROVED: "已审定",
    S.REMOVED: "未入选",
    S.RELEASED: "已发布",
    S.LAPSED: "逾期未报",
    S.WITHDRAWN: "已退出",
}


def owed_steps(steps: Sequence[K], filed: Set[K], report_usable: bool) -> list[K]:
    """Return the steps not yet filed, in the deadline's order. Pure.

    receipt, basic_info, financials: filed when a submission of that kind exists; report_pdf:
    filed when the latest report PDF is usable (its pre-screen found no error).
    """
    return [s for s in steps if not (report_usable if s == K.REPORT_PDF else s in filed)]


def step_words(steps: Iterable[K]) -> tuple[str, ...]:
    """Return the steps in Chinese words, in the order given."""
    return tuple(STEP_WORDS[s] for s in steps)


@dataclass(frozen=True)
class AssociationContact:
    """An association as its digest needs it (code, name, contact)."""

    code: str
    name: str
    contact_name: str
    email: str


@dataclass(frozen=True)
class UnitStanding:
    """One open participation: the unit, its contact, its status, what it has filed."""

    participation_id: int
    unit_name: str
    contact_name: str
    email: str
    status: S
    filed: frozenset[K]
    report_usable: bool
    associations: tuple[str, ...]  # codes of the recommending associations, first first

    def owes(self, steps: Sequence[K]) -> list[K]:
        """Return the steps of a deadline this unit still owes (none unless it may owe)."""
        if self.status not in OWING:
            return []
        return owed_steps(steps, self.filed, self.report_usable)


@dataclass(frozen=True)
class Standings:
    """Every open participation of a campaign and the associations that recommended them."""

    units: tuple[UnitStanding, ...]
    associations: dict[str, AssociationContact]


def load_standings(session: Session, campaign_year: int) -> Standings:
    """Read the campaign's open (not final) participations with filings and associations.

    Three queries whatever the number of units: participations with their units, the
    campaign's submissions, and its (not held) recommendations with their associations.
    """
    people = _open_participations(session, campaign_year)
    filings = session.exec(
        select(Submission.participation_id, Submission.kind, SCREENING_PROBLEMS)
        .where(Submission.campaign_year == campaign_year)
        .order_by(col(Submission.participation_id), col(Submission.version))
    ).all()
    links = _recommending_associations(session, campaign_year)
    filed, usable = fold_filings(filings)
    codes_of: dict[int, list[str]] = {}
    associations: dict[str, AssociationContact] = {}
    for unit_id, code, name, contact_name, email in links:
        codes_of.setdefault(unit_id, []).append(code)
        associations[code] = AssociationContact(
            code=code, name=name, contact_name=contact_name, email=email
        )
    units = tuple(
        UnitStanding(
            participation_id=pid,
            unit_name=unit_name,
            contact_name=contact_name,
            email=email,
            status=S(status),
            filed=frozenset(filed.get(pid, set())),
            report_usable=usable.get(pid, False),
            associations=tuple(codes_of.get(unit_id or 0, [])),
        )
        for pid, status, unit_id, unit_name, contact_name, email in people
        if pid is not None
    )
    return Standings(units=units, associations=associations)


def _open_participations(session: Session, campaign_year: int) -> Sequence[OpenParticipation]:
    """Return (participation id, status, unit id, name, contact, email) of open participations."""
    return fetch_columns(
        session,
        sa.select(
            col(Participation.id),
            col(Participation.status),
            col(Unit.id),
            col(Unit.name),
            col(Unit.contact_name),
            col(Unit.email),
        )
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(col(Participation.campaign_year) == campaign_year)
        .where(col(Participation.status).not_in(FINAL))
        .order_by(col(Participation.id)),
    )


def _recommending_associations(
    session: Session, campaign_year: int
) -> Sequence[RecommendingAssociation]:
    """Return (unit id, association code, name, contact, email) per recommendation not held."""
    return fetch_columns(
        session,
        sa.select(
            col(Recommendation.unit_id),
            col(Association.code),
            col(Association.name),
            col(Association.contact_name),
            col(Association.email),
        )
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(col(Recommendation.campaign_year) == campaign_year)
        .where(col(Recommendation.held).is_(False))
        .order_by(col(Recommendation.id)),
    )
