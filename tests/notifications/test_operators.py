"""An operator confirms an ambiguous row as sent: only from ambiguous, who and why recorded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from mailkit import T0, factory, queue
from sqlalchemy.engine import Engine
from sqlmodel import select

from notifications.claims import claim
from notifications.operators import OutboxMoveRefused, confirm_sent
from notifications.records import Failure, mark_ambiguous, mark_failed
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from tasks.store import session_scope

LEASE = timedelta(minutes=5)


def _rows(engine: Engine) -> dict[int, OutboxMessage]:
    with session_scope(engine) as session:
        return {r.id or 0: r for r in session.exec(select(OutboxMessage))}


def _ambiguous_and_failed(
    engine: Engine, campaign: CampaignFile, workspace: Path
) -> tuple[int, int, int]:
    """Queue three rows: one ambiguous (lost after the data), one failed, one queued."""
    ids = [e.id for e in queue(engine, campaign, workspace, 3)]
    claim(factory(engine), "w1", batch=2, lease=LEASE, now=T0)
    with session_scope(engine) as session:
        mark_failed(session, "w1", [Failure(ids[1], "554 no", "554 no")], now=T0)
        mark_ambiguous(session, "w1", [ids[0]], reason="connection lost after the data", now=T0)
    return ids[0], ids[1], ids[2]


def test_confirm_records_an_ambiguous_row_as_sent_with_who_why_and_when(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    ambiguous, _, _ = _ambiguous_and_failed(engine, campaign_2024, workspace)
    at = T0 + timedelta(hours=2)

    with session_scope(engine) as session:
        done = confirm_sent(
            session, [ambiguous], who="王芳 (cli:wang)", why="in the server log", now=at
        )

    row = _rows(engine)[ambiguous]
    assert done == [ambiguous]
    assert (row.status, row.sent_at, row.last_error, row.claimed_by, row.lease_until) == (
        OutboxStatus.SENT,
        at,
        None,
        None,
        None,
    )
    assert row.operator_note is not None
    assert row.operator_note.splitlines()[-1] == (
        f"{at.isoformat(timespec='seconds')} 王芳 (cli:wang): confirmed sent (was ambiguous, "
        "1 attempts, last error: ambiguous: connection lost after the data): in the server log"
    )


def test_confirm_refuses_rows_that_are_not_ambiguous_and_changes_nothing(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    ambiguous, failed, queued = _ambiguous_and_failed(engine, campaign_2024, workspace)
    before = {i: r.status for i, r in _rows(engine).items()}

    with (
        pytest.raises(
            OutboxMoveRefused,
            match=rf"cannot confirm: #{failed}: status is failed, #{queued}: status is queued",
        ),
        session_scope(engine) as session,
    ):
        confirm_sent(session, [ambiguous, failed, queued], who="王芳", why="seen", now=T0)
    with (
        pytest.raises(OutboxMoveRefused, match="who and why are required"),
        session_scope(engine) as session,
    ):
        confirm_sent(session, [ambiguous], who="王芳", why="  ", now=T0)

    assert {i: r.status for i, r in _rows(engine).items()} == before
    assert before[ambiguous] == OutboxStatus.AMBIGUOUS
