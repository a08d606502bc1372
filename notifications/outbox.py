"""Put mail into the outbox, in the caller's transaction, exactly once per idempotency key.

`enqueue` / `enqueue_many` write OutboxMessage rows (and each one's OutboxBody: the text and HTML
bodies, also encoded as they are sent, kept apart from the delivery state) in the session the
business change uses, so the mail exists if and only if the change commits. The idempotency key
names the campaign, the template, the subject record and its version (or deadline), and the
recipient; enqueuing the same key again is a no-op that returns the existing row (INSERT .. ON
CONFLICT DO NOTHING on both databases). Each queued row's meta also keeps what the audit reads: the
mail's facts (what a letter states, e.g. the decided version it tells), the business day it was
queued on and the deadlines it tells (`RenderedMail.deadlines`). A mail larger than the cap as sent
(bodies and attachments in base64, message_size.py) is refused here: `split_by_size` sorts such
mails out with their reasons, and `enqueue_many` raises MessageTooLarge for one it is handed anyway.
The read-only listing and counting live in outbox_views.py (re-exported here). This module does not
send mail and does not change a row's delivery state (claims.py, records.py and operators.py do).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from notifications.headers import SUBJECT_MAX, Mailbox, clean_header_text, message_id_for
from notifications.message import alternative_part, attachment_path, workspace_relative
from notifications.message_size import MessageTooLarge, SizeRefusal, size_refusal
from notifications.outbox_views import OutboxView as OutboxView
from notifications.outbox_views import count_by_status as count_by_status
from notifications.outbox_views import find_by_key as find_by_key
from notifications.outbox_views import list_messages as list_messages
from notifications.render import RenderedMail
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxBody, OutboxMessage
from schemas.sqltypes import now_utc

KEY_MAX = 255
KEY_SEPARATOR = "|"
INSERT_CHUNK = 500
OUTBOX: sa.Table = SQLModel.metadata.tables[str(OutboxMessage.__tablename__)]
BODIES: sa.Table = SQLModel.metadata.tables[str(OutboxBody.__tablename__)]


class InvalidKeyPart(Exception):
    """A part of an idempotency key holds the separator or is empty; carries the value."""

    def __init__(self, part: str, value: str) -> None:
        self.part = part
        self.value = value
        super().__init__(
            f"idempotency key part {part}={value!r} is empty or holds {KEY_SEPARATOR!r}"
        )


def idempotency_key(
    campaign_year: int,
    template: str,
    subject_ref: str,
    version: str | int | date,
    recipient: str,
) -> str:
    """Return the key `<year>|<template>|<subject_ref>|<version>|<recipient>`. Pure.

    `subject_ref` names the record the mail is about (`participation:17`, `submission:42`);
    `version` is its version or the deadline and kind a reminder is for (`2`,
    `receipt@<date>:T-3`). The recipient comes last, lower-cased; if the key would pass 255
    characters the recipient is replaced by `sha256:<hex>` of it.
    """
    version_text = version.isoformat() if isinstance(version, date) else str(version)
    parts = {"template": template, "subject_ref": subject_ref, "version": version_text}
    for name, value in parts.items():
        if not value or KEY_SEPARATOR in value:
            raise InvalidKeyPart(name, value)
    head = KEY_SEPARATOR.join([str(campaign_year), template, subject_ref, version_text])
    who = recipient.strip().lower()
    key = f"{head}{KEY_SEPARATOR}{who}"
    if len(key) > KEY_MAX:
        key = f"{head}{KEY_SEPARATOR}sha256:{hashlib.sha256(who.encode()).hexdigest()}"
    if len(key) > KEY_MAX:
        raise InvalidKeyPart("subject_ref", head)
    return key


class KeyHead(NamedTuple):
    """What an idempotency key says about its mail: the template, the record and its version."""

    template: str
    subject_ref: str
    version: str


def key_head(key: str) -> KeyHead:
    """Return the template, subject_ref and version of a key made by `idempotency_key`. Pure."""
    _, template, subject_ref, version = key.split(KEY_SEPARATOR, 4)[:4]
    return KeyHead(template, subject_ref, version)


class OutgoingMail(BaseModel):
    """One mail to put in the outbox: who, what (rendered), about which record and version.

    `facts` are plain JSON values the mail states (a feedback letter's participation_id, round,
    version, decision, score, grade), kept in the row's meta for `campaign audit`.
    """

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    to: Mailbox
    mail: RenderedMail
    subject_ref: str
    version: str | int | date
    attachments: tuple[str, ...] = ()
    not_before: datetime | None = None
    facts: dict[str, Any] = Field(default_factory=dict)  # the decided values the mail states

    @property
    def key(self) -> str:
        """The idempotency key of this mail."""
        return idempotency_key(
            self.campaign_year, self.mail.template, self.subject_ref, self.version, self.to.address
        )


class Enqueued(BaseModel):
    """The outbox row that stands for one OutgoingMail, and whether this call created it."""

    model_config = ConfigDict(frozen=True)

    id: int
    key: str
    created: bool


def _insert(session: Session) -> Any:
    """Return the dialect's INSERT construct (both have on_conflict_do_nothing)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(OUTBOX)
    if dialect == "sqlite":
        return sqlite.insert(OUTBOX)
    raise NotImplementedError(f"the outbox supports sqlite and postgresql, not {dialect}")


