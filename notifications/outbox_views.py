"""Read the outbox without changing it: rows as operators see them, counts, what is due.

`list_messages` and `count_messages` filter by status, template, year and ids (the CLI shows the
newest first and says how many there are in all); `count_by_status` is the summary line;
`count_due` is the one query a scheduled deliverer asks before doing anything (rows due to send
now, and rows whose deliverer's lease lapsed). No bodies leave this module. It does not enqueue
(outbox.py) and does not change a row's delivery state (claims.py, records.py, operators.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage


class OutboxView(BaseModel):
    """An outbox row as operators see it (no bodies)."""

    model_config = ConfigDict(frozen=True)

    id: int
    campaign_year: int
    status: OutboxStatus
    template: str
    recipient: str
    subject: str
    attempts: int
    not_before: datetime
    claimed_by: str | None
    lease_until: datetime | None
    last_error: str | None
    smtp_reply: str | None
    message_id: str
    created_at: datetime
    sent_at: datetime | None
    operator_note: str | None


def _view(row: OutboxMessage) -> OutboxView:
    """Return the operator's view of a row (plain values, no bodies)."""
    assert row.id is not None
    return OutboxView(
        id=row.id,
        campaign_year=row.campaign_year,
        status=row.status,
        template=row.template,
        recipient=row.recipient,
        subject=row.subject,
        attempts=row.attempts,
        not_before=row.not_before,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
        last_error=row.last_error,
        smtp_reply=row.smtp_reply,
        message_id=row.message_id,
        created_at=row.created_at,
        sent_at=row.sent_at,
        operator_note=row.operator_note,
    )


def _filtered(
    stmt: Any,
    statuses: Sequence[OutboxStatus],
    template: str | None,
    campaign_year: int | None,
    ids: Sequence[int],
) -> Any:
    """Return `stmt` restricted to the statuses, template, year and ids given (empty: all)."""
    if statuses:
        stmt = stmt.where(col(OutboxMessage.status).in_(list(statuses)))
    if template is not None:
        stmt = stmt.where(OutboxMessage.template == template)
    if campaign_year is not None:
        stmt = stmt.where(OutboxMessage.campaign_year == campaign_year)
    if ids:
        stmt = stmt.where(col(OutboxMessage.id).in_(list(ids)))
    return stmt


def list_messages(
    session: Session,
    *,
    statuses: Sequence[OutboxStatus] = (),
    template: str | None = None,
    campaign_year: int | None = None,
    ids: Sequence[int] = (),
    limit: int | None = 200,
    newest_first: bool = False,
) -> list[OutboxView]:
    """Return outbox rows (oldest first, or newest) filtered by status, template, year, ids.

    Read-only; at most `limit` rows (None: all).
    """
    order = col(OutboxMessage.id).desc() if newest_first else col(OutboxMessage.id)
    stmt = _filtered(select(OutboxMessage).order_by(order), statuses, template, campaign_year, ids)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_view(row) for row in session.exec(stmt)]


def count_messages(
    session: Session,
    *,
    statuses: Sequence[OutboxStatus] = (),
    template: str | None = None,
    campaign_year: int | None = None,
) -> int:
    """Return how many rows `list_messages` would return without a limit. Read-only."""
    stmt = _filtered(
        select(sa.func.count()).select_from(OutboxMessage), statuses, template, campaign_year, ()
    )
    return int(session.exec(stmt).one())


def count_by_status(session: Session, *, campaign_year: int | None = None) -> dict[str, int]:
    """Return the number of outbox rows per status (every status present, zeros included)."""
    stmt = select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    if campaign_year is not None:
        stmt = stmt.where(OutboxMessage.campaign_year == campaign_year)
    counts = {s.value: 0 for s in OutboxStatus}
    for status, n in session.exec(stmt):
        counts[OutboxStatus(status).value] = n
    return counts


def count_due(session: Session, *, now: datetime, campaign_year: int | None = None) -> int:
    """Return how many rows a deliverer would act on at `now`, in one query. Read-only.

    Those are queued rows whose time has come (`not_before <= now`: new mail, retries after
    their backoff) and rows left `sending` whose lease lapsed (a stopped deliverer's).
    """
    due = sa.or_(
        sa.and_(
            col(OutboxMessage.status) == OutboxStatus.QUEUED,
            col(OutboxMessage.not_before) <= now,
        ),
        sa.and_(
            col(OutboxMessage.status) == OutboxStatus.SENDING,
            col(OutboxMessage.lease_until) < now,
        ),
    )
    stmt = select(sa.func.count()).select_from(OutboxMessage).where(due)
    if campaign_year is not None:
        stmt = stmt.where(OutboxMessage.campaign_year == campaign_year)
    return int(session.exec(stmt).one())


def find_by_key(session: Session, key: str) -> OutboxView | None:
    """Return the outbox row with this idempotency key, if any. Read-only."""
    row = session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()
    return None if row is None else _view(row)
