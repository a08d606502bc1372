"""The outbox on SQLite and PostgreSQL: claims, named state changes, operator moves, listings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from mailkit import T0, factory, queue
from outboxkit import outbox_rows
from sqlalchemy.engine import Engine

from notifications.claims import claim
from notifications.operators import OutboxMoveRefused, cancel, requeue
from notifications.outbox import count_by_status, find_by_key, list_messages
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
from tasks.store import session_scope

LEASE = timedelta(seconds=60)


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
    rows = outbox_rows(engine)
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

    rows = {r.id: r for r in outbox_rows(engine)}
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
    assert [r.status for r in outbox_rows(engine)] == [OutboxStatus.SENDING]


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

    rows = {r.id: r for r in outbox_rows(engine)}
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

    assert [r.status for r in outbox_rows(engine)] == [OutboxStatus.FAILED, OutboxStatus.SENT]


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
