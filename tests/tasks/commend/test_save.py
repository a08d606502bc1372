"""Saving the proposal: inserted, unchanged, updated, withdrawn and meeting-decided rows."""

from __future__ import annotations

from datetime import date

from commendkit import seed_commend_units
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.release_tables import Commendation
from tasks.commend.save import SaveCounts, save_proposal
from tasks.commend.select import CommendationKind, Selection
from tasks.store import session_scope

FIRST, SECOND = date(2024, 12, 16), date(2024, 12, 17)


def _excellent(pid: int, rank: int, reasons: list[str]) -> Selection:
    return Selection(
        participation_id=pid,
        kind=CommendationKind.EXCELLENT_UNIT,
        title="优秀社会责任报告发布单位",
        rank=rank,
        reasons=reasons,
    )


def test_save_proposal_replaces_proposed_rows_and_keeps_decided_ones(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_commend_units(session, campaign_2024)
        first = save_proposal(
            session,
            2024,
            [
                _excellent(ids[1], 1, ["a"]),
                _excellent(ids[2], 2, ["b"]),
                _excellent(ids[3], 3, []),
                _excellent(ids[4], 4, ["d"]),
            ],
            FIRST,
        )
        decided = session.exec(
            select(Commendation).where(Commendation.participation_id == ids[3])
        ).one()
        decided.status = "approved"
    with session_scope(engine) as session:
        second = save_proposal(
            session,
            2024,
            [
                _excellent(ids[1], 1, ["a"]),
                _excellent(ids[3], 2, []),
                _excellent(ids[4], 3, ["d", "moved up"]),
                _excellent(ids[5], 4, ["c"]),
            ],
            SECOND,
        )
    with Session(engine) as session:
        rows = session.exec(select(Commendation).order_by(col(Commendation.id))).all()
        stored = [(r.participation_id, r.rank, r.status, r.proposed_on) for r in rows]

    assert first == SaveCounts(inserted=4)
    assert second == SaveCounts(inserted=1, updated=1, deleted=1, unchanged=1, kept=1)
    assert stored == [
        (ids[1], 1, "proposed", FIRST),
        (ids[3], 3, "approved", FIRST),
        (ids[4], 3, "proposed", SECOND),
        (ids[5], 4, "proposed", SECOND),
    ]
