"""Database rows and helpers for the release certificates' tests.

`seed_certified` builds, on the real 2024 campaign file: unit 1 approved (two basic-information
versions, an approved commendation), unit 2 released, unit 3 approved (a removed commendation,
no form), unit 4 in review, unit 5 removed. `rename_unit` is the name correction that makes a
certificate's printed values change.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from factories import add_association, add_participation, make_uscc
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation
from schemas.sqltypes import now_utc
from schemas.tables import Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.store import session_scope

P = ParticipationStatus
AT = datetime(2024, 12, 20, 2, 0, tzinfo=UTC)
FORM_TITLE = "上海测试0001科技有限公司2023可持续发展报告"


def seed_certified(engine: Engine, campaign: CampaignFile) -> dict[int, int]:
    """Seed units 1-5 (see the module) and return participation ids by unit number."""
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        a1 = add_association(session, "A001")
        ids = {
            1: add_participation(session, 1, [a1], P.APPROVED),
            2: add_participation(session, 2, [a1], P.RELEASED),
            3: add_participation(session, 3, [a1], P.APPROVED),
            4: add_participation(session, 4, [a1], P.IN_REVIEW),
            5: add_participation(session, 5, [a1], P.REMOVED),
        }
        for version, title in ((1, "旧标题"), (2, FORM_TITLE)):
            session.add(
                Submission(
                    campaign_year=2024,
                    participation_id=ids[1],
                    kind=SubmissionKind.BASIC_INFO,
                    version=version,
                    stored_path=f"archive/2024/basic_info/1-{version}",
                    sha256=f"{version:064x}",
                    size=10,
                    received_on=AT.date(),
                    received_at=AT,
                    data={"report_title": title, "employees": 10},
                )
            )
        for pid, status, title in (
            (ids[1], "approved", "社会责任报告优秀企业"),
            (ids[3], "removed", "提名未通过的表彰"),
        ):
            session.add(
                Commendation(
                    campaign_year=2024,
                    participation_id=pid,
                    kind="excellent_unit",
                    title=title,
                    rank=1,
                    proposed_on=AT.date(),
                    status=status,
                )
            )
    return ids


def rename_unit(engine: Engine, n: int, name: str) -> None:
    """Correct the name of unit `n` (a change its certificate prints)."""
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.uscc == make_uscc(n))).one()
        unit.name = name
        session.add(unit)


def issues(engine: Engine) -> list[Certificate]:
    """Return every certificate issue, by participation and version."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Certificate).order_by(
                    col(Certificate.participation_id), col(Certificate.version)
                )
            )
        )


def current(engine: Engine) -> dict[int, Certificate]:
    """Return each participation's newest issue."""
    return {c.participation_id: c for c in issues(engine)}


def pdf_text(path: Path) -> str:
    """Return the text of a PDF's first page."""
    return str(PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text())
