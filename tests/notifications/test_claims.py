"""Tests for notifications/claims.py's pure parts: the claim's SQL per database, a claimed row.

Claiming against real databases (two deliverers, leases, recovery) is tested in test_outbox.py
and test_delivery.py; these pin down the statement each database is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from notifications.claims import ClaimedMail, claim_statement, claimed_mail, due_rows

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
        "lease_until=%(lease_until)s::TIMESTAMP WITHOUT TIME ZONE FROM picked "
        "WHERE outbox_message.id = picked.id AND outbox_message.status = %(status_2)s"
    )


def test_sqlite_claims_the_due_rows_still_queued_in_one_update() -> None:
    due = due_rows(AT, batch=3, campaign_year=None)

    statement = claim_statement(due, "w1", until=UNTIL, dialect="sqlite")

    compiled = statement.compile(dialect=sqlite.dialect())
    assert _sql(statement, sqlite.dialect()) == (
        "UPDATE outbox_message SET status=?, claimed_by=?, lease_until=? "
        "WHERE outbox_message.id IN (SELECT outbox_message.id FROM outbox_message "
        "WHERE outbox_message.status = ? AND outbox_message.not_before <= ? "
        "ORDER BY outbox_message.not_before, outbox_message.id LIMIT ? OFFSET ?) "
        "AND outbox_message.status = ?"
    )
    assert (compiled.params["claimed_by"], compiled.params["lease_until"]) == ("w1", UNTIL)
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
        body_text="正文",
        body_html="<p>正文</p>",
        attachments=["release/2024/certificates/a.pdf"],
        message_id="<m-7@example.org>",
        attempts=1,
    )
    without_meta = SimpleNamespace(**(vars(row) | {"meta": None, "attachments": None}))

    assert claimed_mail(row) == ClaimedMail(  # type: ignore[arg-type]
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
    mail = claimed_mail(without_meta)  # type: ignore[arg-type]
    assert (mail.recipient_name, mail.attachments) == ("", ())
