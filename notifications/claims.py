"""Claim outbox rows for a deliverer, keep their lease alive, recover leases that lapsed.

The delivery states: queued -> sending (`claim`, here, with a lease) -> sent | queued again |
failed | ambiguous (records.py, by the deliverer holding the claim); `recover_expired`, here,
turns rows whose lease lapsed into ambiguous if they had been handed to the server (it may or
may not have them) and back into queued if not; `live_leases` counts rows a live deliverer
holds; an operator re-queues or cancels (operators.py). Every move is a conditional UPDATE that
sets all related fields together, so it only happens from the state it expects. Claiming runs
in its own short transaction (a session factory); the other functions run in the caller's
session. This module does not send mail.
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
from schemas.outbox_table import OutboxBody, OutboxMessage
from schemas.sqltypes import now_utc

SessionFactory = Callable[[], AbstractContextManager[Session]]
OUTBOX: sa.Table = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]
BODIES: sa.Table = SQLModel.metadata.tables[str(OutboxBody.__tablename__)]


MISSING_BODY = ("", "")  # a row without its outbox_body: it fails for good (batches.attempt)


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
    reply_to: str = ""  # the Reply-To address (the campaign's contact), "" for none
    alternative: bytes | None = None  # the bodies as sent, written when queued (None: not kept)


def append_note(line: str) -> Any:
    """Return the SQL expression that appends `line` to operator_note."""
    return sa.func.coalesce(OUTBOX.c.operator_note + "\n", "") + line


def stamp(at: datetime, who: str, what: str) -> str:
    """Return one operator-note line: `<time> <who>: <what>` (whitespace runs collapsed)."""
    return f"{at.isoformat(timespec='seconds')} {' '.join(who.split())}: {' '.join(what.split())}"


# What a claim reads back from each row it took (RETURNING), in this order.
_CLAIMED_COLUMNS = (
    OUTBOX.c.id,
    OUTBOX.c.campaign_year,
    OUTBOX.c.idempotency_key,
    OUTBOX.c.template,
    OUTBOX.c.recipient,
    OUTBOX.c.meta,
    OUTBOX.c.subject,
    OUTBOX.c.attachments,
    OUTBOX.c.message_id,
    OUTBOX.c.attempts,
    OUTBOX.c.not_before,
)


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

    Side effect: one short transaction that sets status sending, claimed_by and lease_until,
    and reads the claimed rows' bodies (outbox_body).
    SQLite: the engine began it with BEGIN IMMEDIATE, so the conditional UPDATE runs alone.
    PostgreSQL: the due rows are picked with FOR UPDATE SKIP LOCKED, so two deliverers take
    disjoint rows without waiting for each other.
    """
    at = now or now_utc()
    due = due_rows(at, batch=batch, campaign_year=campaign_year)
    with session_factory() as session:
        dialect = session.get_bind().dialect.name
        stmt = claim_statement(due, worker_id, until=at + lease, dialect=dialect)
        rows = session.execute(stmt.returning(*_CLAIMED_COLUMNS)).all()
        bodies = sent_bodies_of(session, [r.id for r in rows])
    rows = sorted(rows, key=lambda r: (r.not_before, r.id))
    return [claimed_mail(r, *bodies.get(r.id, (MISSING_BODY, None))) for r in rows]


def sent_bodies_of(
    session: Session, ids: list[int]
) -> dict[int, tuple[tuple[str, str], bytes | None]]:
    """Return ((text, html), the bodies as sent or None) of these outbox rows by id (read-only)."""
    if not ids:
        return {}
    stmt = sa.select(
        BODIES.c.outbox_id, BODIES.c.body_text, BODIES.c.body_html, BODIES.c.alternative
    ).where(BODIES.c.outbox_id.in_(ids))
    return {i: ((text, html), sent) for i, text, html, sent in session.execute(stmt)}


def due_rows(at: datetime, *, batch: int, campaign_year: int | None) -> sa.Select[Any]:
    """Return the query for the ids of up to `batch` queued rows due at `at`, oldest first. Pure."""
    due = (
        sa.select(OUTBOX.c.id)
        .where(OUTBOX.c.status == OutboxStatus.QUEUED, OUTBOX.c.not_before <= at)
        .order_by(OUTBOX.c.not_before, OUTBOX.c.id)
        .limit(batch)
    )
    if campaign_year is not None:
        due = due.where(OUTBOX.c.campaign_year == campaign_year)
    return due


def claim_statement(
    due: sa.Select[Any], worker_id: str, *, until: datetime, dialect: str
) -> sa.Update:
    """Return the conditional UPDATE that moves the `due` rows still queued to sending. Pure.

    It sets claimed_by and lease_until together and clears handed_at. On PostgreSQL the due
    rows are picked with FOR UPDATE SKIP LOCKED in a CTE; elsewhere they are an IN subquery.
    """
    stmt = sa.update(OUTBOX).values(
        status=OutboxStatus.SENDING, claimed_by=worker_id, lease_until=until, handed_at=None
    )
    if dialect == "postgresql":
        picked = due.with_for_update(skip_locked=True).cte("picked")
        stmt = stmt.where(OUTBOX.c.id == picked.c.id)
    else:
        stmt = stmt.where(OUTBOX.c.id.in_(due.scalar_subquery()))
    return stmt.where(status_is(OutboxStatus.QUEUED))


