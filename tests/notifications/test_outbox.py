"""The outbox on SQLite and PostgreSQL: idempotent enqueue, claims, named state changes."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from mailkit import DOMAIN, T0, factory, invitation, queue
from sqlalchemy.engine import Engine
from sqlmodel import select

from notifications.claims import claim
from notifications.headers import mailbox, message_id_for
from notifications.message_size import MessageTooLarge
from notifications.operators import OutboxMoveRefused, cancel, requeue
from notifications.outbox import (
    InvalidKeyPart,
    KeyHead,
    OutgoingMail,
    count_by_status,
    enqueue,
    enqueue_many,
    find_by_key,
    idempotency_key,
    key_head,
    list_messages,
    split_by_size,
)
from notifications.records import (
    Failure,
    Retry,
    Sent,
    mark_ambiguous,
    mark_failed,
    mark_retry,
    mark_sent,
    release,
)
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from tasks.common.campaigns import ensure_campaign
from tasks.store import session_scope

LEASE = timedelta(seconds=60)


def _rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


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

    [row] = _rows(engine)
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

    [row] = _rows(engine)
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
    assert len(_rows(engine)) == 2


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

    assert _rows(engine) == []


def test_claim_takes_due_rows_oldest_first_up_to_the_batch(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queued = queue(engine, campaign_2024, workspace, 5)
    with session_scope(engine) as session:
        later = session.get(OutboxMessage, queued[4].id)
        assert later is not None
        later.not_before = T0 + timedelta(hours=1)

    first = claim(factory(engine), "w1", batch=3, lease=LEASE, now=T0)
    second = claim(factory(engine), "w2", batch=3, lease=LEASE, now=T0)
    third = claim(factory(engine), "w2", batch=3, lease=LEASE, now=T0)

    ids = [q.id for q in queued]
    assert [m.id for m in first] == ids[:3]
    assert [m.id for m in second] == ids[3:4]
    assert third == []
    assert (first[0].recipient, first[0].recipient_name, first[0].attempts) == (
        "u0@unit0.example.com",
        "联系人0",
        0,
    )
    rows = _rows(engine)
    assert [(r.status, r.claimed_by, r.lease_until) for r in rows] == [
        (OutboxStatus.SENDING, "w1", T0 + LEASE),
        (OutboxStatus.SENDING, "w1", T0 + LEASE),
        (OutboxStatus.SENDING, "w1", T0 + LEASE),
        (OutboxStatus.SENDING, "w2", T0 + LEASE),
        (OutboxStatus.QUEUED, None, None),
    ]


def test_claim_can_be_limited_to_one_campaign_year(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 2)

    assert claim(factory(engine), "w1", batch=10, lease=LEASE, now=T0, campaign_year=2025) == []
    assert len(claim(factory(engine), "w1", batch=10, lease=LEASE, now=T0, campaign_year=2024)) == 2


def test_named_state_changes_set_every_related_field(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 5)
    a, b, c, d, e = (m.id for m in claim(factory(engine), "w1", batch=5, lease=LEASE, now=T0))
    at = T0 + timedelta(seconds=5)

    with session_scope(engine) as session:
        assert mark_sent(session, "w1", [Sent(a, "250 OK queued as 7")], now=at) == 1
        assert (
            mark_retry(
                session,
                "w1",
                [Retry(b, "SMTPDataError: 451 later", "451 later", at + timedelta(minutes=1))],
                now=at,
            )
            == 1
        )
        assert (
            mark_failed(session, "w1", [Failure(c, "SMTPDataError: 554 no", "554 no")], now=at) == 1
        )
        assert release(session, "w1", [d], reason="server unreachable", not_before=at) == 1
        assert mark_ambiguous(session, "w1", [e], reason="stopped", now=at) == 1

    rows = {r.id: r for r in _rows(engine)}
    fields = [
        (
            r.status,
            r.attempts,
            r.claimed_by,
            r.lease_until,
            r.sent_at,
            r.smtp_reply,
            r.last_error,
            r.not_before,
        )
        for r in (rows[a], rows[b], rows[c], rows[d])
    ]
    assert fields == [
        (OutboxStatus.SENT, 1, None, None, at, "250 OK queued as 7", None, T0),
        (
            OutboxStatus.QUEUED,
            1,
            None,
            None,
            None,
            "451 later",
            "SMTPDataError: 451 later",
            at + timedelta(minutes=1),
        ),
        (OutboxStatus.FAILED, 1, None, None, None, "554 no", "SMTPDataError: 554 no", T0),
        (OutboxStatus.QUEUED, 0, None, None, None, None, "not attempted: server unreachable", at),
    ]
    ambiguous = rows[e]
    assert (ambiguous.status, ambiguous.attempts, ambiguous.claimed_by, ambiguous.last_error) == (
        OutboxStatus.AMBIGUOUS,
        1,
        "w1",
        "ambiguous: stopped",
    )
    assert (
        ambiguous.operator_note
        == f"{at.isoformat(timespec='seconds')} w1: marked ambiguous: stopped"
    )


def test_a_worker_cannot_record_rows_it_does_not_hold(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 1)
    [mail] = claim(factory(engine), "w1", batch=1, lease=LEASE, now=T0)

    with session_scope(engine) as session:
        changed = mark_sent(session, "w2", [Sent(mail.id, "250 OK")], now=T0)

    assert changed == 0
    assert [r.status for r in _rows(engine)] == [OutboxStatus.SENDING]


def test_requeue_and_cancel_record_who_and_why(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 3)
    a, b, c = (m.id for m in claim(factory(engine), "w1", batch=3, lease=LEASE, now=T0))
    with session_scope(engine) as session:
        mark_failed(session, "w1", [Failure(a, "554 no", "554 no")], now=T0)
        mark_ambiguous(session, "w1", [b, c], reason="stopped", now=T0)
    at = T0 + timedelta(hours=1)

    with session_scope(engine) as session:
        assert requeue(session, [a, b], who="cli:wang", why="address fixed", now=at) == [a, b]
        assert cancel(session, [c], who="cli:wang", why="unit withdrew", now=at) == [c]

    rows = {r.id: r for r in _rows(engine)}
    stamp = at.isoformat(timespec="seconds")
    assert (rows[a].status, rows[a].attempts, rows[a].not_before, rows[a].claimed_by) == (
        OutboxStatus.QUEUED,
        0,
        at,
        None,
    )
    assert (
        rows[a].operator_note
        == f"{stamp} cli:wang: requeued (was failed, 1 attempts): address fixed"
    )
    assert rows[b].operator_note.splitlines()[-1] == (
        f"{stamp} cli:wang: requeued (was ambiguous, 1 attempts): address fixed"
    )
    assert (rows[c].status, rows[c].claimed_by) == (OutboxStatus.CANCELLED, None)
    assert (
        rows[c].operator_note.splitlines()[-1]
        == f"{stamp} cli:wang: cancelled (was ambiguous): unit withdrew"
    )


def test_a_refused_move_changes_nothing(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 2)
    a, b = (m.id for m in claim(factory(engine), "w1", batch=2, lease=LEASE, now=T0))
    with session_scope(engine) as session:
        mark_failed(session, "w1", [Failure(a, "554 no", "554 no")], now=T0)
        mark_sent(session, "w1", [Sent(b, "250 OK")], now=T0)

    with (
        pytest.raises(
            OutboxMoveRefused, match=rf"cannot requeue: #{b}: status is sent, #999: no such message"
        ),
        session_scope(engine) as session,
    ):
        requeue(session, [a, b, 999], who="cli:wang", why="retry", now=T0)
    with (
        pytest.raises(OutboxMoveRefused, match="who and why are required"),
        session_scope(engine) as session,
    ):
        cancel(session, [a], who="cli:wang", why=" ", now=T0)

    assert [r.status for r in _rows(engine)] == [OutboxStatus.FAILED, OutboxStatus.SENT]


def test_listing_and_counting(engine: Engine, campaign_2024: CampaignFile, workspace: Path) -> None:
    queued = queue(engine, campaign_2024, workspace, 3)
    [first] = claim(factory(engine), "w1", batch=1, lease=LEASE, now=T0)
    with session_scope(engine) as session:
        mark_failed(session, "w1", [Failure(first.id, "554 no", "554 no")], now=T0)

    with session_scope(engine) as session:
        counts = count_by_status(session)
        failed = list_messages(session, statuses=[OutboxStatus.FAILED])
        invitations = list_messages(session, template="invitation", limit=2)
        none_2025 = list_messages(session, campaign_year=2025)
        found = find_by_key(session, queued[2].key)
        total = session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one()

    assert counts == {
        "queued": 2,
        "sending": 0,
        "sent": 0,
        "failed": 1,
        "ambiguous": 0,
        "cancelled": 0,
    }
    assert [(m.id, m.last_error) for m in failed] == [(first.id, "554 no")]
    assert [m.id for m in invitations] == [queued[0].id, queued[1].id]
    assert none_2025 == []
    assert found is not None
    assert found.recipient == "u2@unit2.example.com"
    assert total == 3


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
    assert len(_rows(engine)) == 1


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
    assert _rows(engine) == []
