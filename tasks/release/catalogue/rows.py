"""Read what the public catalogue may show of a campaign's released (or approved) units.

`load_catalogue_rows` runs one query per table whatever the number of units: the listed
participations with their unit's public fields (never its contacts), the recommending
associations' names, the latest report PDF and basic-information form, the grade of the decided
review (the version the unit was told, never the live outcome), approved commendations, the
excerpts chosen for their cases and the newest certificate issued by `as_of`. Read-only; the
rows become catalogue entries in tasks/release/catalogue/entries.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from schemas.catalogue import CatalogueCommendation
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation
from schemas.tables import Association, Participation, Recommendation, Submission, Unit
from tasks.common.decided_outcomes import decided_outcomes
from tasks.release.catalogue.excerpts import StoredExcerpt, chosen_excerpts

__all__ = [
    "LISTED",
    "CatalogueRows",
    "ListedUnit",
    "ReportFile",
    "listed_names",
    "listed_years",
    "load_catalogue_rows",
]

# Released units are listed; approved ones too (the release flow moves approved -> released).
LISTED: tuple[ParticipationStatus, ...] = (
    ParticipationStatus.APPROVED,
    ParticipationStatus.RELEASED,
)
COMMENDED = CommendationStatus.APPROVED


@dataclass(frozen=True)
class ListedUnit:
    """A listed participation and its unit's public fields (no contacts)."""

    participation_id: int
    uscc: str
    name: str
    industry: str
    district: str
    ownership: str


@dataclass(frozen=True)
class ReportFile:
    """The latest report PDF a unit filed: where it is stored, its size, its pre-screen."""

    stored_path: str  # relative to the workspace
    size: int
    screening: dict[str, Any] | None
    sha256: str = ""
    submission_id: int | None = None  # the version's row: its stored page texts (report_page)


@dataclass
class CatalogueRows:
    """Everything the catalogue shows about a campaign's listed units, keyed by participation."""

    units: list[ListedUnit] = field(default_factory=list)
    associations: dict[int, list[str]] = field(default_factory=dict)
    reports: dict[int, ReportFile] = field(default_factory=dict)
    basic_info: dict[int, dict[str, Any]] = field(default_factory=dict)
    grades: dict[int, str] = field(default_factory=dict)
    commendations: dict[int, list[CatalogueCommendation]] = field(default_factory=dict)
    certificates: dict[int, str] = field(default_factory=dict)
    excerpts: dict[tuple[int, str], StoredExcerpt] = field(default_factory=dict)  # of cases


def _listed(campaign_year: int) -> Any:
    """Return the condition on Participation of the campaign's listed units."""
    return (col(Participation.campaign_year) == campaign_year) & col(Participation.status).in_(
        LISTED
    )


