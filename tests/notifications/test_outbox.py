"""The outbox on SQLite and PostgreSQL: idempotency keys and idempotent, transactional enqueue."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
from mailkit import DOMAIN, T0, invitation
from outboxkit import outbox_rows
from sqlalchemy.engine import Engine

from notifications.headers import mailbox, message_id_for
from notifications.message_size import MessageTooLarge
from notifications.outbox import (
    InvalidKeyPart,
    KeyHead,
    OutgoingMail,
    enqueue,
    enqueue_many,
    idempotency_key,
    key_head,
    split_by_size,
)
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from tasks.common.campaigns import ensure_campaign
from tasks.store import session_scope


def _mail(
    campaign: CampaignFile, version: str = "1", to: str = "Li@Unit.Example.com"
) -> OutgoingMail:
    return OutgoingMail(
        campaign_year=2024,
        to=mailbox(to, "李明"),
        mail=invitation(campaign),
        subject_ref="participation:17",
        version=version,
    )


def test_the_idempotency_key_names_year_template_record_version_and_recipient() -> None:
    key = idempotency_key(
        2024,
        "deadline_reminder",
        "participation:17",
        "receipt@2024-11-15:T-3",
        "Li@Unit.Example.com",
    )

    assert (
        key == "2024|deadline_reminder|participation:17|receipt@2024-11-15:T-3|li@unit.example.com"
    )


def test_an_over_long_key_hashes_the_recipient() -> None:
    recipient = "a" * 64 + "@" + "b" * 180 + ".example.com"

    key = idempotency_key(2024, "invitation", "participation:1", 1, recipient)

    assert key.startswith("2024|invitation|participation:1|1|sha256:")
    assert len(key) == len("2024|invitation|participation:1|1|sha256:") + 64


@pytest.mark.parametrize(
    ("part", "value"), [("template", "a|b"), ("version", ""), ("subject_ref", "x|y")]
)
def test_a_key_part_holding_the_separator_is_refused(part: str, value: str) -> None:
    parts = {"template": "invitation", "subject_ref": "participation:1", "version": "1"} | {
        part: value
    }

    with pytest.raises(InvalidKeyPart, match=f"{part}="):
        idempotency_key(
            2024, parts["template"], parts["subject_ref"], parts["version"], "a@b.example.com"
        )


def test_enqueue_twice_with_the_same_key_keeps_one_row(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, T0)
        first = enqueue(
            session, _mail(campaign_2024), workspace=workspace, message_id_domain=DOMAIN, now=T0
        )
    with session_scope(engine) as session:
        again = enqueue(
            session, _mail(campaign_2024), workspace=workspace, message_id_domain=DOMAIN, now=T0
        )

    [row] = outbox_rows(engine)
    key = "2024|invitation|participation:17|1|li@unit.example.com"
    assert (first.created, again.created, first.id, again.id, first.key) == (
        True,
        False,
        row.id,
        row.id,
        key,
    )
    assert (row.status, row.attempts, row.recipient, row.meta) == (
        OutboxStatus.QUEUED,
        0,
        "Li@unit.example.com",
        {
            "recipient_name": "李明",
            "facts": {},
            "business_day": None,
            "deadlines": ["2024-11-15"],
            "reply_to": "csr-office@example.org",
        },
    )
    assert row.message_id == message_id_for(key, DOMAIN)
    assert (row.not_before, row.created_at) == (T0, T0)


def test_a_queued_row_keeps_the_mails_facts_business_day_and_deadlines(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    facts = {"participation_id": 17, "round": 1, "version": 2, "decision": "pass"}
    mail = _mail(campaign_2024).model_copy(update={"facts": facts})
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, T0)
        enqueue(
            session,
            mail,
            workspace=workspace,
            message_id_domain=DOMAIN,
            now=T0,
            business_day=date(2024, 11, 11),
        )

    [row] = outbox_rows(engine)
    assert row.meta == {
        "recipient_name": "李明",
        "facts": facts,
        "business_day": "2024-11-11",
        "deadlines": ["2024-11-15"],
        "reply_to": "csr-office@example.org",
    }


def test_a_new_version_of_the_subject_record_is_a_new_mail(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, T0)
        results = [
            enqueue(session, _mail(campaign_2024, v), workspace=workspace, message_id_domain=DOMAIN)
            for v in ("1", "2", "1")
        ]

    assert [r.created for r in results] == [True, True, False]
    assert len(outbox_rows(engine)) == 2


def test_enqueue_belongs_to_the_callers_transaction(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, T0)

    class BusinessChangeFailed(Exception):
        pass

    def change_that_fails() -> None:
        with session_scope(engine) as session:
            enqueue(session, _mail(campaign_2024), workspace=workspace, message_id_domain=DOMAIN)
            raise BusinessChangeFailed

    with pytest.raises(BusinessChangeFailed):
        change_that_fails()

    assert outbox_rows(engine) == []


def test_two_transactions_enqueueing_the_same_key_at_once_make_one_row(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, T0)
    start = threading.Barrier(2)
    created: list[bool] = []

    def enqueue_once() -> None:
        start.wait()
        with session_scope(engine) as session:
            one = enqueue(
                session, _mail(campaign_2024), workspace=workspace, message_id_domain=DOMAIN
            )
            time.sleep(0.05)  # hold the transaction open while the other one tries
        created.append(one.created)

    threads = [threading.Thread(target=enqueue_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(created) == [False, True]
    assert len(outbox_rows(engine)) == 1


def test_the_subject_reference_is_read_back_from_a_key() -> None:
    short = idempotency_key(2024, "commendation_invitation", "commendation:7", 1, "a@example.com")
    long = idempotency_key(2024, "release_notice", "participation:12", 1, "x" * 300 + "@ex.com")
    assert key_head(short) == KeyHead("commendation_invitation", "commendation:7", "1")
    assert key_head(short).subject_ref == "commendation:7"
    assert "sha256:" in long  # the recipient was hashed; the reference is still there
    assert key_head(long) == KeyHead("release_notice", "participation:12", "1")


def test_a_mail_over_the_size_cap_is_refused_before_anything_is_written(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    (workspace / "big.pdf").write_bytes(b"\0" * 300_000)
    (workspace / "small.ics").write_bytes(b"\0" * 1_000)
    small = _mail(campaign_2024, version="small").model_copy(update={"attachments": ("small.ics",)})
    big = _mail(campaign_2024, version="big").model_copy(update={"attachments": ("big.pdf",)})

    fitting, refused = split_by_size([small, big], workspace=workspace, limit=200_000)
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, T0)
    # The refusal is caught inside the transaction, which then commits: nothing was added.
    with (
        session_scope(engine) as session,
        pytest.raises(MessageTooLarge, match=r"participation:17: mail too large: .* big\.pdf"),
    ):
        enqueue_many(
            session,
            [small, big],
            workspace=workspace,
            message_id_domain=DOMAIN,
            now=T0,
            max_message_bytes=200_000,
        )

    assert fitting == [small]
    assert [(r.files, r.limit_bytes) for r in refused] == [(("big.pdf",), 200_000)]
    assert "li@unit.example.com" not in refused[0].reason_en + refused[0].reason_zh
    assert outbox_rows(engine) == []
