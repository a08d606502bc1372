"""A deliverer killed with SIGKILL mid-run: after a restart no mail is sent twice or lost.

A subprocess delivers 2,000 mails to Postfix's smtp-sink, a server in yet another process; it is
killed once the server has received about a quarter of them (counted at the server, not timed).
At that moment the outbox says which rows were handed over and not recorded yet. After the
lease of its last batch expires, a fresh deliverer runs; then the server's receipts (by
Message-ID) are compared with the outbox: nothing twice, nothing lost, ambiguous only rows that
were handed over and not recorded, every row accounted for.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mailkit import MISSING_SMTP_SINK, SMTP_SINK, PostfixSink, queue
from sqlmodel import select

from notifications.batches import HANDOVER_CHUNK
from notifications.outbox import count_by_status, list_messages
from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.store import make_engine, session_scope, upgrade_database

REPO = Path(__file__).resolve().parents[2]
TOTAL = 2000
KILL_AT = TOTAL // 4
LEASE_SECONDS = 6.0  # batches of 120 rows: more than the rows a crash may leave handed over
DELIVERER = """
import asyncio, functools, sys
from datetime import timedelta
from pathlib import Path
from notifications.delivery import deliver
from notifications.mailers import make_mailer
from schemas.settings import Settings
from tasks.store import make_engine, session_scope

url, workspace, port, lease = sys.argv[1:5]
settings = Settings(workspace=Path(workspace), database_url=url, mailer="smtp", smtp_port=int(port))
engine = make_engine(settings)
report = asyncio.run(
    deliver(
        functools.partial(session_scope, engine),
        make_mailer(settings),
        settings,
        lease=timedelta(seconds=float(lease)),
    )
)
sys.stdout.write(report.model_dump_json())
"""


def _deliverer(url: str, workspace: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", DELIVERER, url, str(workspace), str(port), str(LEASE_SECONDS)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(SMTP_SINK is None, reason=MISSING_SMTP_SINK)
def test_a_killed_deliverer_neither_duplicates_nor_loses_mail(
    campaign_2024: CampaignFile,
    workspace: Path,
    tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(url=url)
    upgrade_database(engine)
    queue(engine, campaign_2024, workspace, TOTAL, not_before=None, now=now_utc())

    with PostfixSink() as sink:
        first = _deliverer(url, workspace, sink.port)
        deadline = time.monotonic() + 60
        while sink.received < KILL_AT + 8 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=60)  # never hang the suite
        received_at_kill = sink.received
        with session_scope(engine) as session:
            at_kill = count_by_status(session)
            sending = list(
                session.exec(select(OutboxMessage).where(OutboxMessage.status == "sending"))
            )
        handed = {r.id for r in sending if r.handed_at is not None}
        assert first.returncode == -signal.SIGKILL
        leases = [r.lease_until for r in sending if r.lease_until is not None]
        while leases and now_utc() <= max(leases):
            time.sleep(0.05)

        second = _deliverer(url, workspace, sink.port)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        received_total = sink.received
        ids = sink.message_ids()

    report = json.loads(out)
    with session_scope(engine) as session:
        rows = list_messages(session, limit=None)
        final = count_by_status(session)
    sent = {r.message_id for r in rows if r.status is OutboxStatus.SENT}
    ambiguous = [r for r in rows if r.status is OutboxStatus.AMBIGUOUS]
    figures = {
        "received_at_kill": received_at_kill,
        "outbox_at_kill": at_kill,
        "sending_at_kill": len(sending),
        "handed_not_recorded_at_kill": len(handed),
        "recovered_ambiguous": len(ambiguous),
        "recovered_requeued": len(report["requeued"]),
        "ambiguous_received_by_server": sum(1 for r in ambiguous if r.message_id in ids),
        "batch_size": report["batch_size"],
        "received_total": received_total,
        "duplicates": sum(n - 1 for n in ids.values()),
        "lost": len(sent - set(ids)),
    }
    record_property("crash_figures", figures)

    assert KILL_AT <= received_at_kill < TOTAL
    assert at_kill["queued"] + at_kill["sending"] > 0
    assert at_kill["sent"] <= received_at_kill
    ambiguous_ids = {r.message_id for r in ambiguous}
    assert [i for i, n in ids.items() if n > 1 and i not in ambiguous_ids] == []
    assert max(ids.values()) == 1
    assert set(ids) <= {r.message_id for r in rows}
    assert sent <= set(ids)
    assert {r.id for r in ambiguous} <= handed  # only what was handed over and not recorded
    assert sorted(report["recovered"]) == [r.id for r in ambiguous]
    most = 2 * HANDOVER_CHUNK * Settings().smtp_connections  # two chunks marked per connection
    assert len(ambiguous) <= len(handed) <= most < report["batch_size"]
    assert sum(final[s] for s in ("sent", "failed", "ambiguous", "queued", "cancelled")) == TOTAL
    assert (final["sending"], final["queued"], final["failed"]) == (0, 0, 0)
    assert received_total == len(ids) == len(sent) + figures["ambiguous_received_by_server"]