def row_meta(mail: OutgoingMail, business_day: date | None) -> dict[str, Any]:
    """Return the meta of a new queued row: recipient name, facts, business day, deadlines and
    the reply address (when the mail has one). Pure."""
    return {
        "recipient_name": mail.to.name,
        "facts": dict(mail.facts),
        "business_day": None if business_day is None else business_day.isoformat(),
        "deadlines": [d.isoformat() for d in mail.mail.deadlines],
        **({"reply_to": mail.mail.reply_to} if mail.mail.reply_to else {}),
    }


def _row_values(
    mail: OutgoingMail,
    workspace: Path,
    message_id_domain: str,
    now: datetime,
    business_day: date | None,
) -> dict[str, Any]:
    """Return the column values of a new queued row (checks attachments; reads metadata)."""
    key = mail.key
    return {
        "campaign_year": mail.campaign_year,
        "idempotency_key": key,
        "template": mail.mail.template,
        "recipient": mail.to.address,
        "subject": clean_header_text(mail.mail.subject, limit=SUBJECT_MAX),
        "attachments": [workspace_relative(workspace, a) for a in mail.attachments],
        "meta": row_meta(mail, business_day),
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "not_before": mail.not_before or now,
        "message_id": message_id_for(key, message_id_domain),
        "created_at": now,
    }


def mail_size_refusal(mail: OutgoingMail, workspace: Path, limit: int) -> SizeRefusal | None:
    """Return why `mail` is too large to queue (estimated as sent), or None. Reads file sizes.

    Attachments must be files inside the workspace (AttachmentRefused otherwise).
    """
    files = [attachment_path(workspace, a) for a in mail.attachments]
    return size_refusal(
        template=mail.mail.template,
        subject_ref=mail.subject_ref,
        text=mail.mail.text,
        html=mail.mail.html,
        attachments=[(f.name, f.stat().st_size) for f in files],
        limit=limit,
    )


def split_by_size(
    mails: Sequence[OutgoingMail], *, workspace: Path, limit: int
) -> tuple[list[OutgoingMail], list[SizeRefusal]]:
    """Return the mails that fit under `limit` and the refusals of those that do not.

    Reads the attachments' sizes (never their contents).
    """
    fitting: list[OutgoingMail] = []
    refused: list[SizeRefusal] = []
    for mail in mails:
        refusal = mail_size_refusal(mail, workspace, limit)
        if refusal is None:
            fitting.append(mail)
        else:
            refused.append(refusal)
    return fitting, refused


