"""The outbox adds up: counts per status sum to the rows, nothing stuck, nothing unacknowledged.

A `sending` row whose lease ran out was abandoned by a worker (deliver-outbox recovers it); a
`failed` or `ambiguous` row waits for an operator to requeue or cancel it (notifications/
operators.py). Invariant `outbox`. Pure.
"""

from __future__ import annotations

from schemas.enums import OutboxStatus
from tasks.audit.snapshot import MailRow, Snapshot
from tasks.audit.violations import OUTBOX, Violation

WAITING_FOR_OPERATOR = frozenset({OutboxStatus.FAILED.value, OutboxStatus.AMBIGUOUS.value})


def _mail(m: MailRow, zh: str, en: str, todo_zh: str, todo_en: str) -> Violation:
    """Return an `outbox` violation about one mail. Pure."""
    return Violation(
        invariant=OUTBOX,
        subject=f"邮件 mail #{m.id} {m.template}",
        wrong_zh=zh,
        wrong_en=en,
        todo_zh=todo_zh,
        todo_en=todo_en,
    )


def outbox_violations(s: Snapshot) -> list[Violation]:
    """Return counts that do not add up, expired sending leases and unacknowledged failures."""
    found: list[Violation] = []
    counted = sum(s.outbox_counts.values())
    if counted != s.outbox_total:
        found.append(
            Violation(
                invariant=OUTBOX,
                subject="发件箱 outbox",
                wrong_zh=f"各状态合计 {counted} 封，发件箱共 {s.outbox_total} 封",
                wrong_en=f"the status counts add up to {counted}, "
                f"the outbox holds {s.outbox_total}",
                todo_zh="检查发件箱中状态无效的邮件",
                todo_en="look for outbox rows with an unknown status",
            )
        )
    for m in s.mails:
        if m.status == OutboxStatus.SENDING.value and (
            m.lease_until is None or m.lease_until < s.now
        ):
            found.append(
                _mail(
                    m,
                    f"邮件 #{m.id} 发送中，租约已于 {m.lease_until} 过期",
                    f"mail #{m.id} is sending past its lease ({m.lease_until})",
                    "运行投递（campaign outbox deliver）以收回并重发",
                    "run delivery (campaign outbox deliver) to recover it",
                )
            )
        elif m.status in WAITING_FOR_OPERATOR:
            found.append(
                _mail(
                    m,
                    f"邮件 #{m.id} 状态为 {m.status}，尚无操作员处理",
                    f"mail #{m.id} is {m.status} and no operator has acted on it",
                    "核对后重发（campaign outbox requeue）或取消（campaign outbox cancel）",
                    "check it, then requeue or cancel it (campaign outbox requeue / cancel)",
                )
            )
    return found
