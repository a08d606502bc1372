"""The outbox table: every mail the campaign sends is a row here before it goes on the wire.

The row's status moves only through the named functions in notifications/outbox.py, which set
status, attempts, timestamps and errors together. A row is never deleted, so its idempotency key is
never reused. The mail's text and HTML bodies are written once, when it is queued, into
`outbox_body` beside it (also as sent: the encoded text + HTML part), and never change: the delivery
state is rewritten three times for every mail (claimed, handed over, sent), and on SQLite every
UPDATE rewrites the whole row, so rows that carried their 5-10 KB of bodies cost twice the CPU per
mail to deliver (docs/architecture.md).
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schemas.enums import OutboxStatus
from schemas.sqltypes import enum_column, now_utc, utc_column


class OutboxMessage(SQLModel, table=True):
    """One outgoing mail and its delivery state."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_year: int = Field(foreign_key="campaign.year", index=True)
    idempotency_key: str = Field(max_length=255, unique=True)
    template: str = Field(max_length=64)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=500)
    attachments: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    status: OutboxStatus = Field(sa_column=enum_column(OutboxStatus))
    attempts: int = 0
    not_before: datetime = Field(default_factory=now_utc, sa_column=utc_column(nullable=False))
    claimed_by: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_column=utc_column())
    # set, in small groups, just before a claimed message is handed to the server; a crash
    # leaves ambiguous only rows with it set (the rest go back to the queue)
    handed_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    smtp_reply: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    message_id: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=now_utc, sa_column=utc_column(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    operator_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class OutboxBody(SQLModel, table=True):
    """The text and HTML bodies of one outgoing mail, as queued (written once, never changed).

    `alternative` is the same two bodies as they go on the wire (the multipart/alternative part,
    notifications/message.py `alternative_part`), written at queue time so that delivery does not
    encode them again; None for mails queued before it was kept (they are encoded at delivery).
    """

    __tablename__ = "outbox_body"

    outbox_id: int = Field(
        foreign_key="outbox_message.id",
        primary_key=True,
        sa_column_kwargs={"autoincrement": False},
    )
    body_text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    body_html: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    alternative: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary))
