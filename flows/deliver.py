"""Scheduled outbox delivery (邮件投递): send what is due, and nothing else.

The `deliver` deployment runs this flow every few minutes (`CAMPAIGN_DELIVER_EVERY_MINUTES`,
default 10) so that mail waiting in the outbox goes out without anyone enqueuing more: retries
whose backoff has passed, and rows a stopped deliverer left behind (recovered when their lease
lapsed). It asks the outbox one count query first and returns at once when nothing is due. The
stage flows still deliver at their end, the daily clock delivers too, and an operator can run
`campaign outbox deliver`; several deliverers at once are safe (leased claims). The run ends
Failed, with the reason, when delivery stopped early (server unreachable, configuration error);
the rows stay in the outbox. It renders and enqueues nothing.
"""

from __future__ import annotations

from prefect import flow

from notifications.delivery import DeliveryReport
from schemas.settings import Settings
from tasks.common.delivery import deliver_due


@flow(name="deliver")
def deliver(campaign_year: int | None = None) -> DeliveryReport | None:
    """Deliver the outbox mail due now (every year, or `campaign_year`); None if none was due."""
    settings = Settings()
    return deliver_due(settings, campaign_year)
