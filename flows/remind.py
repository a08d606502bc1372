"""催报提醒 remind: deadline reminders, overdue notices and the weekly association digest.

Run daily (by the clock or by hand). The campaign file's deadlines and `[reminders]` say what
is due on `as_of` (e.g. T-7, T-3, T-1 working days, on the day, overdue every 3 working days at
most 3 times; the digest on the first working day of the week). Leaves behind: one outbox row
per reminder per unit that still owes a step of that deadline, and per association digest per
week, delivered at the end; the `reminders` table artifact listing what was sent (template,
deadline, kind, unit, association; no addresses or contact names), published by the
queue-reminders task. `dry_run=True` lists in that artifact what would be sent and writes no
mail. Running it twice on one day sends nothing twice. Returns counts; the list is the artifact.
"""

from __future__ import annotations

from datetime import date

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.settings import Settings
from tasks.common.business_day import resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign
from tasks.common.delivery import deliver_outbox
from tasks.remind.reminders import ReminderRun, queue_reminders


class RemindSummary(BaseModel):
    """What one remind run decided and delivered."""

    model_config = ConfigDict(frozen=True)

    reminders: ReminderRun
    mail_sent: int = 0


@flow(name="remind", flow_run_name=stage_run_name("remind"))
def remind(campaign_year: int, as_of: date | None = None, dry_run: bool = False) -> RemindSummary:
    """Queue and deliver the reminders and digests due on `as_of` (default: today).

    `dry_run`: list in the artifact what would be sent, and write no outbox rows.
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    prepare_campaign(settings, campaign_year)
    run = queue_reminders(settings, campaign_year, day, dry_run)
    delivery = deliver_outbox(settings, campaign_year) if run.queued and not dry_run else None
    return RemindSummary(reminders=run, mail_sent=delivery.sent if delivery else 0)
