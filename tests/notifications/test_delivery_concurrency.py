"""Delivery in time: the rate limit, two deliverers at once, a run cancelled midway."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from deliverykit import run_delivery, smtp_settings
from mailkit import T0, Clock, ScriptedStore, factory, message_id_counts, queue
from outboxkit import outbox_rows
from sqlalchemy.engine import Engine

from notifications.delivery import DeliveryReport, deliver
from notifications.mailers import make_mailer
from notifications.sink import SmtpSink
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus


def test_the_rate_limit_spaces_out_sends(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path, sink: SmtpSink
) -> None:
    queue(engine, campaign_2024, workspace, 6)
    settings = smtp_settings(workspace, sink.port, smtp_rate_per_second=20.0)

    started = time.perf_counter()
    report = run_delivery(engine, settings, Clock(T0))
    elapsed = time.perf_counter() - started

    assert report.sent == 6
    assert elapsed >= 0.25  # six slots 50 ms apart: the last starts 250 ms after the first


def test_two_deliverers_at_once_deliver_each_message_exactly_once(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    folder = workspace / "sink"
    queued = queue(engine, campaign_2024, workspace, 120)
    reports: dict[str, DeliveryReport] = {}
    start = threading.Barrier(2)

    def deliverer(name: str, port: int) -> None:
        settings = smtp_settings(workspace, port, smtp_connections=2)
        start.wait()
        reports[name] = run_delivery(engine, settings, worker_id=name, batch_size=6)

    with SmtpSink(folder, handler=ScriptedStore(folder, delay=0.004)) as server:
        threads = [threading.Thread(target=deliverer, args=(n, server.port)) for n in ("w1", "w2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

    rows = outbox_rows(engine)
    counts = message_id_counts(folder)
    assert sorted(counts.values()) == [1] * 120
    assert set(counts) == {r.message_id for r in rows}
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert reports["w1"].sent + reports["w2"].sent == len(queued) == 120
    assert reports["w1"].sent > 0
    assert reports["w2"].sent > 0


def test_a_cancelled_run_records_what_finished_and_marks_only_the_message_on_the_wire(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 10)
    folder = workspace / "sink"
    settings = smtp_settings(workspace, 0, smtp_connections=1)

    async def cancel_midway(port: int) -> None:
        mailer = make_mailer(settings.model_copy(update={"smtp_port": port}))
        run = asyncio.create_task(deliver(factory(engine), mailer, settings, clock=Clock(T0)))
        while len(list(folder.glob("*.eml"))) < 3:  # noqa: ASYNC110 (polls files a server writes)
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the fourth message is waiting for its reply
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run

    with SmtpSink(folder, handler=ScriptedStore(folder, delay=0.3)) as server:
        asyncio.run(cancel_midway(server.port))

    rows = outbox_rows(engine)
    statuses = [r.status for r in rows]
    assert (
        statuses == [OutboxStatus.SENT] * 3 + [OutboxStatus.AMBIGUOUS] + [OutboxStatus.QUEUED] * 6
    )
    assert rows[3].last_error == "ambiguous: delivery stopped while sending"
    assert [r.attempts for r in rows[4:]] == [0] * 6
    assert {r.handed_at for r in rows[4:]} == {None}
