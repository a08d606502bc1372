"""Plan a delivery run: who the deliverer is, how long its lease, how many rows a batch claims.

Pure rules on the settings and the caller's overrides (`default_worker_id` only reads the host
name and process id). A batch is sized so that it finishes well inside the lease: a quarter of
the lease at a slow relay's pace per connection, capped by the rate limit and BATCH_MAX. (What
a crash can leave ambiguous is far less: the rows handed over and not recorded, batches.py.)
This module does not claim, send or record (delivery.py, claims.py, batches.py).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from notifications.headers import Mailbox, mailbox
from schemas.settings import Settings

SECONDS_PER_MESSAGE_ESTIMATE = 0.05  # a slow relay; loopback is much faster
BATCH_MAX = 500  # rows claimed at once (a crash leaves ambiguous only those handed over)


def default_worker_id() -> str:
    """Return a worker id naming this host and process, unique per call."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def batch_size_for(settings: Settings, lease: timedelta, connections: int) -> int:
    """Return how many rows to claim at once so a batch finishes well inside the lease. Pure.

    A quarter of the lease at a slow relay's pace per connection, capped by the rate limit
    and BATCH_MAX.
    """
    budget = lease.total_seconds() / 4
    size = connections * budget / SECONDS_PER_MESSAGE_ESTIMATE
    if settings.smtp_rate_per_second > 0:
        size = min(size, settings.smtp_rate_per_second * budget)
    return max(1, min(int(size), BATCH_MAX))


@dataclass(frozen=True)
class DeliveryPlan:
    """How one delivery run claims and sends: who it is, its lease, batch size and pace."""

    worker: str
    lease: timedelta
    batch_size: int
    sender: Mailbox
    rate_per_second: float  # 0 means no limit
    workspace: Path  # attachments are read only from inside it
    max_attempts: int


def plan_delivery(
    settings: Settings,
    connections: int,
    *,
    worker: str,
    lease: timedelta | None = None,
    batch_size: int | None = None,
) -> DeliveryPlan:
    """Return the plan of a delivery run from the settings and the caller's overrides. Pure.

    Raises InvalidAddress if the sender address in the settings is unusable.
    """
    lease_for = lease or timedelta(seconds=settings.delivery_lease_seconds)
    return DeliveryPlan(
        worker=worker,
        lease=lease_for,
        batch_size=batch_size or batch_size_for(settings, lease_for, connections),
        sender=mailbox(settings.mail_from, settings.mail_from_name),
        rate_per_second=settings.smtp_rate_per_second,
        workspace=settings.workspace,
        max_attempts=settings.delivery_max_attempts,
    )
