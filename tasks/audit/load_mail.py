"""Read the outbox for the audit: every row without its bodies, and the counts per status.

The meta each row keeps (notifications/outbox.py): the facts a letter stated, the business day
it was queued on and the deadlines it told. One query each; reads only.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from notifications.outbox import KEY_SEPARATOR, key_head
from schemas.outbox_table import OutboxMessage
from tasks.audit.snapshot import MailRow
from tasks.store import fetch_columns


def _day(text: object) -> date | None:
    """Return an ISO date from a meta value, or None. Pure."""
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _subject_ref(key: str) -> str:
    """Return the subject_ref of an idempotency key, or "" for a key of another shape. Pure."""
    return key_head(key).subject_ref if key.count(KEY_SEPARATOR) >= 3 else ""


def mails(session: Session, year: int) -> tuple[MailRow, ...]:
    """Return every outbox row of the campaign without its bodies; reads."""
    o = OutboxMessage
    rows = fetch_columns(
        session,
        sa.select(
            col(o.id), col(o.template), col(o.status), col(o.idempotency_key), col(o.meta),
            col(o.lease_until),
        ).where(col(o.campaign_year) == year),
    )  # fmt: skip
    mails: list[MailRow] = []
    for row_id, template, status, key, meta, lease in rows:
        meta = meta or {}
        told = (_day(d) for d in meta.get("deadlines") or [])
        mails.append(
            MailRow(
                id=row_id,
                template=template,
                status=str(getattr(status, "value", status)),
                subject_ref=_subject_ref(key),
                facts=dict(meta.get("facts") or {}),
                business_day=_day(meta.get("business_day")),
                deadlines=tuple(d for d in told if d is not None),
                lease_until=lease,
            )
        )
    return tuple(mails)


def outbox_counts(session: Session, year: int) -> tuple[int, dict[str, int]]:
    """Return the outbox's row count and its count per status; reads."""
    o = OutboxMessage
    where = col(o.campaign_year) == year
    total = fetch_columns(session, sa.select(sa.func.count()).select_from(o).where(where))[0][0]
    counts = fetch_columns(
        session, sa.select(col(o.status), sa.func.count()).where(where).group_by(col(o.status))
    )
    return int(total), {str(getattr(s, "value", s)): int(n) for s, n in counts}
