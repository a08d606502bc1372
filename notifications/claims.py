"""Claim outbox rows for a deliverer, keep their lease alive, recover leases that lapsed.

The delivery states: queued -> sending (`claim`, here, with a lease) -> sent | queued again |
failed (records.py, by the deliverer holding the claim) | ambiguous (`recover_expired`, here, when
a lease lapsed: the server may or may not have the message); an operator re-queues or cancels
(operators.py). Every move is a conditional UPDATE that sets all related fields together, so it
only happens from the state it expects. Claiming runs in its own short transaction (a session
factory); the other functions run in the caller's session. This module does not send mail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from schemas.sqltypes import now_utc

SessionFactory = Callable[[], AbstractContextManager[Session]]
OUTBOX: sa.Table = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]


@dataclass(frozen=True)
class ClaimedMail:
    """A claimed row's content, as plain values (no session travels with it)."""

    id: int
    campaign_year: int
    key: str
    template: str
    recipient: str
    recipient_name: str
    subject: str
    text: str
    html: str
    attachments: tuple[str, ...]
    message_id: str
    attempts: int


def append_note(line: str) -> Any:
    """Return the SQL expression that appends `line` to operator_note."""
    return sa.func.coalesce(OUTBOX.c.operator_note + "\n", "") + line


def stamp(at: datetime, who: str, what: str) -> str:
    """Return one operator-note line: `<time> <who>: <what>` (whitespace runs collapsed)."""
    return f"{at.isoformat(timespec='seconds')} {' '.join(who.split())}: {' '.join(what.split())}"


def claim(
    session_factory: SessionFactory,
    worker_id: str,
    *,
    batch: int,
    lease: timedelta,
    now: datetime | None = None,
    campaign_year: int | None = None,
) -> list[ClaimedMail]:
    """Claim up to `batch` due queued rows for `worker_id`; commit; return them oldest first.

    Side effect: one short transaction that sets status sending, claimed_by and lease_until.
    SQLite: the engine began it with BEGIN IMMEDIATE, so the conditional UPDATE runs alone.
    PostgreSQL: the due rows are picked with FOR UPDATE SKIP LOCKED, so two deliverers take
    disjoint rows without waiting for each other.
    """
    at = now or now_utc()
    with session_factory() as session:
        due = (
            sa.select(OUTBOX.c.id)
            .where(OUTBOX.c.status == OutboxStatus.QUEUED, OUTBOX.c.not_before <= at)
            .order_by(OUTBOX.c.not_before, OUTBOX.c.id)
            .limit(batch)
        )
        if campaign_year is not None:
            due = due.where(OUTBOX.c.campaign_year == campaign_year)
        stmt = sa.update(OUTBOX).values(
            status=OutboxStatus.SENDING, claimed_by=worker_id, lease_until=at + lease
        )
        if session.get_bind().dialect.name == "postgresql":
            picked = due.with_for_update(skip_locked=True).cte("picked")
            stmt = stmt.where(OUTBOX.c.id == picked.c.id)
        else:
            stmt = stmt.where(OUTBOX.c.id.in_(due.scalar_subquery()))
        stmt = stmt.where(OUTBOX.c.status == OutboxStatus.QUEUED)
        rows = session.execute(
            stmt.returning(
                OUTBOX.c.id,
                OUTBOX.c.campaign_year,
                OUTBOX.c.idempotency_key,
                OUTBOX.c.template,
                OUTBOX.c.recipient,
                OUTBOX.c.meta,
                OUTBOX.c.subject,
                OUTBOX.c.body_text,
                OUTBOX.c.body_html,
                OUTBOX.c.attachments,
                OUTBOX.c.message_id,
                OUTBOX.c.attempts,
                OUTBOX.c.not_before,
            )
        ).all()
    rows = sorted(rows, key=lambda r: (r.not_before, r.id))
    return [
        ClaimedMail(
            id=r.id,
            campaign_year=r.campaign_year,
            key=r.idempotency_key,
            template=r.template,
            recipient=r.recipient,
            recipient_name=str((r.meta or {}).get("recipient_name", "")),
            subject=r.subject,
            text=r.body_text,
            html=r.body_html,
            attachments=tuple(r.attachments or ()),
            message_id=r.message_id,
            attempts=r.attempts,
        )
        for r in rows
    ]


def renew_lease(
    session: Session, worker_id: str, ids: Iterable[int], *, lease: timedelta, now: datetime
) -> int:
    """Extend the lease of rows `worker_id` is still sending; return how many were renewed."""
    stmt = (
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(list(ids)),
            OUTBOX.c.claimed_by == worker_id,
            OUTBOX.c.status == OutboxStatus.SENDING,
        )
        .values(lease_until=now + lease)
    )
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def recover_expired(
    session: Session, worker_id: str, *, now: datetime, campaign_year: int | None = None
) -> list[int]:
    """Turn rows left `sending` past their lease into `ambiguous`; return their ids, sorted.

    A live deliverer renews its lease, so only a crashed or stalled one's rows qualify.
    Sets attempts + 1, last_error and a note naming who recovered them; keeps claimed_by.
    """
    reason = "lease expired while sending; the server may or may not have this message"
    stmt = (
        sa.update(OUTBOX)
        .where(OUTBOX.c.status == OutboxStatus.SENDING, OUTBOX.c.lease_until < now)
        .values(
            status=OutboxStatus.AMBIGUOUS,
            attempts=OUTBOX.c.attempts + 1,
            last_error=f"ambiguous: {reason}",
            operator_note=append_note(stamp(now, worker_id, f"recovered: {reason}")),
        )
        .returning(OUTBOX.c.id)
    )
    if campaign_year is not None:
        stmt = stmt.where(OUTBOX.c.campaign_year == campaign_year)
    return sorted(r.id for r in session.execute(stmt))