def enqueue_many(
    session: Session,
    mails: Sequence[OutgoingMail],
    *,
    workspace: Path,
    message_id_domain: str,
    now: datetime | None = None,
    business_day: date | None = None,
    max_message_bytes: int | None = None,
) -> list[Enqueued]:
    """Add the mails to the outbox in the caller's transaction; return one Enqueued per mail.

    `business_day` is the campaign day the mail is queued on (stored in meta for the audit).
    A key that is already in the outbox (or twice in `mails`, or inserted meanwhile by a
    concurrent transaction) is not inserted again: its Enqueued has created=False.
    Attachments must be files inside the workspace (AttachmentRefused otherwise) and are
    stored relative to it. With `max_message_bytes`, a new mail larger than that as sent raises
    MessageTooLarge before anything is written (sort such mails out first: `split_by_size`).
    Nothing is committed here.
    """
    at = now or now_utc()
    keys = [m.key for m in mails]
    existing = set(_ids_by_key(session, keys))
    values: dict[str, dict[str, Any]] = {}
    new: dict[str, OutgoingMail] = {}
    for mail, key in zip(mails, keys, strict=True):
        if key in existing or key in values:
            continue
        if max_message_bytes is not None:
            refusal = mail_size_refusal(mail, workspace, max_message_bytes)
            if refusal is not None:
                raise MessageTooLarge(refusal)
        values[key] = _row_values(mail, workspace, message_id_domain, at, business_day)
        new[key] = mail
    pending = list(values.values())
    inserted: set[str] = set()
    stmt = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OUTBOX.c.idempotency_key)
    )
    for start in range(0, len(pending), INSERT_CHUNK):
        inserted.update(session.execute(stmt, pending[start : start + INSERT_CHUNK]).scalars())
    ids = _ids_by_key(session, keys)
    _insert_bodies(session, {ids[k]: mail for k, mail in new.items() if k in inserted})
    first_seen: set[str] = set()
    result: list[Enqueued] = []
    for key in keys:
        created = key in inserted and key not in first_seen
        first_seen.add(key)
        result.append(Enqueued(id=ids[key], key=key, created=created))
    return result


def _insert_bodies(session: Session, mails: dict[int, OutgoingMail]) -> None:
    """Write the bodies of newly queued mails (by outbox id), also as sent, to outbox_body.

    Runs in the caller's transaction.
    """
    bodies = [
        {
            "outbox_id": outbox_id,
            "body_text": mail.mail.text,
            "body_html": mail.mail.html,
            "alternative": alternative_part(mail.mail.text, mail.mail.html),
        }
        for outbox_id, mail in mails.items()
    ]
    for start in range(0, len(bodies), INSERT_CHUNK):
        session.execute(sa.insert(BODIES), bodies[start : start + INSERT_CHUNK])


def enqueue(
    session: Session,
    mail: OutgoingMail,
    *,
    workspace: Path,
    message_id_domain: str,
    now: datetime | None = None,
    business_day: date | None = None,
    max_message_bytes: int | None = None,
) -> Enqueued:
    """Add one mail to the outbox in the caller's transaction (a no-op if its key exists).

    Raises MessageTooLarge for a new mail over `max_message_bytes` (as `enqueue_many`).
    """
    [one] = enqueue_many(
        session,
        [mail],
        workspace=workspace,
        message_id_domain=message_id_domain,
        now=now,
        business_day=business_day,
        max_message_bytes=max_message_bytes,
    )
    return one


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Return which of these idempotency keys are in the outbox already (read-only)."""
    return set(_ids_by_key(session, keys))


def _ids_by_key(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Return the ids of the outbox rows with these keys (read-only, chunked)."""
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), INSERT_CHUNK):
        chunk = wanted[start : start + INSERT_CHUNK]
        stmt = select(OutboxMessage.idempotency_key, OutboxMessage.id).where(
            col(OutboxMessage.idempotency_key).in_(chunk)
        )
        for key, row_id in session.exec(stmt):
            assert row_id is not None
            found[key] = row_id
    return found
