"""The remind stage's task: queue the day's reminders and digests once, and list them.

`queue-reminders` asks the policy (notifications/policy.py) what is due on `as_of`, loads where
every open unit stands (tasks/common/standings.py), builds the mail (tasks/remind/mail.py), leaves
out what the outbox already holds and, unless it is a dry run, enqueues the rest, all in one
transaction (`queue_day_reminders`). A mail counts as already queued when the outbox holds its
record and version for any recipient, so a reminder goes once per unit even if the unit's address
changed since. The task lists the run's mail as the `reminders` table artifact (template,
deadline, kind, unit and association names, never an address or a contact name:
tasks/remind/listing.py) and returns counts only. This module sends nothing
(tasks/common/delivery.py does) and decides no dates (the policy does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from notifications.contexts import campaign_context
from notifications.outbox import KEY_SEPARATOR, OutgoingMail, key_head
from notifications.policy import (
    ScheduledReminder,
    campaign_calendar,
    digest_due,
    reminder_version,
    reminders_due,
)
from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from tasks.common.outgoing import enqueue
from tasks.common.rejection_reports import in_a_run, publish_table
from tasks.common.standings import load_standings
from tasks.remind.listing import (
    ARTIFACT_KEY,
    DayReminders,
    ListedMail,
    kind_label,
    reminder_description,
    reminder_rows,
)
from tasks.remind.mail import (
    decide_reminders,
    digest_mails,
    iso_week,
    reminder_mails,
)
from tasks.store import campaign_session

Head = tuple[str, str, str]  # template, subject_ref, version: an idempotency key but the recipient


def head_of(mail: OutgoingMail) -> Head:
    """Return the parts of a mail's key that say what it is about, not whom it goes to."""
    return (mail.mail.template, mail.subject_ref, str(mail.version))


def already_queued(
    session: Session, campaign_year: int, mails: Sequence[OutgoingMail]
) -> set[Head]:
    """Return the heads of these mails that the outbox already holds, for any recipient.

    One query: the campaign's outbox rows of these templates whose key names one of these
    versions. Any status counts: a sent, failed or cancelled mail is never queued again.
    """
    if not mails:
        return set()
    key = col(OutboxMessage.idempotency_key)
    versions = sorted({str(m.version) for m in mails})
    stored = session.exec(
        select(OutboxMessage.idempotency_key)
        .where(OutboxMessage.campaign_year == campaign_year)
        .where(col(OutboxMessage.template).in_(sorted({m.mail.template for m in mails})))
        .where(
            sa.or_(
                *(
                    key.contains(f"{KEY_SEPARATOR}{v}{KEY_SEPARATOR}", autoescape=True)
                    for v in versions
                )
            )
        )
    ).all()
    return {key_head(k) for k in stored}


class PlannedMail(NamedTuple):
    """A mail of the day and its row in the `reminders` listing."""

    listed: ListedMail
    mail: OutgoingMail


@dataclass(frozen=True)
class Plan:
    """What a day calls for: each mail with its listing row, and who could not be mailed."""

    mails: list[PlannedMail]
    units_without_address: list[str]
    associations_without_address: list[str]


def plan_mails(
    session: Session,
    campaign: CampaignFile,
    calendar: WorkingCalendar,
    due: Sequence[ScheduledReminder],
    with_digest: bool,
    as_of: date,
) -> Plan:
    """Return the day's reminders (and digests when due), rendered. Reads the database only."""
    standings = load_standings(session, campaign.year)
    shared = campaign_context(campaign)
    names = {code: a.name for code, a in standings.associations.items()}
    items = decide_reminders(due, campaign.deadlines, standings.units)
    reminders, units_unmailed = reminder_mails(items, campaign, shared, calendar, as_of)
    planned = [
        PlannedMail(
            ListedMail(
                template=m.mail.mail.template,
                deadline=f"{m.item.reminder.deadline_key} ({m.item.reminder.deadline})",
                kind=kind_label(m.item.reminder, campaign.reminders.overdue_max),
                unit=m.item.unit.unit_name,
                association="、".join(names[c] for c in m.item.unit.associations),
            ),
            m.mail,
        )
        for m in reminders
    ]
    digests, associations_unmailed = (
        digest_mails(standings, campaign, shared, as_of) if with_digest else ([], [])
    )
    planned += [
        PlannedMail(
            ListedMail(
                template=d.mail.mail.template,
                deadline="",
                kind=f"weekly {iso_week(as_of)}",
                unit="",
                association=d.association_name,
            ),
            d.mail,
        )
        for d in digests
    ]
    return Plan(planned, [u.unit_name for u in units_unmailed], associations_unmailed)


