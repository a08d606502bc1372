"""Reading the outbox: what a scheduled deliverer finds due, and the operators' listing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mailkit import T0, factory, queue
from sqlalchemy.engine import Engine

from notifications.claims import claim
from notifications.outbox_views import count_due, count_messages, list_messages
from notifications.records import Failure, Retry, mark_failed, mark_retry
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from tasks.store import session_scope

LEASE = timedelta(minutes=5)


def test_count_due_counts_queued_rows_whose_time_came_and_lapsed_leases(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    # 0: retry due at T0+10min; 1: retry due at T0+1h; 2: failed; 3: sending, lease to T0+5min;
    # 4: queued, due from T0.
    ids = [e.id for e in queue(engine, campaign_2024, workspace, 5)]
    claimed = [m.id for m in claim(factory(engine), "w1", batch=4, lease=LEASE, now=T0)]
    assert claimed == ids[:4]
    with session_scope(engine) as session:
        mark_retry(
            session,
            "w1",
            [
                Retry(ids[0], "451 later", "451 later", T0 + timedelta(minutes=10)),
                Retry(ids[1], "451 later", "451 later", T0 + timedelta(hours=1)),
            ],
            now=T0,
        )
        mark_failed(session, "w1", [Failure(ids[2], "554 no", "554 no")], now=T0)

    with session_scope(engine) as session:
        before = count_due(session, now=T0)
        after_lease = count_due(session, now=T0 + timedelta(minutes=6))
        after_backoff = count_due(session, now=T0 + timedelta(minutes=11))
        every_retry = count_due(session, now=T0 + timedelta(hours=2))
        other_year = count_due(session, now=T0 + timedelta(hours=2), campaign_year=2025)

    assert (before, after_lease, after_backoff, every_retry, other_year) == (1, 2, 3, 4, 0)


def test_the_listing_shows_the_newest_first_and_counts_every_match(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    ids = [e.id for e in queue(engine, campaign_2024, workspace, 5)]
    [first] = claim(factory(engine), "w1", batch=1, lease=LEASE, now=T0)
    with session_scope(engine) as session:
        mark_failed(session, "w1", [Failure(first.id, "554 no", "554 no")], now=T0)

    with session_scope(engine) as session:
        newest = [m.id for m in list_messages(session, limit=2, newest_first=True)]
        oldest = [m.id for m in list_messages(session, limit=2)]
        queued = count_messages(session, statuses=[OutboxStatus.QUEUED])
        everything = count_messages(session, template="invitation", campaign_year=2024)
        none = count_messages(session, template="digest")

    assert newest == [ids[4], ids[3]]
    assert oldest == [ids[0], ids[1]]
    assert (queued, everything, none) == (4, 5, 0)
