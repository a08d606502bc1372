"""An operator's moves on outbox rows: re-queue, cancel, or confirm an ambiguous row as sent.

Run in the caller's session (the CLI's). The rows are locked (FOR UPDATE on PostgreSQL; the
SQLite transaction began with BEGIN IMMEDIATE), every row is checked before any changes, and
each move records who and why in the row's operator note. A row is never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from notifications.claims import stamp
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage

REQUEUE_FROM = frozenset({OutboxStatus.FAILED, OutboxStatus.AMBIGUOUS})
CANCEL_FROM = frozenset({OutboxStatus.QUEUED, OutboxStatus.FAILED, OutboxStatus.AMBIGUOUS})
CONFIRM_FROM = frozenset({OutboxStatus.AMBIGUOUS})


class OutboxMoveRefused(Exception):
    """An operator move that is not allowed for some rows; `refused` maps id -> why."""

    def __init__(self, action: str, refused: dict[int, str]) -> None:
        self.action = action
        self.refused = refused
        detail = ", ".join(f"#{i}: {why}" for i, why in sorted(refused.items()))
        super().__init__(f"cannot {action}: {detail}")


def _load_for_move(
    session: Session, ids: Sequence[int], allowed: frozenset[OutboxStatus], action: str
) -> list[OutboxMessage]:
    """Lock and return the rows; raise OutboxMoveRefused if any is missing or not allowed."""
    stmt = select(OutboxMessage).where(col(OutboxMessage.id).in_(list(ids))).with_for_update()
    rows = {r.id: r for r in session.exec(stmt)}
    refused: dict[int, str] = {}
    for i in ids:
        row = rows.get(i)
        if row is None:
            refused[i] = "no such message"
        elif row.status not in allowed:
            refused[i] = f"status is {row.status.value}"
    if refused:
        raise OutboxMoveRefused(action, refused)
    return [rows[i] for i in ids]


def _require(who: str, why: str, action: str, ids: Sequence[int]) -> None:
    """Refuse a move without a who and a why."""
    if not who.strip() or not why.strip():
        raise OutboxMoveRefused(action, dict.fromkeys(ids, "who and why are required"))


def requeue(
    session: Session, ids: Sequence[int], *, who: str, why: str, now: datetime
) -> list[int]:
    """Put failed or ambiguous rows back in the queue, due now, with fresh attempts.

    An operator's move: records who and why in operator_note (with the previous status and
    attempts). Raises OutboxMoveRefused, changing nothing, if any row may not move.
    Re-queuing an ambiguous row may deliver it twice; the CLI says so.
    """
    ids = list(dict.fromkeys(ids))
    _require(who, why, "requeue", ids)
    rows = _load_for_move(session, ids, REQUEUE_FROM, "requeue")
    for row in rows:
        line = stamp(now, who, f"requeued (was {row.status.value}, {row.attempts} attempts): {why}")
        row.operator_note = f"{row.operator_note}\n{line}" if row.operator_note else line
        row.status = OutboxStatus.QUEUED
        row.attempts = 0
        row.not_before = now
        row.claimed_by = None
        row.lease_until = None
        session.add(row)
    session.flush()
    return [r.id for r in rows if r.id is not None]


def cancel(session: Session, ids: Sequence[int], *, who: str, why: str, now: datetime) -> list[int]:
    """Cancel queued, failed or ambiguous rows (kept, never sent); record who and why.

    Raises OutboxMoveRefused, changing nothing, if any row may not move.
    """
    ids = list(dict.fromkeys(ids))
    _require(who, why, "cancel", ids)
    rows = _load_for_move(session, ids, CANCEL_FROM, "cancel")
    for row in rows:
        line = stamp(now, who, f"cancelled (was {row.status.value}): {why}")
        row.operator_note = f"{row.operator_note}\n{line}" if row.operator_note else line
        row.status = OutboxStatus.CANCELLED
        row.claimed_by = None
        row.lease_until = None
        session.add(row)
    session.flush()
    return [r.id for r in rows if r.id is not None]


def confirm_sent(
    session: Session, ids: Sequence[int], *, who: str, why: str, now: datetime
) -> list[int]:
    """Record ambiguous rows as sent: the operator saw the message arrive (mailbox, server log).

    Sets status sent, sent_at (the time of the confirmation: when the server took the message
    is not known) and clears last_error; records who, why and the previous error in
    operator_note. Raises OutboxMoveRefused, changing nothing, if any row is not ambiguous.
    """
    ids = list(dict.fromkeys(ids))
    _require(who, why, "confirm", ids)
    rows = _load_for_move(session, ids, CONFIRM_FROM, "confirm")
    for row in rows:
        was = f"was ambiguous, {row.attempts} attempts, last error: {row.last_error or 'none'}"
        line = stamp(now, who, f"confirmed sent ({was}): {why}")
        row.operator_note = f"{row.operator_note}\n{line}" if row.operator_note else line
        row.status = OutboxStatus.SENT
        row.sent_at = now
        row.last_error = None
        row.claimed_by = None
        row.lease_until = None
        session.add(row)
    session.flush()
    return [r.id for r in rows if r.id is not None]
