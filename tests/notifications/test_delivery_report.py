"""Tests for notifications/delivery_report.py: a run's tally over batches and its report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifications.claims import ClaimedMail, LiveLeases, Recovered
from notifications.delivery_report import DeliveryFailure, DeliveryReport, DeliveryTally
from notifications.recorder import INTERRUPTED, Ambiguous, Recorded
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


def test_a_tally_counts_each_write_and_lists_failed_and_ambiguous_rows() -> None:
    leases = LiveLeases(rows=3, until=T0 + timedelta(minutes=4))
    tally = DeliveryTally(recovered=Recovered(ambiguous=[1, 2], requeued=[5]), leases=leases)
    first = {i: _mail(i) for i in (10, 11, 12)}
    second = {i: _mail(i) for i in (20, 21, 22, 23, 24)}
    lost = "end of data: SMTPServerDisconnected: Connection lost"

    tally.batches += 1
    tally.add(
        Recorded(sent=[Sent(10, "250 OK")], failures=[Failure(11, "550 no", "550")], mails=first)
    )
    tally.batches += 1
    tally.add(
        Recorded(
            retries=[Retry(20, "451 later", "451", T0 + timedelta(minutes=1))],
            released=[21, 22],
            ambiguous=[Ambiguous(23, INTERRUPTED), Ambiguous(24, lost)],
            mails=second,
        )
    )
    report = tally.report(
        worker_id="w1",
        batch_size=5,
        started=T0,
        finished=T0 + timedelta(seconds=3),
        stopped="configuration error: TLS: SMTPNotSupported: not offered",
        outbox={"sent": 1, "queued": 3},
        configuration_error="TLS: SMTPNotSupported: not offered",
    )

    assert report == DeliveryReport(
        worker_id="w1",
        started_at=T0,
        finished_at=T0 + timedelta(seconds=3),
        batch_size=5,
        batches=2,
        sent=1,
        retried=1,
        failed=1,
        released=2,
        ambiguous=4,
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
            DeliveryFailure(
                id=24,
                template="invitation",
                recipient="u24@example.com",
                status="ambiguous",
                reason=lost,
            ),
        ),
        stopped="configuration error: TLS: SMTPNotSupported: not offered",
        outbox={"sent": 1, "queued": 3},
        requeued=(5,),
        leased=3,
        leased_until=T0 + timedelta(minutes=4),
        configuration_error="TLS: SMTPNotSupported: not offered",
    )
