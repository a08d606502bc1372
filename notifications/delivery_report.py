"""Tally what a delivery run recorded, write by write, into its report.

`DeliveryTally` counts what the recorder (recorder.py) wrote each time (sent, retried, failed,
released, ambiguous) and lists the rows that failed or were left ambiguous, with why;
`DeliveryTally.report` turns it into the frozen `DeliveryReport` that delivery.py returns, with
what the run found at its start (rows recovered from a stopped deliverer, rows still held by a
live lease) and why it stopped (a configuration error above all); `operator_notes` says what
an operator must do about it, in Chinese and English. No I/O; recipients appear only in the
report's failure lines, never in a log. This module does not claim, send or record
(delivery.py, claims.py, batches.py, recorder.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from notifications.claims import ClaimedMail, LiveLeases, Recovered
from notifications.recorder import Recorded


class DeliveryFailure(BaseModel):
    """A row this run could not deliver, and why."""

    model_config = ConfigDict(frozen=True)

    id: int
    template: str
    recipient: str
    status: str  # failed | ambiguous
    reason: str


class DeliveryReport(BaseModel):
    """What one delivery run did, and the outbox's counts by status afterwards."""

    model_config = ConfigDict(frozen=True)

    worker_id: str
    started_at: datetime
    finished_at: datetime
    batch_size: int
    batches: int
    sent: int
    retried: int
    failed: int
    released: int
    ambiguous: int
    recovered: tuple[int, ...]  # rows found ambiguous at start (left by a stopped deliverer)
    failures: tuple[DeliveryFailure, ...]
    stopped: str | None  # why the run ended before the queue was empty
    outbox: dict[str, int]
    requeued: tuple[int, ...] = ()  # rows a stopped deliverer never handed over: queued again
    leased: int = 0  # rows held by another deliverer's lease that had not expired at the start
    leased_until: datetime | None = None  # when the last of those leases expires
    configuration_error: str | None = None  # TLS, login or sender refused: delivery stopped


@dataclass
class DeliveryTally:
    """What a delivery run has recorded so far, batch by batch (counts and failed rows)."""

    recovered: Recovered  # rows a stopped deliverer left, settled at the start
    leases: LiveLeases  # rows another deliverer still held at the start
    batches: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    ambiguous: int = 0
    failures: list[DeliveryFailure] = field(default_factory=list)

    def add(self, done: Recorded) -> None:
        """Count what one write recorded and list its failed and ambiguous rows."""
        self.sent += len(done.sent)
        self.retried += len(done.retries)
        self.failed += len(done.failures)
        self.released += len(done.released)
        self.ambiguous += len(done.ambiguous)
        self.failures += [_failure(done.mails[f.id], "failed", f.error) for f in done.failures]
        self.failures += [_failure(done.mails[a.id], "ambiguous", a.reason) for a in done.ambiguous]

    def report(
        self,
        *,
        worker_id: str,
        batch_size: int,
        started: datetime,
        finished: datetime,
        stopped: str | None,
        outbox: dict[str, int],
        configuration_error: str | None = None,
    ) -> DeliveryReport:
        """Return the report of a finished delivery run from this tally. Pure."""
        return DeliveryReport(
            worker_id=worker_id,
            started_at=started,
            finished_at=finished,
            batch_size=batch_size,
            batches=self.batches,
            sent=self.sent,
            retried=self.retried,
            failed=self.failed,
            released=self.released,
            ambiguous=self.ambiguous + len(self.recovered.ambiguous),
            recovered=tuple(self.recovered.ambiguous),
            failures=tuple(self.failures),
            stopped=stopped,
            outbox=outbox,
            requeued=tuple(self.recovered.requeued),
            leased=self.leases.rows,
            leased_until=self.leases.until,
            configuration_error=configuration_error,
        )


def operator_notes(report: DeliveryReport, ambiguous: int) -> list[str]:
    """Return what an operator must know after a run, Chinese first, then English. Pure."""
    notes: list[str] = []
    if report.requeued:
        n = len(report.requeued)
        notes.append(
            f"{n} 封邮件在上次投递中断时尚未交给服务器，已重新排队。 / {n} messages a stopped "
            "deliverer never handed to the server were queued again."
        )
    if report.leased:
        until = report.leased_until.strftime("%Y-%m-%d %H:%M:%S") if report.leased_until else "?"
        notes.append(
            f"{report.leased} 封邮件仍由另一个投递进程的租约占用，{until} UTC 之后"
            "可以恢复：若该进程已停止，请在此时间之后再次运行 `campaign outbox deliver`。 / "
            f"{report.leased} messages are held by another deliverer's live lease; they become "
            f"recoverable after {until} UTC: if that deliverer has stopped, run "
            "`campaign outbox deliver` again after that time."
        )
    if ambiguous:
        notes.append(
            f"{ambiguous} 封邮件状态不明（服务器可能已收到）：`campaign outbox list --status "
            f"ambiguous`。 / {ambiguous} ambiguous rows: `campaign outbox list --status ambiguous`"
        )
    if report.configuration_error:
        notes.append(
            f"SMTP 配置错误，投递已停止：{report.configuration_error}。未发送的邮件仍在"
            "队列中，不计尝试次数；请检查 CAMPAIGN_SMTP_* 设置后再次投递。 / SMTP configuration "
            f"error, delivery stopped: {report.configuration_error}. The unsent mail stays "
            "queued with no attempt counted; check the CAMPAIGN_SMTP_* settings, then deliver "
            "again."
        )
    elif report.stopped:
        notes.append(f"投递提前停止 / stopped: {report.stopped}")
    return notes


def _failure(mail: ClaimedMail, status: str, reason: str) -> DeliveryFailure:
    """Return the report line of a row this run could not deliver. Pure."""
    return DeliveryFailure(
        id=mail.id, template=mail.template, recipient=mail.recipient, status=status, reason=reason
    )
