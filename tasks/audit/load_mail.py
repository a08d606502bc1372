"""Read the outbox for the audit: every row without its bodies, and the counts per status.

The meta each row keeps (notifications/outbox.py): the facts a letter stated, the business day
it was queued on and the deadlines it told. One query each; reads only.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

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


class TellingParts(NamedTuple):
    """What a queued row tells, fixed once it is queued: template, subject, facts and days."""

    template: str
    subject_ref: str
    facts: dict[str, Any]
    business_day: date | None
    deadlines: tuple[date, ...]


class _Known(NamedTuple):
    """The told parts read so far from one database's outbox, and the newest row's key."""

    parts: dict[int, TellingParts]
    newest_key: str


# Per database URL and campaign: a row's template, key and meta never change once it is queued
# (rows are never deleted, keys never reused), so the clock's daily audit parses each row's
# meta once per process, not every day (46,000 rows at 5,000 units: 0.9 s a day).
_KNOWN: dict[tuple[str, int], _Known] = {}


def _told(template: str, key: str, meta: dict[str, Any] | None) -> TellingParts:
    """Return what one queued row tells, from its template, key and meta. Pure."""
    meta = meta or {}
    told = (_day(d) for d in meta.get("deadlines") or [])
    return TellingParts(
        template=template,
        subject_ref=_subject_ref(key),
        facts=dict(meta.get("facts") or {}),
        business_day=_day(meta.get("business_day")),
        deadlines=tuple(d for d in told if d is not None),
    )


def _known_parts(session: Session, year: int) -> dict[int, TellingParts]:
    """Return the told parts of every outbox row of the campaign, reading only new rows' meta.

    Side effects: remembers them per database and campaign (`_KNOWN`); a database whose newest
    remembered row now holds another key (recreated) is read again from the start.
    """
    o = OutboxMessage
    cache_key = (session.get_bind().engine.url.render_as_string(hide_password=True), year)
    known = _KNOWN.get(cache_key)
    if known is not None and known.parts:
        newest = max(known.parts)
        key = fetch_columns(session, sa.select(col(o.idempotency_key)).where(col(o.id) == newest))
        if not key or key[0][0] != known.newest_key:
            known = None
    parts = dict(known.parts) if known is not None else {}
    last = max(parts, default=0)
    newest_key = known.newest_key if known is not None else ""
    for row_id, template, key, meta in fetch_columns(
        session,
        sa.select(col(o.id), col(o.template), col(o.idempotency_key), col(o.meta))
        .where(col(o.campaign_year) == year)
        .where(col(o.id) > last)
        .order_by(col(o.id)),
    ):
        parts[row_id] = _told(template, key, meta)
        newest_key = key
    _KNOWN[cache_key] = _Known(parts, newest_key)
    return parts


def mails(session: Session, year: int) -> tuple[MailRow, ...]:
    """Return every outbox row of the campaign without its bodies; reads (meta once, above)."""
    o = OutboxMessage
    parts = _known_parts(session, year)
    rows = fetch_columns(
        session,
        sa.select(col(o.id), col(o.status), col(o.lease_until)).where(col(o.campaign_year) == year),
    )
    return tuple(
        MailRow(
            id=row_id,
            template=parts[row_id].template,
            status=str(getattr(status, "value", status)),
            subject_ref=parts[row_id].subject_ref,
            facts=dict(parts[row_id].facts),
            business_day=parts[row_id].business_day,
            deadlines=parts[row_id].deadlines,
            lease_until=lease,
        )
        for row_id, status, lease in rows
        if row_id in parts
    )


def outbox_counts(session: Session, year: int) -> tuple[int, dict[str, int]]:
    """Return the outbox's row count and its count per status; reads."""
    o = OutboxMessage
    where = col(o.campaign_year) == year
    total = fetch_columns(session, sa.select(sa.func.count()).select_from(o).where(where))[0][0]
    counts = fetch_columns(
        session, sa.select(col(o.status), sa.func.count()).where(where).group_by(col(o.status))
    )
    return int(total), {str(getattr(s, "value", s)): int(n) for s, n in counts}
