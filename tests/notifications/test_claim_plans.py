"""On SQLite, claims, hand-overs and lease renewals look their rows up by id.

SQLite's planner answered `id IN (...) AND status = ?` by walking ix_outbox_due over every row
of that status (every queued row at each claim, every claimed row at each hand-over), so each
of these statements grew with the queue. These tests read the plan SQLite chooses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from notifications import driver_sql
from notifications.claims import OUTBOX, claim_statement, due_rows, held_status
from schemas.enums import OutboxStatus
from tasks.store import make_engine

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
    from tasks.store import upgrade_database

    upgrade_database(engine)
    due = due_rows(AT, batch=100, campaign_year=None)
    stmt = claim_statement(due, "w1", until=AT + timedelta(minutes=5), dialect="sqlite")

    plan = _plan(engine, stmt)

    assert _outer_plan(plan) == "SEARCH outbox_message USING INTEGER PRIMARY KEY (rowid=?)"
    assert "ix_outbox_due (status=? AND not_before<?)" in plan  # the pick itself uses the index
    engine.dispose()


def test_a_hand_over_and_a_renewal_look_their_rows_up_by_id(tmp_path) -> None:
    engine = make_engine(url=f"sqlite:///{tmp_path / 'plan.db'}")
    from tasks.store import upgrade_database

    upgrade_database(engine)
    hand_over = sa.text(driver_sql.hand_over_sql("?", 4, "+status"))
    renewal = (
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id.in_([1, 2, 3, 4]),
            OUTBOX.c.claimed_by == "w1",
            held_status("sqlite") == OutboxStatus.SENDING,
        )
        .values(lease_until=AT)
    )
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {hand_over.text}", ("x", 1, 2, 3, 4, "w1", "sending")
        ).all()
    assert [row[-1] for row in rows] == [
        "SEARCH outbox_message USING INTEGER PRIMARY KEY (rowid=?)"
    ]
    assert _outer_plan(_plan(engine, renewal)) == (
        "SEARCH outbox_message USING INTEGER PRIMARY KEY (rowid=?)"
    )
    engine.dispose()


def test_the_plain_status_column_is_what_sqlite_walked_the_index_for(tmp_path) -> None:
    engine = make_engine(url=f"sqlite:///{tmp_path / 'plan.db'}")
    from tasks.store import upgrade_database

    upgrade_database(engine)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {driver_sql.hand_over_sql('?', 4, 'status')}",
            ("x", 1, 2, 3, 4, "w1", "sending"),
        ).all()
    assert [row[-1] for row in rows] == [
        "SEARCH outbox_message USING INDEX ix_outbox_due (status=?)"
    ]
    assert held_status("postgresql") is OUTBOX.c.status
    engine.dispose()
