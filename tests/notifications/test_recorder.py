"""Results are written as they come, and a failing lease renewal never loses them.

Against a real aiosmtpd server that answers slowly and a real SQLite database: one test watches
the outbox from another thread while a run is sending; one makes every lease renewal fail with a
real database error (a trigger) and checks that the delivered messages still end `sent`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from mailkit import ScriptedStore, factory, message_id_counts, queue
from sqlalchemy.engine import Engine
from sqlmodel import select

from notifications.claims import ClaimedMail, claim
from notifications.delivery import DeliveryReport, deliver
from notifications.mailers import make_mailer
from notifications.recorder import INTERRUPTED, Ambiguous, Recorded, Recorder, results_of
from notifications.sink import SmtpSink
from notifications.verdicts import Outcome, Verdict
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.store import session_scope

T0 = datetime(2024, 11, 11, 1, 0, tzinfo=UTC)
REFUSE_RENEWAL = """
CREATE TRIGGER refuse_renewal BEFORE UPDATE OF lease_until ON outbox_message
WHEN OLD.status = 'sending' AND NEW.status = 'sending' AND NEW.lease_until > OLD.lease_until
BEGIN SELECT RAISE(ABORT, 'renewal refused by the test'); END
"""


def _settings(workspace: Path, port: int) -> Settings:
    return Settings(
        workspace=workspace,
        mailer="smtp",
        smtp_port=port,
        smtp_connections=1,
        smtp_timeout_seconds=5.0,
    )


def _statuses(engine: Engine) -> list[OutboxStatus]:
    with session_scope(engine) as session:
        return [r.status for r in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]


def _deliver(engine: Engine, settings: Settings, lease: timedelta) -> DeliveryReport:
    mailer = make_mailer(settings)
    return asyncio.run(deliver(factory(engine), mailer, settings, lease=lease, clock=now_utc))


def test_results_reach_the_outbox_while_the_batch_is_still_sending(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 10, not_before=None, now=now_utc())
    folder = workspace / "sink"
    seen: list[tuple[int, int]] = []  # (sent, sending) as another thread saw them
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            statuses = _statuses(engine)
            seen.append((statuses.count(OutboxStatus.SENT), statuses.count(OutboxStatus.SENDING)))
            time.sleep(0.05)

    with SmtpSink(folder, handler=ScriptedStore(folder, delay=0.3)) as server:
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            report = _deliver(engine, _settings(workspace, server.port), timedelta(minutes=5))
        finally:
            done.set()
            watcher.join()

    assert (report.sent, report.batches) == (10, 1)
    assert any(sent > 0 and sending > 0 for sent, sending in seen), seen  # written mid-batch
    assert _statuses(engine) == [OutboxStatus.SENT] * 10


def test_a_failing_lease_renewal_is_logged_and_every_delivered_message_ends_sent(
    engine: Engine,
    campaign_2024: CampaignFile,
    workspace: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the injected fault is a SQLite trigger")
    queued = queue(engine, campaign_2024, workspace, 6, not_before=None, now=now_utc())
    with engine.begin() as connection:
        connection.execute(sa.text(REFUSE_RENEWAL))
    folder = workspace / "sink"
    caplog.set_level(logging.INFO)

    with SmtpSink(folder, handler=ScriptedStore(folder, delay=0.25)) as server:
        report = _deliver(engine, _settings(workspace, server.port), timedelta(seconds=0.6))

    failures = [r.getMessage() for r in caplog.records if "renewing" in r.getMessage()]
    assert failures, caplog.text  # renewal really failed, more than once, and was logged
    assert all(
        m.startswith("renewing the delivery lease failed (will retry): IntegrityError")
        for m in failures
    )
    assert "example.com" not in caplog.text  # no recipient in any log line
    assert (report.sent, report.ambiguous) == (6, 0)
    assert _statuses(engine) == [OutboxStatus.SENT] * 6
    assert sorted(message_id_counts(folder).values()) == [1] * len(queued)


def _mail(row_id: int, attempts: int) -> ClaimedMail:
    return ClaimedMail(
        id=row_id,
        campaign_year=2024,
        key=f"k{row_id}",
        template="invitation",
        recipient=f"u{row_id}@example.com",
        recipient_name="",
        subject="邀请",
        text="正文",
        html="<p>正文</p>",
        attachments=(),
        message_id=f"<m{row_id}@example.org>",
        attempts=attempts,
    )


def test_outcomes_become_the_named_state_changes_and_retries_give_up_at_the_last() -> None:
    lost = "end of data: SMTPServerDisconnected: Connection lost"
    outcomes = [
        (_mail(1, 0), Outcome(Verdict.SENT, "250 ok", None)),
        (_mail(2, 0), Outcome(Verdict.RETRY, "451 later", "DATA: 451 later")),
        (_mail(3, 4), Outcome(Verdict.RETRY, "451 later", "DATA: 451 later")),
        (_mail(4, 0), Outcome(Verdict.FAILED, "550 no", "RCPT TO: 550 no")),
        (_mail(5, 0), Outcome(Verdict.AMBIGUOUS, None, lost, connection=True)),
    ]

    done = results_of(outcomes, max_attempts=5, now=T0)

    assert [(s.id, s.reply) for s in done.sent] == [(1, "250 ok")]
    assert [(r.id, r.not_before) for r in done.retries] == [(2, T0 + timedelta(seconds=60))]
    assert [(f.id, f.error) for f in done.failures] == [
        (3, "gave up after 5 attempts: DATA: 451 later"),
        (4, "RCPT TO: 550 no"),
    ]
    assert done.ambiguous == [Ambiguous(5, lost)]
    assert sorted(done.mails) == [1, 2, 3, 4, 5]
    assert INTERRUPTED not in {a.reason for a in done.ambiguous}


def test_write_soon_writes_the_collected_outcomes_before_the_interval_is_over(
    engine: Engine, campaign_2024: CampaignFile, workspace: Path
) -> None:
    queue(engine, campaign_2024, workspace, 2, not_before=None, now=now_utc())
    claimed = claim(factory(engine), "w1", batch=2, lease=timedelta(minutes=5), now=now_utc())
    written: list[Recorded] = []
    recorder = Recorder(
        factory(engine), "w1", max_attempts=3, clock=now_utc, on_written=written.append, interval=60
    )

    async def run() -> tuple[int, int]:
        writer = asyncio.create_task(recorder.run())
        await recorder.hand_over([m.id for m in claimed])
        recorder.add(claimed[0], Outcome(Verdict.SENT, "250 ok", None))
        await asyncio.sleep(0.2)
        before = len(written)
        recorder.write_soon()  # a batch's last rows were taken
        for _ in range(100):
            await asyncio.sleep(0.01)
            if written:
                break
        recorder.stop()
        await writer
        return before, len(written)

    assert asyncio.run(run()) == (0, 1)
    assert [len(w.sent) for w in written] == [1]
    assert _statuses(engine) == [OutboxStatus.SENT, OutboxStatus.SENDING]
