"""Read outbox rows in tests, alone or with their bodies (the outbox_body table beside them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from notifications.claims import sent_bodies_of
from schemas.outbox_table import OutboxBody, OutboxMessage
from tasks.store import session_scope


class QueuedMail:
    """An outbox row read with its text and HTML bodies; the row's attributes pass through."""

    def __init__(self, row: OutboxMessage, body_text: str, body_html: str) -> None:
        self.row = row
        self.body_text = body_text
        self.body_html = body_html

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def with_bodies(session: Session, rows: Iterable[OutboxMessage]) -> list[QueuedMail]:
    """Return the rows, in order, each with its bodies (read in the caller's session)."""
    rows = list(rows)
    bodies = sent_bodies_of(session, [r.id for r in rows if r.id is not None])
    return [QueuedMail(r, *bodies[r.id][0]) for r in rows if r.id is not None]


def body_row(outbox_id: int, text: str, html: str) -> OutboxBody:
    """Return the outbox_body row of a test's hand-made outbox row."""
    return OutboxBody(outbox_id=outbox_id, body_text=text, body_html=html)


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    """Return every outbox row (without bodies) in id order, read in a session of its own."""
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