def queue_day_reminders(
    settings: Settings, campaign_year: int, as_of: date, dry_run: bool = False
) -> DayReminders:
    """Decide the reminders and digests due on `as_of`, enqueue them unless `dry_run`; list them.

    Side effects: unless `dry_run`, writes outbox rows in one transaction (mail whose record
    and version the outbox already holds is left out). A dry run writes nothing and lists
    exactly what a real run would queue.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    calendar = campaign_calendar(campaign)
    due = reminders_due(campaign, calendar, as_of)
    with_digest = digest_due(campaign.reminders, calendar, as_of)
    plan = Plan([], [], [])
    held: set[Head] = set()
    queued = 0
    if due or with_digest:
        with campaign_session(settings) as session:
            plan = plan_mails(session, campaign, calendar, due, with_digest, as_of)
            held = already_queued(session, campaign_year, [p.mail for p in plan.mails])
            fresh = [p.mail for p in plan.mails if head_of(p.mail) not in held]
            queued = 0 if dry_run else enqueue(session, settings, fresh, business_day=as_of)
    listed = [p.listed for p in plan.mails if head_of(p.mail) not in held]
    return DayReminders(
        as_of=as_of,
        dry_run=dry_run,
        reminders_due=[reminder_version(r) for r in due],
        digest_due=with_digest,
        mails=listed,
        queued=queued,
        already_in_outbox=len(plan.mails) - len(listed),
        units_without_address=plan.units_without_address,
        associations_without_address=plan.associations_without_address,
    )


class ReminderRun(BaseModel):
    """What one run decided, in counts: the mail it queued (or would), and the gaps.

    The mail itself, unit by unit, is in the `reminders` artifact, never in this summary.
    """

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    dry_run: bool
    reminders_due: list[str]  # versions of the reminders the policy says are due
    digest_due: bool
    listed: int  # mails queued by this run, or that a dry run would queue
    queued: int  # outbox rows this run created (0 with dry_run)
    already_in_outbox: int  # due, but queued by an earlier run
    units_without_address: int  # how many units could not be mailed; named in the artifact
    associations_without_address: list[str]  # association codes


@task(name="queue-reminders", cache_policy=NO_CACHE)
def queue_reminders(
    settings: Settings, campaign_year: int, as_of: date, dry_run: bool = False
) -> ReminderRun:
    """Queue the reminders and digests due on `as_of` unless `dry_run`, and list them.

    Side effects: unless `dry_run`, writes outbox rows in one transaction
    (`queue_day_reminders`); in a task run, publishes the `reminders` table artifact of what
    was (or would be) sent, with no addresses (`.fn()` outside a run publishes nothing). No
    cache: every call looks at the database anew.
    """
    day = queue_day_reminders(settings, campaign_year, as_of, dry_run)
    get_run_logger().info(
        "%s: %d reminders due, digest %s; %d mails %s, %d already in the outbox",
        as_of.isoformat(),
        len(day.reminders_due),
        "due" if day.digest_due else "not due",
        len(day.mails),
        "listed (dry run)" if dry_run else "queued",
        day.already_in_outbox,
    )
    if in_a_run():
        publish_table(ARTIFACT_KEY, reminder_rows(day), reminder_description(day))
    return ReminderRun(
        campaign_year=campaign_year,
        as_of=as_of,
        dry_run=dry_run,
        reminders_due=day.reminders_due,
        digest_due=day.digest_due,
        listed=len(day.mails),
        queued=day.queued,
        already_in_outbox=day.already_in_outbox,
        units_without_address=len(day.units_without_address),
        associations_without_address=day.associations_without_address,
    )