# How a condition on rows picked by id names the status: `(status || '')`, the same value.
# Both planners answered `id IN (...) AND status = ?` by walking ix_outbox_due over every row of
# that status (SQLite always; PostgreSQL when its statistics say few rows have it): every queued
# row at each claim, every claimed row at each hand-over (0.2-0.5 ms for a few rows on SQLite,
# growing with the queue). An expression on the column cannot use that index, so the ids are
# looked up by primary key (tests/notifications/test_claim_plans.py reads the plans).
HELD_STATUS_SQL = "(status || '')"


def status_is(status: OutboxStatus) -> Any:
    """Return the condition `status = <status>` on rows picked by id (HELD_STATUS_SQL). Pure."""
    held = sa.literal_column(f"({OUTBOX.name}.status || '')", type_=OUTBOX.c.status.type)
    return held == sa.bindparam(None, status, type_=OUTBOX.c.status.type)


def claimed_mail(
    row: sa.Row[Any], bodies: tuple[str, str], alternative: bytes | None = None
) -> ClaimedMail:
    """Return a claimed row's content as plain values (the recipient's name from meta). Pure.

    `bodies`: the row's (text, html) from outbox_body; `alternative`: the same as sent.
    """
    return ClaimedMail(
        id=row.id,
        campaign_year=row.campaign_year,
        key=row.idempotency_key,
        template=row.template,
        recipient=row.recipient,
        recipient_name=str((row.meta or {}).get("recipient_name", "")),
        subject=row.subject,
        text=bodies[0],
        html=bodies[1],
        attachments=tuple(row.attachments or ()),
        message_id=row.message_id,
        attempts=row.attempts,
        reply_to=str((row.meta or {}).get("reply_to", "")),
        alternative=alternative,
    )


def renew_lease(
    session: Session, worker_id: str, ids: Iterable[int], *, lease: timedelta, now: datetime
) -> int:
    """Extend the lease of rows `worker_id` is still sending; return how many were renewed."""
    stmt = (
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(list(ids)),
            OUTBOX.c.claimed_by == worker_id,
            status_is(OutboxStatus.SENDING),
        )
        .values(lease_until=now + lease)
    )
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Recovered:
    """Rows a stopped deliverer left sending: made ambiguous (handed over) or queued again."""

    ambiguous: list[int]
    requeued: list[int]


@dataclass(frozen=True)
class LiveLeases:
    """Rows another deliverer holds under a lease that has not expired yet."""

    rows: int
    until: datetime | None  # the latest lease: all of them are recoverable after it


LAPSED_HANDED = "lease expired after it was handed to the server; the server may or may not have it"
LAPSED_UNSENT = "lease expired before it was handed to the server"


def recover_expired(
    session: Session, worker_id: str, *, now: datetime, campaign_year: int | None = None
) -> Recovered:
    """Settle rows left `sending` past their lease; return their ids by what became of them.

    A live deliverer renews its lease, so only a crashed or stalled one's rows qualify. A row
    that was handed to the server (handed_at set) becomes `ambiguous`: attempts + 1, last_error,
    a note naming who recovered it, claimed_by kept. A row never handed over goes back to
    `queued` (due as before, attempts unchanged, claim and lease cleared) with a note.
    """
    lapsed = [OUTBOX.c.status == OutboxStatus.SENDING, OUTBOX.c.lease_until < now]
    if campaign_year is not None:
        lapsed.append(OUTBOX.c.campaign_year == campaign_year)
    ambiguous = (
        sa.update(OUTBOX)
        .where(*lapsed, OUTBOX.c.handed_at.is_not(None))
        .values(
            status=OutboxStatus.AMBIGUOUS,
            attempts=OUTBOX.c.attempts + 1,
            last_error=f"ambiguous: {LAPSED_HANDED}",
            operator_note=append_note(stamp(now, worker_id, f"recovered: {LAPSED_HANDED}")),
        )
        .returning(OUTBOX.c.id)
    )
    requeued = (
        sa.update(OUTBOX)
        .where(*lapsed, OUTBOX.c.handed_at.is_(None))
        .values(
            status=OutboxStatus.QUEUED,
            claimed_by=None,
            lease_until=None,
            last_error=f"not attempted: {LAPSED_UNSENT}",
            operator_note=append_note(stamp(now, worker_id, f"re-queued: {LAPSED_UNSENT}")),
        )
        .returning(OUTBOX.c.id)
    )
    return Recovered(
        ambiguous=sorted(r.id for r in session.execute(ambiguous)),
        requeued=sorted(r.id for r in session.execute(requeued)),
    )


def live_leases(session: Session, *, now: datetime, campaign_year: int | None = None) -> LiveLeases:
    """Return how many rows are `sending` under a lease not yet expired, and the latest lease."""
    stmt = sa.select(sa.func.count(), sa.func.max(OUTBOX.c.lease_until)).where(
        OUTBOX.c.status == OutboxStatus.SENDING, OUTBOX.c.lease_until >= now
    )
    if campaign_year is not None:
        stmt = stmt.where(OUTBOX.c.campaign_year == campaign_year)
    rows, until = session.execute(stmt).one()
    return LiveLeases(rows=int(rows), until=until)
