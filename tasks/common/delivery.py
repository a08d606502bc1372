"""Deliver the outbox from a flow: the `deliver-outbox` task and the plain helpers behind it.

`deliver_pending` runs notifications.delivery against the settings' database and mailer;
`deliver_outbox` wraps it as a Prefect task and publishes the `outbox-delivery` table artifact
(counts by status, this run's failures with reasons, every ambiguous row). The task has no
Prefect retries: backoff lives in the outbox rows, and a retried task would only find them not
yet due. Nothing here renders or enqueues mail; recipients are never logged.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import timedelta

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from notifications.delivery import DeliveryReport, deliver_now
from notifications.mailers import make_mailer
from notifications.outbox import OutboxView, list_messages
from schemas.enums import OutboxStatus
from schemas.settings import Settings
from tasks.common.rejection_reports import ARTIFACT_ROW_LIMIT, in_a_run, publish_table
from tasks.store import campaign_engine, session_scope

ARTIFACT_KEY = "outbox-delivery"
RUN_COUNTS = ("sent", "retried", "failed", "released", "ambiguous")
Row = dict[str, str | int]


def deliver_pending(
    settings: Settings,
    campaign_year: int | None = None,
    *,
    lease: timedelta | None = None,
    worker_id: str | None = None,
) -> tuple[DeliveryReport, list[OutboxView]]:
    """Deliver every due outbox row; return the report and the rows now ambiguous.

    Side effects: sends mail through the settings' mailer; updates outbox rows (recovering
    expired leases first), on this process's engine.
    """
    engine = campaign_engine(settings)
    report = deliver_now(
        functools.partial(session_scope, engine),
        make_mailer(settings),
        settings,
        campaign_year=campaign_year,
        lease=lease,
        worker_id=worker_id,
    )
    with session_scope(engine) as session:
        ambiguous = list_messages(
            session,
            statuses=[OutboxStatus.AMBIGUOUS],
            campaign_year=campaign_year,
            limit=ARTIFACT_ROW_LIMIT,
        )
    return report, ambiguous


def _row(kind: str, status: str, count: int | str = "", **cells: str | int) -> Row:
    row: Row = {
        "row": kind,
        "status": status,
        "count": count,
        "id": "",
        "template": "",
        "recipient": "",
        "reason": "",
    }
    row.update(cells)
    return row


def delivery_rows(report: DeliveryReport, ambiguous: Sequence[OutboxView]) -> list[Row]:
    """Return the artifact table: outbox counts, this run's counts, failures, ambiguous rows."""
    rows = [_row("outbox", status, count) for status, count in report.outbox.items()]
    rows += [_row("this run", name, getattr(report, name)) for name in RUN_COUNTS]
    rows += [
        _row(
            "failed", f.status, id=f.id, template=f.template, recipient=f.recipient, reason=f.reason
        )
        for f in report.failures
        if f.status == OutboxStatus.FAILED.value
    ]
    rows += [
        _row(
            "ambiguous",
            m.status.value,
            id=m.id,
            template=m.template,
            recipient=m.recipient,
            reason=m.last_error or "",
        )
        for m in ambiguous
    ]
    return rows[:ARTIFACT_ROW_LIMIT]


def delivery_description(report: DeliveryReport, ambiguous: Sequence[OutboxView]) -> str:
    """Return the artifact's markdown summary of one delivery run."""
    run = ", ".join(f"{name} {getattr(report, name)}" for name in RUN_COUNTS)
    outbox = ", ".join(f"{status} {count}" for status, count in report.outbox.items())
    lines = [
        f"**Outbox delivery** by `{report.worker_id}`: {run} in {report.batches} batches.",
        f"Outbox now: {outbox}.",
    ]
    if report.recovered:
        lines.append(
            f"{len(report.recovered)} rows left sending by a stopped deliverer are now ambiguous."
        )
    if ambiguous:
        lines.append(
            "Ambiguous rows may or may not have reached the server: check, then "
            "`campaign outbox requeue ID --why ...` or `campaign outbox cancel ID --why ...`."
        )
    if report.stopped:
        lines.append(f"Stopped early: {report.stopped}.")
    return "\n\n".join(lines)


@task(name="deliver-outbox", retries=0, cache_policy=NO_CACHE)
def deliver_outbox(settings: Settings, campaign_year: int | None = None) -> DeliveryReport:
    """Deliver due outbox mail and publish the `outbox-delivery` table artifact.

    Side effects: sends mail; updates outbox rows; inside a flow or task run, creates the
    artifact (`.fn()` outside a run skips it). No retries and no cache: temporary failures
    wait in the outbox with exponential backoff, and every call must look at the outbox anew.
    """
    report, ambiguous = deliver_pending(settings, campaign_year)
    get_run_logger().info(
        "outbox: %d sent, %d to retry, %d failed, %d ambiguous",
        report.sent,
        report.retried,
        report.failed,
        report.outbox[OutboxStatus.AMBIGUOUS.value],
    )
    if in_a_run():
        publish_table(
            ARTIFACT_KEY, delivery_rows(report, ambiguous), delivery_description(report, ambiguous)
        )
    return report
