"""Scheduled delivery on the real engine: due mail goes out though nothing new was queued."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from mailkit import T0, factory, queue
from sqlalchemy.engine import Engine

from notifications.claims import claim
from notifications.mailers import FILE_MAILER_FOLDER
from notifications.outbox import list_messages
from notifications.records import Retry, mark_retry
from notifications.sink import count_eml, free_port
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.store import make_engine, session_scope

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def retried_rows(campaign: CampaignFile, workspace: Path) -> tuple[Engine, int, int]:
    """Two rows a deliverer tried and put back: one due a minute ago, one due in an hour."""
    engine = make_engine(Settings())
    due, later = (e.id for e in queue(engine, campaign, workspace, 2))
    claim(factory(engine), "w1", batch=2, lease=timedelta(minutes=5), now=T0)
    now = now_utc()
    with session_scope(engine) as session:
        mark_retry(
            session,
            "w1",
            [
                Retry(due, "451 4.3.0 try later", "451 4.3.0", now - timedelta(minutes=1)),
                Retry(later, "451 4.3.0 try later", "451 4.3.0", now + timedelta(hours=1)),
            ],
            now=T0,
        )
    return engine, due, later


def statuses(engine: Engine) -> dict[int, OutboxStatus]:
    with session_scope(engine) as session:
        return {m.id: m.status for m in list_messages(session, limit=None)}


def test_deliver_sends_a_retry_whose_backoff_passed_and_leaves_the_one_still_waiting(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    from flows.deliver import deliver

    engine, due, later = retried_rows(campaign_2024, workspace)

    report = deliver()
    again = deliver()

    assert report is not None
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert statuses(engine) == {due: OutboxStatus.SENT, later: OutboxStatus.QUEUED}
    assert count_eml(workspace.joinpath(*FILE_MAILER_FOLDER)) == 1
    assert again is None  # nothing due: one count query, no delivery


def test_deliver_takes_up_a_row_whose_deliverer_stopped_and_its_lease_lapsed(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    from flows.deliver import deliver

    engine = make_engine(Settings())
    [row] = (e.id for e in queue(engine, campaign_2024, workspace, 1))
    claim(factory(engine), "crashed", batch=1, lease=timedelta(minutes=5), now=T0)

    report = deliver()

    assert report is not None
    assert statuses(engine)[row] != OutboxStatus.SENDING  # recovered, by whichever rule applies


def test_deliver_fails_with_the_reason_when_the_server_cannot_be_reached(
    campaign_2024: CampaignFile, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.deliver import deliver

    monkeypatch.setenv("CAMPAIGN_MAILER", "smtp")
    monkeypatch.setenv("CAMPAIGN_SMTP_PORT", str(free_port()))  # nobody listens there
    monkeypatch.setenv("CAMPAIGN_SMTP_CONNECTIONS", "1")
    engine = make_engine(Settings())
    ids = [e.id for e in queue(engine, campaign_2024, workspace, 3)]  # all due since T0

    state = deliver(return_state=True)

    assert state.is_failed()
    assert "outbox delivery stopped" in str(state.message)
    assert statuses(engine) == dict.fromkeys(ids, OutboxStatus.QUEUED)  # they wait
