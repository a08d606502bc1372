"""The deliver-outbox task: delivery against a real sink, the report, the table artifact."""

from __future__ import annotations

from pathlib import Path

import pytest
from artifactkit import table_rows
from mailkit import ScriptedStore, queue, received
from prefect.logging import disable_run_logger

from notifications.sink import SmtpSink
from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from tasks.common.delivery import ARTIFACT_KEY, deliver_outbox, deliver_pending, delivery_rows
from tasks.store import make_engine, upgrade_database


def _setup(workspace: Path, campaign: CampaignFile, sink: SmtpSink) -> Settings:
    settings = Settings(mailer="smtp", smtp_port=sink.port)
    engine = make_engine(settings)
    upgrade_database(engine)
    queue(engine, campaign, workspace, 3, not_before=None)
    engine.dispose()
    assert isinstance(sink.handler, ScriptedStore)
    sink.handler.data_replies["u1@unit1.example.com"] = ["550 5.1.1 mailbox unavailable"]
    return settings


def test_deliver_outbox_fn_delivers_due_mail_to_the_sink(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    folder = workspace / "sink"
    with SmtpSink(folder, handler=ScriptedStore(folder)) as sink:
        settings = _setup(workspace, campaign_2024, sink)
        with disable_run_logger():
            report = deliver_outbox.fn(settings, 2024)
            again = deliver_outbox.fn(settings, 2024)

    assert (report.sent, report.failed, report.retried, report.batches) == (2, 1, 0, 1)
    assert (again.sent, again.batches) == (0, 0)
    assert sorted(str(m["To"]) for m in received(folder)) == [
        "联系人0 <u0@unit0.example.com>",
        "联系人2 <u2@unit2.example.com>",
    ]


def test_delivery_rows_hold_counts_failures_and_ambiguous_rows(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    folder = workspace / "sink"
    with SmtpSink(folder, handler=ScriptedStore(folder)) as sink:
        settings = _setup(workspace, campaign_2024, sink)
        report, ambiguous = deliver_pending(settings, 2024, worker_id="test-worker")

    assert ambiguous == []
    rows = delivery_rows(report, ambiguous)
    assert [(r["row"], r["status"], r["count"]) for r in rows[:11]] == [
        ("outbox", "queued", 0),
        ("outbox", "sending", 0),
        ("outbox", "sent", 2),
        ("outbox", "failed", 1),
        ("outbox", "ambiguous", 0),
        ("outbox", "cancelled", 0),
        ("this run", "sent", 2),
        ("this run", "retried", 0),
        ("this run", "failed", 1),
        ("this run", "released", 0),
        ("this run", "ambiguous", 0),
    ]
    assert rows[11:] == [
        {
            "row": "failed",
            "status": "failed",
            "count": "",
            "id": report.failures[0].id,
            "template": "invitation",
            "recipient": "u1@unit1.example.com",
            "reason": "end of data: SMTPDataError: 550 5.1.1 mailbox unavailable",
        }
    ]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_deliver_outbox_task_publishes_the_delivery_artifact(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    folder = workspace / "sink"
    with SmtpSink(folder, handler=ScriptedStore(folder)) as sink:
        settings = _setup(workspace, campaign_2024, sink)
        report = deliver_outbox(settings, 2024)  # a task run of its own, outside any flow

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])),
            sort=ArtifactSort.CREATED_DESC,  # other flow tests publish this key too
            limit=1,
        )
    table = table_rows(artifact)  # under the English keys of the legend
    assert (report.sent, report.failed) == (2, 1)
    assert artifact.type == "table"
    assert [r["reason"] for r in table if r["row"] == "failed"] == [
        "end of data: SMTPDataError: 550 5.1.1 mailbox unavailable"
    ]
    assert artifact.description is not None
    assert artifact.description.startswith(f"**Outbox delivery** by `{report.worker_id}`: sent 2,")
