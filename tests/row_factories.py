"""Builders of database rows for tests: associations, units with their participation and filings,
the reminder stage's six standings.

Rows are added to a given session and flushed, never committed. Input files (USCCs, xlsx and CSV
rows, campaign folders) are built by tests/factories.py, which also re-exports these builders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from schemas.enums import ParticipationStatus, SubmissionKind, UnitKind
from schemas.tables import Association, Participation, Recommendation, Submission, Unit


def add_association(session: Session, code: str, email: str | None = None) -> Association:
    """Add an association row (contact 王测试, address from its code unless given); flush."""
    row = Association(
        code=code,
        name=f"上海市测试行业协会{code}",
        contact_name="王测试",
        email=f"{code.lower()}@assoc.example.org" if email is None else email,
    )
    session.add(row)
    session.flush()
    return row


def add_participation(
    session: Session,
    n: int,
    associations: Sequence[Association],
    status: ParticipationStatus = ParticipationStatus.RECOMMENDED,
    filed: Sequence[SubmissionKind] = (),
    reports: Sequence[dict[str, Any] | None] = (),
    email: str | None = None,
    year: int = 2024,
) -> int:
    """Add unit n, its recommendations, a participation and its filings; return its id.

    `filed` adds one submission per kind (a report_pdf among them is given a clean screening);
    `reports` adds report PDF versions 1, 2, ... with these screening results.
    """
    from factories import make_uscc  # here, not at the top: factories imports this module

    unit = Unit(
        uscc=make_uscc(n),
        name=f"上海测试{n:04d}科技有限公司",
        kind=UnitKind.ENTERPRISE,
        contact_name="李测试",
        email=f"contact{n}@unit{n}.example.com" if email is None else email,
    )
    session.add(unit)
    session.flush()
    assert unit.id is not None
    for i, assoc in enumerate(associations):
        assert assoc.id is not None
        session.add(
            Recommendation(
                campaign_year=year,
                association_id=assoc.id,
                unit_id=unit.id,
                stated_name=unit.name,
                source_file=f"{assoc.code}.xlsx",
                source_row=n + 1,
                position=i + 1,
                recommended_on=date(year, 10, 10),
            )
        )
    at = datetime(year, 10, 10, 2, 0, tzinfo=UTC)
    part = Participation(
        campaign_year=year,
        unit_id=unit.id,
        status=status,
        status_changed_at=at,
        created_on=at.date(),
    )
    session.add(part)
    session.flush()
    assert part.id is not None
    versions: list[tuple[SubmissionKind, int, dict[str, Any] | None]] = [
        (k, 1, {"problems": []} if k == SubmissionKind.REPORT_PDF else None) for k in filed
    ]
    versions += [(SubmissionKind.REPORT_PDF, v, s) for v, s in enumerate(reports, start=1)]
    for kind, version, screening in versions:
        session.add(
            Submission(
                campaign_year=year,
                participation_id=part.id,
                kind=kind,
                version=version,
                stored_path=f"archive/{year}/{kind.value}/{n}-{version}",
                sha256=f"{n:032x}{version:032x}",
                size=100,
                received_on=at.date(),
                received_at=at,
                screening=screening,
            )
        )
    session.flush()
    return part.id


def unit_standing(
    n: int,
    status: ParticipationStatus = ParticipationStatus.RECOMMENDED,
    filed: frozenset[SubmissionKind] = frozenset(),
    report_usable: bool = False,
) -> Any:
    """Return the standing of unit n (participation id n, recommended by A001) as plain values."""
    from tasks.common.standings import UnitStanding

    return UnitStanding(
        participation_id=n,
        unit_name=f"上海测试{n:04d}科技有限公司",
        contact_name="李测试",
        email=f"contact{n}@unit{n}.example.com",
        status=status,
        filed=filed,
        report_usable=report_usable,
        associations=("A001",),
    )


def seed_reminder_units(session: Session, campaign: Any) -> dict[int, int]:
    """Add the campaign row and units 1-6 in six standings; return participation ids by unit.

    A001 (valid address) recommends 1, 2, 3, 5 and 6; A002 (no address) recommends 4 and 1.
    1 recommended, nothing filed; 2 registered with a receipt; 3 registered with receipt and
    form (owes only the report); 4 submitted; 5 recommended with a broken address; 6 withdrawn.
    """
    from schemas.sqltypes import now_utc
    from tasks.common.campaigns import ensure_campaign

    S, K = ParticipationStatus, SubmissionKind
    ensure_campaign(session, campaign, now_utc())
    a1 = add_association(session, "A001")
    a2 = add_association(session, "A002", email="")
    return {
        1: add_participation(session, 1, [a1, a2]),
        2: add_participation(session, 2, [a1], S.REGISTERED, [K.RECEIPT]),
        3: add_participation(session, 3, [a1], S.REGISTERED, [K.RECEIPT, K.BASIC_INFO]),
        4: add_participation(
            session, 4, [a2], S.SUBMITTED, [K.RECEIPT, K.BASIC_INFO, K.REPORT_PDF]
        ),
        5: add_participation(session, 5, [a1], email="not-an-address"),
        6: add_participation(session, 6, [a1], S.WITHDRAWN),
    }
