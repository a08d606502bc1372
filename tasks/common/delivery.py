"""Deliver the outbox from a flow: the `deliver-outbox` task and the plain helpers behind it.

`deliver_pending` runs notifications.delivery against the settings' database and mailer;
`deliver_outbox` wraps it as a Prefect task and publishes the `outbox-delivery` table artifact
(counts by status, this run's failures with reasons, every ambiguous row). The task has no
Prefect retries: backoff lives in the outbox rows, and a retried task would only find them not
yet due. `deliver_due` is what the schedules call (the daily clock, the `deliver` deployment):
one count query (`outbox-due`: rows due now, leases lapsed), and delivery only if it found any;
a delivery that stopped early (server unreachable, configuration error) raises DeliveryStopped
so the scheduled run ends Failed with the reason. Nothing here renders or enqueues mail;
recipients are never logged.
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
from notifications.outbox_views import count_due
from schemas.enums import OutboxStatus
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.rejection_reports import ARTIFACT_ROW_LIMIT, in_a_run, publish_table
from tasks.store import campaign_engine, session_scope

ARTIFACT_KEY = "outbox-delivery"
RUN_COUNTS = ("sent", "retried", "failed", "released", "ambiguous")
Row = dict[str, str | int]


class DeliveryStopped(Exception):
    """A scheduled delivery ended before the due mail was out; carries why (no recipient)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"outbox delivery stopped: {reason}")


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


@task(name="outbox-due", retries=0, cache_policy=NO_CACHE)
def outbox_due(settings: Settings, campaign_year: int | None = None) -> int:
    """Return how many outbox rows a deliverer would act on now (one count query). Reads only."""
    with session_scope(campaign_engine(settings)) as session:
        return count_due(session, now=now_utc(), campaign_year=campaign_year)


def deliver_due(settings: Settings, campaign_year: int | None = None) -> DeliveryReport | None:
    """Deliver the due outbox mail if there is any; return the report, or None if none was due.

    Side effects: one count query; when something is due, those of `deliver_outbox`. Raises
    DeliveryStopped when the delivery stopped early (the rows wait in the outbox).
    """
    if not outbox_due(settings, campaign_year):
        return None
    report = deliver_outbox(settings, campaign_year)
    if report.stopped:
        raise DeliveryStopped(report.stopped)
    return report
