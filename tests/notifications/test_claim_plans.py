"""On SQLite, claims, hand-overs and lease renewals look their rows up by id.

SQLite's planner answered `id IN (...) AND status = ?` by walking ix_outbox_due over every row
of that status (every queued row at each claim, every claimed row at each hand-over), so each
of these statements grew with the queue. These tests read the plan SQLite chooses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from notifications import driver_sql
from notifications.claims import HELD_STATUS_SQL, OUTBOX, claim_statement, due_rows, status_is
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.store import make_engine, session_scope, upgrade_database

AT = datetime(2024, 10, 10, 2, 0, tzinfo=UTC)


def _plan(engine: Engine, statement: sa.Executable) -> str:
    """Return the plan SQLite chooses for `statement` as SQLAlchemy sends it (run as EXPLAIN)."""
    plan: list[str] = []

    def explain(_conn, _cursor, sql, params, _context, _many):  # type: ignore[no-untyped-def]
        return f"EXPLAIN QUERY PLAN {sql}", params

    def read(_conn, cursor, *_rest):  # type: ignore[no-untyped-def]
        plan.extend(str(row[-1]) for row in cursor.fetchall())

    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")  # the transaction begins before the listeners
        event.listen(connection, "before_cursor_execute", explain, retval=True)
        event.listen(connection, "after_cursor_execute", read)
        try:
            connection.execute(statement)
        finally:
            event.remove(connection, "before_cursor_execute", explain)
            event.remove(connection, "after_cursor_execute", read)
        connection.rollback()
    return "\n".join(plan)


def _outer_plan(plan: str) -> str:
    """Return the plan's line for the table the statement updates (the first SEARCH/SCAN)."""
    return next(line for line in plan.splitlines() if line.startswith(("SEARCH", "SCAN")))


def test_a_claim_updates_the_due_rows_it_picked_by_id(tmp_path) -> None:
    engine = make_engine(url=f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade_database(engine)
    due = due_rows(AT, batch=100, campaign_year=None)
    stmt = claim_statement(due, "w1", until=AT + timedelta(minutes=5), dialect="sqlite")

    plan = _plan(engine, stmt)

    assert _outer_plan(plan) == "SEARCH outbox_message USING INTEGER PRIMARY KEY (rowid=?)"
    assert "ix_outbox_due (status=? AND not_before<?)" in plan  # the pick itself uses the index
    engine.dispose()


def test_a_hand_over_and_a_renewal_look_their_rows_up_by_id(tmp_path) -> None:
    engine = make_engine(url=f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade_database(engine)
    renewal = (
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id.in_([1, 2, 3, 4]),
            OUTBOX.c.claimed_by == "w1",
            status_is(OutboxStatus.SENDING),
        )
        .values(lease_until=AT)
    )
    by_id = "SEARCH outbox_message USING INTEGER PRIMARY KEY (rowid=?)"

    assert _explain(engine, driver_sql.hand_over_sql("?", 4)) == [by_id]
    assert _outer_plan(_plan(engine, renewal)) == by_id
    # what the plain column made SQLite do: walk the due index over every row sending
    plain = driver_sql.hand_over_sql("?", 4).replace(HELD_STATUS_SQL, "status")
    assert _explain(engine, plain) == ["SEARCH outbox_message USING INDEX ix_outbox_due (status=?)"]
    engine.dispose()


def _explain(engine: Engine, hand_over: str) -> list[str]:
    """Return SQLite's plan of a hand-over of ids 1-4 (driver SQL, qmark)."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {hand_over}", ("x", 1, 2, 3, 4, "w1", "sending")
        ).all()
    return [str(row[-1]) for row in rows]


def test_postgres_hands_over_by_primary_key_when_its_statistics_saw_none_sending(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL planner's choice (SQLite's is read above)")
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    with engine.begin() as connection:  # statistics from a quiet hour, then a delivery starts
        connection.exec_driver_sql(
            "INSERT INTO outbox_message (campaign_year, idempotency_key, template, recipient, "
            "subject, attachments, meta, status, attempts, not_before, message_id, "
            "created_at) SELECT 2024, 'k' || g, 'invitation', 'li@unit.example.com', 's', "
            "'[]', '{}', 'sent', 1, now(), '<' || g || '@example.org>', now() "
            "FROM generate_series(1, 5000) g"
        )
        connection.exec_driver_sql("ANALYZE outbox_message")
        connection.exec_driver_sql(
            "UPDATE outbox_message SET status = 'sending', claimed_by = 'w1' WHERE id <= 1000"
        )
        ours = _postgres_plan(connection, driver_sql.hand_over_sql("%s", 4))
        plain = _postgres_plan(
            connection, driver_sql.hand_over_sql("%s", 4).replace(HELD_STATUS_SQL, "status")
        )

    assert "outbox_message_pkey" in ours
    assert "ix_outbox_due" not in ours
    assert "ix_outbox_due" in plain  # what the plain column made PostgreSQL do here


def _postgres_plan(connection: sa.Connection, hand_over: str) -> str:
    """Return PostgreSQL's plan of a hand-over of ids 1-4 (driver SQL, %s)."""
    rows = connection.exec_driver_sql(
        f"EXPLAIN {hand_over}", ("2024-10-10 02:00:00+00", 1, 2, 3, 4, "w1", "sending")
    ).all()
    return "\n".join(str(row[0]) for row in rows)
