"""What each certificate prints and whether it must be rendered: reads and a pure plan.

`certified_participations` reads every approved (or already released) participation with its
unit, the report title of its latest basic-information form and its approved commendations (no
contacts). `plan_certificates` gives each a number (kept from its Certificate row, else the next
sequence in USCC order), its printed values and fingerprint, and says whether it needs
rendering: unchanged means the same fingerprint and the recorded file present with the recorded
sha256. The issue date printed is the day of first issue; a re-render keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from notifications.contexts import campaign_context
from schemas.campaign_file import CampaignFile
from schemas.certificate_number import make_number, parse_number
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation
from schemas.tables import Participation, Submission, Unit
from tasks.release.certificates.fonts import FontChoice
from tasks.release.certificates.layout import CertificateData

CERTIFIED = (ParticipationStatus.APPROVED, ParticipationStatus.RELEASED)


@dataclass(frozen=True)
class Certified:
    """One approved participation as its certificate needs it (no contacts)."""

    participation_id: int
    uscc: str
    unit_name: str
    report_title: str
    commendations: tuple[str, ...]


@dataclass(frozen=True)
class Planned:
    """One certificate to keep or render: its values, fingerprint and existing row id."""

    participation_id: int
    data: CertificateData
    data_sha256: str
    stored_path: str
    certificate_id: int | None  # None: a new number
    render: bool


def report_title(form: dict[str, Any] | None, unit_name: str, report_year: int) -> str:
    """Return the report title of a basic-information form, else "<unit><year>年度社会责任报告"."""
    title = (form or {}).get("report_title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return f"{unit_name}{report_year}年度社会责任报告"


def certified_participations(
    session: Session, campaign_year: int, report_year: int
) -> list[Certified]:
    """Return every approved or released participation of a campaign, in USCC order."""
    rows = session.exec(
        select(Participation.id, Unit.uscc, Unit.name)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign_year)
        .where(col(Participation.status).in_(CERTIFIED))
    ).all()
    forms: dict[int, dict[str, Any] | None] = {}
    for pid, data in session.exec(
        select(Submission.participation_id, Submission.data)
        .where(Submission.campaign_year == campaign_year)
        .where(Submission.kind == SubmissionKind.BASIC_INFO)
        .order_by(col(Submission.participation_id), col(Submission.version))
    ).all():
        forms[pid] = dict(data) if data else None  # the latest version wins
    titles: dict[int, list[str]] = {}
    for pid, title in session.exec(
        select(Commendation.participation_id, Commendation.title)
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == CommendationStatus.APPROVED)
        .order_by(col(Commendation.kind), col(Commendation.category_key), col(Commendation.rank))
    ).all():
        if title not in titles.setdefault(pid, []):
            titles[pid].append(title)
    certified = [
        Certified(
            participation_id=pid,
            uscc=uscc,
            unit_name=name,
            report_title=report_title(forms.get(pid), name, report_year),
            commendations=tuple(titles.get(pid, ())),
        )
        for pid, uscc, name in rows
        if pid is not None
    ]
    return sorted(certified, key=lambda c: c.uscc)


def plan_certificates(
    campaign: CampaignFile,
    certified: Sequence[Certified],
    existing: Sequence[Certificate],
    as_of: date,
    font: FontChoice,
    file_sha256: dict[str, str],
) -> list[Planned]:
    """Return the plan for every certified participation, in USCC order. Pure.

    `file_sha256` maps a stored path to the sha256 of the file now there (absent: no file).
    """
    info = campaign_context(campaign)
    year = info.year
    by_participation = {c.participation_id: c for c in existing}
    sequences = [parse_number(c.number) for c in existing]
    next_sequence = max((s[1] for s in sequences if s is not None), default=0) + 1
    plans = []
    for unit in certified:
        row = by_participation.get(unit.participation_id)
        if row is None:
            number, issued_on = make_number(year, next_sequence), as_of
            next_sequence += 1
        else:
            number, issued_on = row.number, row.issued_on
        data = CertificateData(
            number=number,
            campaign_title=info.title,
            theme=info.theme,
            unit_name=unit.unit_name,
            report_title=unit.report_title,
            report_year=info.report_year,
            commendations=unit.commendations,
            organisers=info.organisers,
            issued_on=issued_on,
        )
        fingerprint = data.fingerprint(font.fingerprint)
        stored_path = f"release/{year}/certificates/{number}.pdf"
        unchanged = (
            row is not None
            and row.data_sha256 == fingerprint
            and row.stored_path == stored_path
            and file_sha256.get(stored_path) == row.sha256
        )
        plans.append(
            Planned(
                unit.participation_id,
                data,
                fingerprint,
                stored_path,
                None if row is None else row.id,
                render=not unchanged,
            )
        )
    return plans
