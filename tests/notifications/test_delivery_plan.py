"""Tests for notifications/delivery_plan.py: batch sizes inside the lease, the run's plan."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from notifications.delivery_plan import (
    BATCH_MAX,
    DeliveryPlan,
    batch_size_for,
    default_worker_id,
    plan_delivery,
)
from notifications.headers import InvalidAddress, mailbox
from schemas.settings import Settings


def _settings(workspace: Path, **overrides: object) -> Settings:
    return Settings(workspace=workspace, **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lease_seconds", "connections", "rate", "size"),
    [
        (300, 4, 0.0, BATCH_MAX),  # 4 x 75 s / 0.05 s = 6,000, capped at 500
        (10, 1, 0.0, 50),  # a quarter of 10 s at 0.05 s a message
        (10, 2, 0.0, 100),
        (300, 4, 2.0, 150),  # the rate limit: 2 a second for 75 s
        (10, 1, 0.1, 1),  # 0.25 messages fit: at least one
    ],
)
def test_a_batch_finishes_within_a_quarter_of_the_lease(
    workspace: Path, lease_seconds: int, connections: int, rate: float, size: int
) -> None:
    settings = _settings(workspace, smtp_rate_per_second=rate)

    assert batch_size_for(settings, timedelta(seconds=lease_seconds), connections) == size


def test_the_plan_reads_the_lease_sender_and_limits_from_the_settings(workspace: Path) -> None:
    settings = _settings(
        workspace,
        mail_from="csr@example.org",
        mail_from_name="上海市工业经济联合会",
        delivery_lease_seconds=10,
        delivery_max_attempts=3,
        smtp_rate_per_second=0.0,
    )

    plan = plan_delivery(settings, 2, worker="host:1:abcd")

    assert plan == DeliveryPlan(
        worker="host:1:abcd",
        lease=timedelta(seconds=10),
        batch_size=100,  # 2 connections x 2.5 s / 0.05 s
        sender=mailbox("csr@example.org", "上海市工业经济联合会"),
        rate_per_second=0.0,
        workspace=workspace.resolve(),
        max_attempts=3,
    )


def test_the_callers_lease_and_batch_size_win_over_the_settings(workspace: Path) -> None:
    settings = _settings(workspace, delivery_lease_seconds=40, smtp_rate_per_second=5.0)

    plan = plan_delivery(settings, 4, worker="w1", lease=timedelta(seconds=12), batch_size=6)

    assert (plan.lease, plan.batch_size, plan.rate_per_second) == (
        timedelta(seconds=12),
        6,
        5.0,
    )


def test_an_unusable_sender_address_is_refused_before_anything_is_claimed(
    workspace: Path,
) -> None:
    settings = _settings(workspace, mail_from="not an address")

    with pytest.raises(InvalidAddress) as info:
        plan_delivery(settings, 1, worker="w1")

    assert "not an address" not in str(info.value)


def test_worker_ids_name_the_host_and_process_and_differ_per_call() -> None:
    first, second = default_worker_id(), default_worker_id()

    assert first.split(":")[:2] == second.split(":")[:2]
    assert first != second
