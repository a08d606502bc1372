"""The delivery's most frequent writes as plain SQL text, run on the session's connection.

A deliverer marks rows handed over before every few messages and records each message once
(records.py `mark_handed`, `mark_sent`). Through SQLAlchemy Core each call compiled and
processed its statement (0.16 ms of CPU a hand-over on top of SQLite's own 0.3 ms); here the
statement is text written once per database and placeholder count and given to the driver
through `Connection.exec_driver_sql`, inside the caller's transaction (BEGIN IMMEDIATE on
SQLite, errors wrapped by SQLAlchemy as usual, parameters hidden). Values are converted by the
columns' own bind processors, so a timestamp is stored exactly as the Core statement stores
it. SQLite (qmark) and PostgreSQL (psycopg, %s) are covered; another driver gets None from
`placeholder` and the caller uses its Core statement. This module does not decide what to write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlmodel import Session

from notifications.claims import HELD_STATUS_SQL, OUTBOX
from schemas.enums import OutboxStatus

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_TABLE = OUTBOX.name


def placeholder(session: Session) -> str | None:
    """Return the driver's positional placeholder for the session's database, None if unknown."""
    return _PLACEHOLDERS.get(session.get_bind().dialect.paramstyle)


@functools.lru_cache(maxsize=8)
def _timestamp(dialect: Dialect) -> Callable[[datetime], Any]:
    """Return the conversion of an aware timestamp to what the driver stores (the column type's)."""
    process = OUTBOX.c.handed_at.type.bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def timestamp(session: Session, value: datetime) -> Any:
    """Return `value` as the timestamp columns bind it on the session's database."""
    return _timestamp(session.get_bind().dialect)(value)


@functools.lru_cache(maxsize=128)
def hand_over_sql(mark: str, count: int) -> str:
    """Return the UPDATE that sets handed_at on `count` ids still sending for a worker. Pure.

    Parameters: handed_at, the ids, the worker, the sending status; returns the ids changed.
    The ids are looked up by primary key, not the due index (claims.py HELD_STATUS_SQL).
    """
    ids = ", ".join([mark] * count)
    return (
        f"UPDATE {_TABLE} SET handed_at = {mark} WHERE id IN ({ids}) "
        f"AND claimed_by = {mark} AND {HELD_STATUS_SQL} = {mark} RETURNING id"
    )


def hand_over(
    session: Session, mark: str, worker_id: str, ids: Sequence[int], now: datetime
) -> list[int]:
    """Mark `ids` handed over (the rows `worker_id` is sending); return those changed. Writes."""
    params = (timestamp(session, now), *ids, worker_id, OutboxStatus.SENDING.value)
    rows = session.connection().exec_driver_sql(hand_over_sql(mark, len(ids)), params)
    return sorted(r[0] for r in rows)


@functools.lru_cache(maxsize=4)
def sent_sql(mark: str) -> str:
    """Return the UPDATE that records one accepted message of a worker's (executemany). Pure.

    Parameters: sent status, sent_at, reply, id, worker, the two holding statuses.
    """
    return (
        f"UPDATE {_TABLE} SET status = {mark}, sent_at = {mark}, smtp_reply = {mark}, "
        "last_error = NULL, attempts = attempts + 1, claimed_by = NULL, lease_until = NULL "
        f"WHERE id = {mark} AND claimed_by = {mark} AND (status = {mark} OR status = {mark})"
    )


def record_sent(
    session: Session, mark: str, worker_id: str, sent: Sequence[tuple[int, str]], now: datetime
) -> int:
    """Record accepted messages, (id, reply) each, held by `worker_id`; return rows changed."""
    at = timestamp(session, now)
    holding = (OutboxStatus.SENDING.value, OutboxStatus.AMBIGUOUS.value)
    params = [(OutboxStatus.SENT.value, at, reply, i, worker_id, *holding) for i, reply in sent]
    result = session.connection().exec_driver_sql(sent_sql(mark), params)
    return int(result.rowcount)
