"""Tests for notifications/claims.py: the claim's SQL per database, a claimed row, recovery.

Claiming against real databases (two deliverers, leases) is tested in test_outbox_states.py
and test_delivery_concurrency.py; the pure tests pin down the statement each database is sent.
Recovery and live leases run against the real databases of the `engine` fixture.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mailkit import T0, factory, queue
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import select

from notifications.claims import (
    LAPSED_HANDED,
    LAPSED_UNSENT,
    ClaimedMail,
    LiveLeases,
    Recovered,
    claim,
    claim_statement,
    claimed_mail,
    due_rows,
    live_leases,
    recover_expired,
)
from notifications.records import Sent, mark_handed, mark_sent
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from tasks.store import session_scope

AT = datetime(2024, 11, 11, 1, 0, tzinfo=UTC)
UNTIL = AT + timedelta(minutes=5)


def _sql(statement: Any, dialect: Any) -> str:
    """Return the statement as the database would get it, whitespace runs collapsed."""
    return " ".join(str(statement.compile(dialect=dialect)).split())


def test_postgresql_claims_the_due_rows_it_locks_and_skips_rows_others_locked() -> None:
    due = due_rows(AT, batch=3, campaign_year=2024)

    statement = claim_statement(due, "w1", until=UNTIL, dialect="postgresql")

    assert _sql(statement, postgresql.dialect()) == (
        "WITH picked AS (SELECT outbox_message.id AS id FROM outbox_message "
        "WHERE outbox_message.status = %(status_1)s "
        "AND outbox_message.not_before <= %(not_before_1)s::TIMESTAMP WITHOUT TIME ZONE "
        "AND outbox_message.campaign_year = %(campaign_year_1)s::INTEGER "
        "ORDER BY outbox_message.not_before, outbox_message.id LIMIT %(param_1)s::INTEGER "
        "FOR UPDATE SKIP LOCKED) "
        "UPDATE outbox_message SET status=%(status)s, claimed_by=%(claimed_by)s::VARCHAR, "
        "lease_until=%(lease_until)s::TIMESTAMP WITHOUT TIME ZONE, "
        "handed_at=%(handed_at)s::TIMESTAMP WITHOUT TIME ZONE FROM picked "
        "WHERE outbox_message.id = picked.id AND (outbox_message.status || '') = %(param_2)s"
    )


def test_sqlite_claims_the_due_rows_still_queued_in_one_update() -> None:
    due = due_rows(AT, batch=3, campaign_year=None)

    statement = claim_statement(due, "w1", until=UNTIL, dialect="sqlite")

    compiled = statement.compile(dialect=sqlite.dialect())
    assert _sql(statement, sqlite.dialect()) == (
        "UPDATE outbox_message SET status=?, claimed_by=?, lease_until=?, handed_at=? "
        "WHERE outbox_message.id IN (SELECT outbox_message.id FROM outbox_message "
        "WHERE outbox_message.status = ? AND outbox_message.not_before <= ? "
        "ORDER BY outbox_message.not_before, outbox_message.id LIMIT ? OFFSET ?) "
        "AND (outbox_message.status || '') = ?"  # by id, not the due index (test_claim_plans)
    )
    assert (compiled.params["claimed_by"], compiled.params["lease_until"]) == ("w1", UNTIL)
    assert compiled.params["handed_at"] is None
    assert compiled.params["param_1"] == 3


def test_a_claimed_row_becomes_plain_values_with_the_recipients_name_from_meta() -> None:
    row = SimpleNamespace(
        id=7,
        campaign_year=2024,
        idempotency_key="2024|invitation|u1|1|li@unit.example.com",
        template="invitation",
        recipient="li@unit.example.com",
        meta={"recipient_name": "李明"},
        subject="邀请",
        attachments=["release/2024/certificates/a.pdf"],
        message_id="<m-7@example.org>",
        attempts=1,
    )
    without_meta = SimpleNamespace(**(vars(row) | {"meta": None, "attachments": None}))

    assert claimed_mail(row, ("正文", "<p>正文</p>")) == ClaimedMail(  # type: ignore[arg-type]
        id=7,
        campaign_year=2024,
        key="2024|invitation|u1|1|li@unit.example.com",
        template="invitation",
        recipient="li@unit.example.com",
        recipient_name="李明",
        subject="邀请",
        text="正文",
        html="<p>正文</p>",
        attachments=("release/2024/certificates/a.pdf",),
        message_id="<m-7@example.org>",
        attempts=1,
    )
    mail = claimed_mail(without_meta, ("正文", ""))  # type: ignore[arg-type]
    assert (mail.recipient_name, mail.attachments) == ("", ())


LEASE = timedelta(seconds=60)


def _rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_expired_lease_makes_handed_rows_ambiguous_and_queues_the_rest_again(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 4)
    a, b, c = (m.id for m in claim(factory(engine), "crashed", batch=3, lease=LEASE, now=T0))
    [d] = (m.id for m in claim(factory(engine), "live", batch=1, lease=LEASE, now=T0 + LEASE / 2))
    with session_scope(engine) as session:
        assert mark_handed(session, "crashed", [a, d], now=T0) == [a]  # d is not its row
        assert mark_handed(session, "live", [d], now=T0) == [d]
    at = T0 + LEASE + timedelta(seconds=1)

    with session_scope(engine) as session:
        recovered = recover_expired(session, "w9", now=at)
        leases = live_leases(session, now=at)

    assert recovered == Recovered(ambiguous=[a], requeued=[b, c])
    assert leases == LiveLeases(rows=1, until=T0 + LEASE / 2 + LEASE)
    rows = {r.id: r for r in _rows(engine)}
    stamp = at.isoformat(timespec="seconds")
    assert (rows[a].status, rows[a].attempts, rows[a].claimed_by, rows[a].last_error) == (
        OutboxStatus.AMBIGUOUS,
        1,
        "crashed",
        f"ambiguous: {LAPSED_HANDED}",
    )
    assert rows[a].operator_note == f"{stamp} w9: recovered: {LAPSED_HANDED}"
    for row_id in (b, c):
        row = rows[row_id]
        assert (row.status, row.attempts, row.claimed_by, row.lease_until, row.not_before) == (
            OutboxStatus.QUEUED,
            0,
            None,
            None,
            T0,
        )
        assert (row.last_error, row.operator_note) == (
            f"not attempted: {LAPSED_UNSENT}",
            f"{stamp} w9: re-queued: {LAPSED_UNSENT}",
        )
    assert (rows[d].status, rows[d].claimed_by) == (OutboxStatus.SENDING, "live")


def test_a_lapsed_deliverer_can_record_what_it_handed_over_but_not_hand_over_more(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 2)
    handed, unsent = (m.id for m in claim(factory(engine), "slow", batch=2, lease=LEASE, now=T0))
    with session_scope(engine) as session:
        mark_handed(session, "slow", [handed], now=T0)
    with session_scope(engine) as session:
        recover_expired(session, "w9", now=T0 + timedelta(minutes=5))

    with session_scope(engine) as session:
        sent = mark_sent(session, "slow", [Sent(handed, "250 OK")], now=T0)
        again = mark_handed(session, "slow", [unsent], now=T0)

    assert (sent, again) == (1, [])
    assert [r.status for r in _rows(engine)] == [OutboxStatus.SENT, OutboxStatus.QUEUED]
    assert _rows(engine)[0].last_error is None  # mark_sent clears the recovery's error


def test_no_live_lease_reports_nothing(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert live_leases(session, now=T0) == LiveLeases(rows=0, until=None)
