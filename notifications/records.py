"""Record what became of claimed rows: handed over, sent, retried, failed, released, ambiguous.

Called by the deliverer that holds the claim, in short transactions (`mark_handed` for a small
group just before it goes on the wire; the results every quarter second, recorder.py). Each
function is one conditional UPDATE run for many rows at once (executemany, or one IN list),
matching only rows this worker still holds (sending, or ambiguous after its lease lapsed), and
sets every related field together: status, attempts, timestamps, error, SMTP reply, claim, lease
and hand-over time. The two that run most often, `mark_handed` and `mark_sent`, are written as
SQL text given to the driver (driver_sql.py) on SQLite and PostgreSQL. This module does not
decide what is retryable (verdicts.py) and does not send mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from notifications import driver_sql
from notifications.claims import OUTBOX, append_note, stamp
from schemas.enums import OutboxStatus

_HOLDING = (OutboxStatus.SENDING, OutboxStatus.AMBIGUOUS)  # states a claim may still record in


@dataclass(frozen=True)
class Sent:
    """The server accepted the message."""

    id: int
    reply: str


@dataclass(frozen=True)
class Retry:
    """A temporary failure: try again at `not_before`."""

    id: int
    error: str
    reply: str | None
    not_before: datetime


@dataclass(frozen=True)
class Failure:
    """A permanent failure (5xx reply, refused content, or attempts used up)."""

    id: int
    error: str
    reply: str | None


def _held_by(worker_id: str) -> Any:
    """Return the condition: row `b_id` is still held by `worker_id`."""
    return sa.and_(
        OUTBOX.c.id == sa.bindparam("b_id"),
        OUTBOX.c.claimed_by == worker_id,
        sa.or_(*(OUTBOX.c.status == status for status in _HOLDING)),  # no IN: executemany
    )


def _executemany(session: Session, stmt: Any, params: list[dict[str, Any]]) -> int:
    """Run `stmt` once per parameter set (one round trip batch); return the rows changed."""
    if not params:
        return 0
    return int(session.execute(stmt, params).rowcount)  # type: ignore[attr-defined]


def mark_handed(
    session: Session, worker_id: str, ids: Sequence[int], *, now: datetime
) -> list[int]:
    """Mark rows this worker is sending as handed to the server (handed_at); return those ids.

    Runs (and commits) before their content goes on the wire, so a crash leaves ambiguous only
    rows marked here; rows never marked go back to the queue on recovery (claims.py). A row
    missing from the result is no longer this worker's (its lease lapsed and it was recovered):
    it must not be sent.
    """
    if not ids:
        return []
    mark = driver_sql.placeholder(session)
    if mark is not None:
        return driver_sql.hand_over(session, mark, worker_id, ids, now)
    params = {"h_ids": list(ids), "h_worker": worker_id, "h_now": now}
    return sorted(r.id for r in session.execute(_MARK_HANDED, params))


# Built once (on a database driver_sql.py does not cover): this runs before every few messages,
# and building the statement cost as much as running it (0.2 ms). The ids are an expanding IN.
_MARK_HANDED = (
    sa.update(OUTBOX)
    .where(
        OUTBOX.c.id.in_(sa.bindparam("h_ids", expanding=True)),
        OUTBOX.c.claimed_by == sa.bindparam("h_worker"),
        OUTBOX.c.status == OutboxStatus.SENDING,
    )
    .values(handed_at=sa.bindparam("h_now", type_=OUTBOX.c.handed_at.type))
    .returning(OUTBOX.c.id)
)


def mark_sent(session: Session, worker_id: str, sent: Sequence[Sent], *, now: datetime) -> int:
    """Record accepted messages: status sent, sent_at, SMTP reply, attempts + 1, claim cleared.

    A last_error from an earlier attempt is cleared: the row's error describes its state.

    Only rows this worker still holds (sending, or ambiguous after its lease lapsed) change.
    Returns the number of rows changed.
    """
    mark = driver_sql.placeholder(session)
    if mark is not None and sent:
        return driver_sql.record_sent(
            session, mark, worker_id, [(s.id, s.reply) for s in sent], now
        )
    stmt = (
        sa.update(OUTBOX)
        .where(_held_by(worker_id))
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            smtp_reply=sa.bindparam("b_reply"),
            last_error=None,
            attempts=OUTBOX.c.attempts + 1,
            claimed_by=None,
            lease_until=None,
        )
    )
    return _executemany(session, stmt, [{"b_id": s.id, "b_reply": s.reply} for s in sent])


def mark_retry(session: Session, worker_id: str, retries: Sequence[Retry], *, now: datetime) -> int:
    """Put temporarily failed messages back in the queue after their backoff.

    Sets status queued, not_before, last_error, SMTP reply, attempts + 1, clears the claim and
    the hand-over time.
    """
    stmt = (
        sa.update(OUTBOX)
        .where(_held_by(worker_id))
        .values(
            status=OutboxStatus.QUEUED,
            not_before=sa.bindparam("b_not_before", type_=OUTBOX.c.not_before.type),
            last_error=sa.bindparam("b_error"),
            smtp_reply=sa.bindparam("b_reply"),
            attempts=OUTBOX.c.attempts + 1,
            claimed_by=None,
            lease_until=None,
            handed_at=None,
        )
    )
    params = [
        {"b_id": r.id, "b_not_before": r.not_before, "b_error": r.error, "b_reply": r.reply}
        for r in retries
    ]
    return _executemany(session, stmt, params)


def mark_failed(
    session: Session, worker_id: str, failures: Sequence[Failure], *, now: datetime
) -> int:
    """Record permanent failures: status failed, last_error, SMTP reply, attempts + 1."""
    stmt = (
        sa.update(OUTBOX)
        .where(_held_by(worker_id))
        .values(
            status=OutboxStatus.FAILED,
            last_error=sa.bindparam("b_error"),
            smtp_reply=sa.bindparam("b_reply"),
            attempts=OUTBOX.c.attempts + 1,
            claimed_by=None,
            lease_until=None,
        )
    )
    params = [{"b_id": f.id, "b_error": f.error, "b_reply": f.reply} for f in failures]
    return _executemany(session, stmt, params)


def release(
    session: Session,
    worker_id: str,
    ids: Sequence[int],
    *,
    reason: str,
    not_before: datetime,
) -> int:
    """Give back claimed rows that were never handed to the server: queued, attempts unchanged.

    Clears the claim, the lease and the hand-over time; last_error says why they were not sent.
    """
    stmt = (
        sa.update(OUTBOX)
        .where(_held_by(worker_id))
        .values(
            status=OutboxStatus.QUEUED,
            not_before=not_before,
            last_error=f"not attempted: {reason}",
            claimed_by=None,
            lease_until=None,
            handed_at=None,
        )
    )
    return _executemany(session, stmt, [{"b_id": i} for i in ids])


def mark_ambiguous(
    session: Session, worker_id: str, ids: Sequence[int], *, reason: str, now: datetime
) -> int:
    """Mark rows this worker was sending when it stopped: the server may or may not have them.

    Sets status ambiguous, attempts + 1, last_error, and a note; keeps claimed_by (who held it).
    """
    stmt = (
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id == sa.bindparam("b_id"),
            OUTBOX.c.claimed_by == worker_id,
            OUTBOX.c.status == OutboxStatus.SENDING,
        )
        .values(
            status=OutboxStatus.AMBIGUOUS,
            attempts=OUTBOX.c.attempts + 1,
            last_error=f"ambiguous: {reason}",
            operator_note=append_note(stamp(now, worker_id, f"marked ambiguous: {reason}")),
        )
    )
    return _executemany(session, stmt, [{"b_id": i} for i in ids])
