"""What each certificate prints and what an issuing run must do with it: reads and a pure plan.

`certified_participations` reads every approved (or already released) participation with its
unit, the report title of its latest basic-information form and its approved commendations (no
contacts). `current_issues` reads each participation's newest certificate issue and
`next_sequence` the campaign's next free number. `plan_certificates` says, per participation,
what a run does (`Action`): issue a first certificate (version 1, the next number, dated
`as_of`); keep an unchanged one; restore the current issue's file when it is gone or altered
(the same printed values render to the same bytes); or, when the printed values changed (a
corrected unit name, a new commendation, a new layout or font), issue a new version under a NEW
number dated `as_of`, which supersedes the earlier issue without changing it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, func, select

from notifications.contexts import CampaignContext, campaign_context
from schemas.campaign_file import CampaignFile
from schemas.certificate_number import make_number, parse_number
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation
from schemas.tables import Participation, Submission, Unit
from tasks.common.fonts import FontChoice
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


class Action(StrEnum):
    """What an issuing run does with one certified participation."""

    ISSUE = "issue"  # no certificate yet: version 1 under the next number
    REISSUE = "reissue"  # the printed values changed: a new version under the next number
    RESTORE = "restore"  # unchanged, but the current issue's file is gone or altered
    UNCHANGED = "unchanged"  # unchanged and its file intact: nothing to do


NEW_ISSUES = (Action.ISSUE, Action.REISSUE)


@dataclass(frozen=True)
class Planned:
    """One certificate to keep, restore or issue: its values, fingerprint, version and why."""

    participation_id: int
    data: CertificateData
    data_sha256: str
    stored_path: str
    action: Action
    version: int  # of the issue this plan keeps, restores or adds
    replaces: str = ""  # a re-issue: the number of the issue it supersedes
    reason: str = ""  # recorded on a new issue
    expected_sha256: str = ""  # a restore: the sha256 recorded for the file

    @property
    def render(self) -> bool:
        """Return whether the run renders this certificate (every action but UNCHANGED)."""
        return self.action is not Action.UNCHANGED


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


def issue_history(
    session: Session, campaign_year: int, participation_ids: Collection[int] | None = None
) -> dict[int, list[Certificate]]:
    """Return every participation's certificate issues, oldest version first; reads only."""
    query = (
        select(Certificate)
        .where(Certificate.campaign_year == campaign_year)
        .order_by(col(Certificate.participation_id), col(Certificate.version))
    )
    if participation_ids is not None:
        query = query.where(col(Certificate.participation_id).in_(list(participation_ids)))
    history: dict[int, list[Certificate]] = {}
    for row in session.exec(query).all():
        history.setdefault(row.participation_id, []).append(row)
    return history


def current_issues(
    session: Session, campaign_year: int, participation_ids: Collection[int] | None = None
) -> dict[int, Certificate]:
    """Return each participation's newest certificate issue (highest version); reads only."""
    history = issue_history(session, campaign_year, participation_ids)
    return {pid: rows[-1] for pid, rows in history.items()}


def next_sequence(session: Session, campaign_year: int) -> int:
    """Return the campaign's next free certificate sequence (1 for the first); reads only.

    Numbers have a fixed width, so the greatest number is the greatest sequence.
    """
    top = session.exec(
        select(func.max(Certificate.number)).where(Certificate.campaign_year == campaign_year)
    ).one()
    parsed = parse_number(top) if top else None
    return parsed[1] + 1 if parsed is not None else 1


def reissue_reason(replaces: str) -> str:
    """Return the reason recorded on a re-issue (Chinese first)."""
    return f"证书内容变更，重新签发，替换{replaces} / printed content changed, replaces {replaces}"


def plan_certificates(
    campaign: CampaignFile,
    certified: Sequence[Certified],
    existing: Sequence[Certificate],
    as_of: date,
    font: FontChoice,
    file_sha256: dict[str, str],
    first_sequence: int | None = None,
) -> list[Planned]:
    """Return the plan for every certified participation, in USCC order. Pure.

    `existing` holds each participation's current issue (`current_issues`); `file_sha256` maps a
    stored path to the sha256 of the file now there (absent: no file). New numbers are given in
    order from `first_sequence` (default: after the greatest number in `existing`).
    """
    info = campaign_context(campaign)
    verify_url = campaign.campaign.certificate_verify_url
    by_participation = {c.participation_id: c for c in existing}
    if first_sequence is None:
        sequences = [parse_number(c.number) for c in existing]
        first_sequence = max((s[1] for s in sequences if s is not None), default=0) + 1
    sequence = first_sequence
    plans = []
    for unit in certified:
        row = by_participation.get(unit.participation_id)
        plan = _plan_one(info, unit, row, font, verify_url)
        if plan is None:  # a new issue: the next number, dated as_of
            plan = _new_issue(info, unit, row, (as_of, sequence), font, verify_url)
            sequence += 1
        elif file_sha256.get(plan.stored_path) != plan.expected_sha256:
            plan = replace(plan, action=Action.RESTORE)
        plans.append(plan)
    return plans


def _printed(
    info: CampaignContext, unit: Certified, number: str, issued_on: date, verify_url: str
) -> CertificateData:
    """Return the values a certificate of `unit` prints under `number` and `issued_on`."""
    return CertificateData(
        number=number,
        campaign_title=info.title,
        theme=info.theme,
        unit_name=unit.unit_name,
        report_title=unit.report_title,
        report_year=info.report_year,
        commendations=unit.commendations,
        organisers=info.organisers,
        issued_on=issued_on,
        verify_url=verify_url,
    )


def _plan_one(
    info: CampaignContext,
    unit: Certified,
    row: Certificate | None,
    font: FontChoice,
    verify_url: str,
) -> Planned | None:
    """Return the plan keeping `row` when its printed values are unchanged, else None."""
    if row is None:
        return None
    data = _printed(info, unit, row.number, row.issued_on, verify_url)
    fingerprint = data.fingerprint(font.fingerprint)
    if fingerprint != row.data_sha256:
        return None
    return Planned(
        unit.participation_id,
        data,
        fingerprint,
        row.stored_path,
        Action.UNCHANGED,
        row.version,
        expected_sha256=row.sha256,
    )


def _new_issue(
    info: CampaignContext,
    unit: Certified,
    row: Certificate | None,
    dated: tuple[date, int],
    font: FontChoice,
    verify_url: str,
) -> Planned:
    """Return the plan of a first issue (no `row`) or of a re-issue superseding `row`.

    `dated` is the issue date and the sequence of the new number.
    """
    as_of, sequence = dated
    data = _printed(info, unit, make_number(info.year, sequence), as_of, verify_url)
    return Planned(
        unit.participation_id,
        data,
        data.fingerprint(font.fingerprint),
        f"release/{info.year}/certificates/{data.number}.pdf",
        Action.ISSUE if row is None else Action.REISSUE,
        1 if row is None else row.version + 1,
        replaces="" if row is None else row.number,
        reason="首次签发 / first issue" if row is None else reissue_reason(row.number),
    )
