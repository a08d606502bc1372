"""The hot writes as driver SQL text store exactly what their Core statements store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from mailkit import T0, factory, queue
from sqlalchemy.engine import Engine
from sqlmodel import select

from notifications import driver_sql
from notifications.claims import claim
from notifications.records import Sent, mark_handed, mark_sent
from schemas.campaign_file import CampaignFile
from schemas.outbox_table import OutboxMessage
from tasks.store import session_scope

LEASE = timedelta(seconds=60)
FIELDS = (
    "status",
    "attempts",
    "handed_at",
    "sent_at",
    "smtp_reply",
    "last_error",
    "claimed_by",
    "lease_until",
)


def _state(engine: Engine, ids: list[int]) -> list[tuple[object, ...]]:
    with session_scope(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))  # type: ignore[union-attr]
        by_id = {r.id: r for r in rows}
    return [tuple(getattr(by_id[i], f) for f in FIELDS) for i in ids]


def _stored(engine: Engine, row: int) -> tuple[object, ...]:
    """Return the timestamps and status as the database holds them (no type processing)."""
    with engine.connect() as connection:
        sql = "SELECT handed_at, sent_at, status FROM outbox_message WHERE id = " + str(row)
        return tuple(connection.exec_driver_sql(sql).one())


def _deliver_on_paper(engine: Engine, ids: list[int], others: list[int]) -> tuple[int, int]:
    """Hand over `ids` (and rows of another worker's), record them sent; return the counts."""
    at = T0 + timedelta(seconds=3, microseconds=123456)
    with session_scope(engine) as session:
        handed = mark_handed(session, "w1", [*ids, *others], now=at)
    with session_scope(engine) as session:
        sent = [Sent(i, "250 2.0.0 Ok: queued") for i in [*ids, *others]]
        changed = mark_sent(session, "w1", sent, now=at + timedelta(seconds=1))
    assert handed == sorted(ids)
    return len(handed), changed


def test_driver_writes_equal_the_core_statements(
    engine: Engine,
    campaign_2024: CampaignFile,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue(engine, campaign_2024, workspace, 9)
    mine = [m.id for m in claim(factory(engine), "w1", batch=6, lease=LEASE, now=T0)]
    theirs = [m.id for m in claim(factory(engine), "w2", batch=3, lease=LEASE, now=T0)]
    with session_scope(engine) as session:
        assert driver_sql.placeholder(session) is not None  # SQLite and PostgreSQL are covered

    through_driver = _deliver_on_paper(engine, mine[:3], theirs[:1])
    monkeypatch.setattr(driver_sql, "placeholder", lambda _session: None)
    through_core = _deliver_on_paper(engine, mine[3:], theirs[1:2])

    assert through_driver == through_core == (3, 3)
    assert _state(engine, mine[:3]) == _state(engine, mine[3:])
    assert _state(engine, theirs[:1]) == _state(engine, theirs[1:2])  # another's: untouched
    assert _stored(engine, mine[0]) == _stored(engine, mine[3])  # the same text on SQLite
    state = _state(engine, mine[:1])[0]
    assert state[FIELDS.index("handed_at")] == T0 + timedelta(seconds=3, microseconds=123456)
    assert state[FIELDS.index("sent_at")] == T0 + timedelta(seconds=4, microseconds=123456)


def test_statements_are_written_once_per_placeholder_and_count() -> None:
    assert driver_sql.hand_over_sql("?", 3) == (
        "UPDATE outbox_message SET handed_at = ? WHERE id IN (?, ?, ?) "
        "AND claimed_by = ? AND (status || '') = ? RETURNING id"
    )
    assert driver_sql.hand_over_sql("%s", 1) is driver_sql.hand_over_sql("%s", 1)
    assert driver_sql.sent_sql("?").count("?") == 7
