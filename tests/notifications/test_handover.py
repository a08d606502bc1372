"""Rows are marked handed over before they are sent, several connections' rows in one go.

Against a real SQLite database (a trigger injects the refusal).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from mailkit import factory, queue
from sqlalchemy.engine import Engine
from sqlmodel import Session

from notifications.claims import OUTBOX, claim
from notifications.handover import HandOvers
from schemas.campaign_file import CampaignFile
from tasks.store import session_scope

T0 = datetime(2024, 11, 11, 1, 0, tzinfo=UTC)

REFUSE_HAND_OVER = """
CREATE TRIGGER refuse_hand_over BEFORE UPDATE OF handed_at ON outbox_message
BEGIN SELECT RAISE(ABORT, 'hand-over refused by the test'); END
"""


def _counting(engine: Engine, opened: list[int]) -> Callable[[], AbstractContextManager[Session]]:
    """A session factory that counts the transactions it opens."""

    def open_session() -> AbstractContextManager[Session]:
        opened.append(1)
        return session_scope(engine)

    return open_session


def test_hand_overs_asked_for_together_are_one_transaction_and_each_gets_its_own_rows(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 7)
    ids = [m.id for m in claim(factory(engine), "w1", batch=7, lease=timedelta(minutes=5), now=T0)]
    opened: list[int] = []
    hand_overs = HandOvers(_counting(engine, opened), "w1", lambda: T0)

    async def three_workers() -> list[list[int]]:
        return list(
            await asyncio.gather(
                hand_overs.mark(ids[0:3]),
                hand_overs.mark(ids[3:5]),
                hand_overs.mark([ids[5], 10_000]),  # not a row of this worker's
            )
        )

    results = asyncio.run(three_workers())

    assert results == [ids[0:3], ids[3:5], [ids[5]]]
    assert len(opened) == 1  # one transaction for the three
    with session_scope(engine) as session:
        handed = dict(session.execute(sa.select(OUTBOX.c.id, OUTBOX.c.handed_at)).all())
    assert [handed[i] for i in ids] == [T0] * 6 + [None]


def test_a_refused_hand_over_reaches_every_waiting_worker(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the injected fault is a SQLite trigger")
    queue(engine, campaign_2024, workspace, 2)
    a, b = (m.id for m in claim(factory(engine), "w1", batch=2, lease=timedelta(minutes=5), now=T0))
    with engine.begin() as connection:
        connection.execute(sa.text(REFUSE_HAND_OVER))
    hand_overs = HandOvers(factory(engine), "w1", lambda: T0)

    async def two_workers() -> list[object]:
        return list(
            await asyncio.gather(hand_overs.mark([a]), hand_overs.mark([b]), return_exceptions=True)
        )

    errors = asyncio.run(two_workers())

    assert [type(e).__name__ for e in errors] == ["IntegrityError", "IntegrityError"]
