"""Tests for notifications/delivery_report.py: a run's tally over batches and its report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifications.batches import INTERRUPTED, Batch, Recorded
from notifications.claims import ClaimedMail
from notifications.delivery_report import DeliveryFailure, DeliveryReport, DeliveryTally
from notifications.records import Failure, Retry, Sent

T0 = datetime(2024, 11, 11, 1, 0, tzinfo=UTC)


def _mail(row_id: int) -> ClaimedMail:
    return ClaimedMail(
        id=row_id,
        campaign_year=2024,
        key=f"2024|invitation|u{row_id}|1|u{row_id}@example.com",
        template="invitation",
        recipient=f"u{row_id}@example.com",
        recipient_name="",
        subject="邀请",
        text="正文",
        html="<p>正文</p>",
        attachments=(),
        message_id=f"<m-{row_id}@example.org>",
        attempts=0,
    )


def test_a_tally_counts_each_batch_and_lists_failed_and_ambiguous_rows() -> None:
    tally = DeliveryTally(recovered=(1, 2), ambiguous=2)
    first = Batch([_mail(i) for i in (10, 11, 12)])
    second = Batch([_mail(i) for i in (20, 21, 22, 23)])

    tally.batches += 1
    tally.add(first, Recorded(sent=[Sent(10, "250 OK")], failures=[Failure(11, "550 no", "550")]))
    tally.batches += 1
    tally.add(
        second,
        Recorded(
            retries=[Retry(20, "451 later", "451", T0 + timedelta(minutes=1))],
            released=[21, 22],
            ambiguous=[23],
        ),
    )
    report = tally.report(
        worker_id="w1",
        batch_size=4,
        started=T0,
        finished=T0 + timedelta(seconds=3),
        stopped="server unreachable: refused",
        outbox={"sent": 1, "queued": 3},
    )

    assert report == DeliveryReport(
        worker_id="w1",
        started_at=T0,
        finished_at=T0 + timedelta(seconds=3),
        batch_size=4,
        batches=2,
        sent=1,
        retried=1,
        failed=1,
        released=2,
        ambiguous=3,
        recovered=(1, 2),
        failures=(
            DeliveryFailure(
                id=11,
                template="invitation",
                recipient="u11@example.com",
                status="failed",
                reason="550 no",
            ),
            DeliveryFailure(
                id=23,
                template="invitation",
                recipient="u23@example.com",
                status="ambiguous",
                reason=INTERRUPTED,
            ),
        ),
        stopped="server unreachable: refused",
        outbox={"sent": 1, "queued": 3},
    )