def _listed_units(session: Session, listed: Any) -> list[ListedUnit]:
    """Return the listed participations with their unit's public fields, by participation."""
    units: list[ListedUnit] = []
    for pid, unit in session.exec(
        select(Participation.id, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(listed)
        .order_by(col(Participation.id))
    ).all():
        assert pid is not None
        units.append(
            ListedUnit(pid, unit.uscc, unit.name, unit.industry, unit.district, unit.ownership)
        )
    return units


def _association_names(session: Session, listed: Any, campaign_year: int) -> dict[int, list[str]]:
    """Return the names of the associations that recommended each listed unit (not held)."""
    names: dict[int, list[str]] = defaultdict(list)
    for pid, association in session.exec(
        select(Participation.id, Association.name)
        .join(Recommendation, col(Recommendation.unit_id) == col(Participation.unit_id))
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(listed, col(Recommendation.campaign_year) == campaign_year)
        .where(col(Recommendation.held).is_(False))
        .order_by(col(Participation.id), col(Recommendation.id))
    ).all():
        assert pid is not None
        if association not in names[pid]:
            names[pid].append(association)
    return dict(names)


def _read_filings(session: Session, listed: Any, rows: CatalogueRows) -> None:
    """Put each listed unit's latest report PDF and basic-information form into `rows`."""
    for filing in session.exec(
        select(Submission)
        .join(Participation, col(Participation.id) == col(Submission.participation_id))
        .where(listed)
        .where(col(Submission.kind).in_([SubmissionKind.REPORT_PDF, SubmissionKind.BASIC_INFO]))
        .order_by(col(Submission.participation_id), col(Submission.version))
    ).all():  # later versions overwrite earlier ones
        pid = filing.participation_id
        if filing.kind == SubmissionKind.REPORT_PDF:
            rows.reports[pid] = ReportFile(
                filing.stored_path, filing.size, filing.screening, filing.sha256, filing.id
            )
        elif isinstance(filing.data, dict):
            rows.basic_info[pid] = filing.data


def _grades(session: Session, campaign_year: int, units: Sequence[ListedUnit]) -> dict[int, str]:
    """Return each listed unit's grade as its review was decided (the version it was told),
    never the live outcome, which late sheets may still move."""
    decided = decided_outcomes(session, campaign_year)
    return {
        u.participation_id: decided[u.participation_id].grade
        for u in units
        if u.participation_id in decided
    }


def _awards(session: Session, listed: Any) -> dict[int, list[CatalogueCommendation]]:
    """Return each listed unit's approved commendations, in the order they were made."""
    awards: dict[int, list[CatalogueCommendation]] = defaultdict(list)
    for c in session.exec(
        select(Commendation)
        .join(Participation, col(Participation.id) == col(Commendation.participation_id))
        .where(listed, col(Commendation.status) == COMMENDED)
        .order_by(col(Commendation.participation_id), col(Commendation.id))
    ).all():
        awards[c.participation_id].append(
            CatalogueCommendation(
                kind=c.kind,
                title=c.title,
                case_title=c.case_title,
                rank=c.rank,
                category_key=c.category_key,
            )
        )
    return dict(awards)


def _certificates(session: Session, listed: Any, as_of: date) -> dict[int, str]:
    """Return the number of each listed unit's newest certificate issued by `as_of`."""
    return dict(
        session.exec(
            select(Certificate.participation_id, Certificate.number)
            .join(Participation, col(Participation.id) == col(Certificate.participation_id))
            .where(listed, col(Certificate.issued_on) <= as_of)
            .order_by(col(Certificate.participation_id), col(Certificate.version))
        ).all()
    )  # ordered: a participation's newest version overwrites its earlier ones


def load_catalogue_rows(session: Session, campaign_year: int, as_of: date) -> CatalogueRows:
    """Read the listed units of a campaign and what the catalogue shows of them; read-only.

    Seven queries whatever the number of units. Only the latest version of each filing, the
    decided review (tasks/common/decided_outcomes.py) and the newest certificate issue count;
    certificates issued after `as_of` are not shown yet.
    """
    listed = _listed(campaign_year)
    rows = CatalogueRows(units=_listed_units(session, listed))
    rows.associations = _association_names(session, listed, campaign_year)
    _read_filings(session, listed, rows)
    rows.grades = _grades(session, campaign_year, rows.units)
    rows.commendations = _awards(session, listed)
    rows.certificates = _certificates(session, listed, as_of)
    rows.excerpts = chosen_excerpts(session, listed)
    return rows


def listed_names(rows: CatalogueRows, ids: Sequence[int]) -> list[str]:
    """Return the unit names of these participations, in the order given."""
    by_id = {u.participation_id: u.name for u in rows.units}
    return [by_id[i] for i in ids if i in by_id]


def listed_years(session: Session) -> list[int]:
    """Return the campaign years that have released (or approved) units, oldest first."""
    return sorted(
        session.exec(
            select(Participation.campaign_year)
            .where(col(Participation.status).in_(LISTED))
            .distinct()
        ).all()
    )
