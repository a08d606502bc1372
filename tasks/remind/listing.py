"""What a remind run lists for the operator: the `reminders` table artifact's rows and summary.

One row per mail (template, deadline, kind, unit and association names), never an address or a
contact name; a dry run is listed the same way, so the operator sees what a real run would
send. Plain values and functions: nothing here reads the database, queues or publishes
(tasks/remind/reminders.py does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict

from notifications.policy import ReminderKind, ScheduledReminder
from tasks.common.rejection_reports import ARTIFACT_ROW_LIMIT

ARTIFACT_KEY = "reminders"


class ListedMail(BaseModel):
    """One mail of a run as the `reminders` artifact lists it: no address, no contact name."""

    model_config = ConfigDict(frozen=True)

    template: str
    deadline: str  # `<key> (<date>)`; empty for a digest
    kind: str  # T-3, on the day, overdue 1/3, weekly <ISO week>
    unit: str  # the unit's name; empty for a digest
    association: str  # the recommending associations' names, joined with 、


def kind_label(reminder: ScheduledReminder, overdue_max: int) -> str:
    """Return how the listing names a reminder's kind (T-3, on the day, overdue 1/3)."""
    if reminder.kind == ReminderKind.BEFORE:
        return f"T-{reminder.number}"
    if reminder.kind == ReminderKind.ON_THE_DAY:
        return "on the day"
    return f"overdue {reminder.number}/{overdue_max}"


@dataclass(frozen=True)
class DayReminders:
    """What a run decided for one day, as the `reminders` artifact lists it (names, no addresses).

    `mails` are those this run queued, or with `dry_run` those a real run would queue.
    """

    as_of: date
    dry_run: bool
    reminders_due: list[str]  # versions of the reminders the policy says are due
    digest_due: bool
    mails: list[ListedMail]
    queued: int  # outbox rows this run created (0 with dry_run)
    already_in_outbox: int  # due, but queued by an earlier run
    units_without_address: list[str]  # unit names
    associations_without_address: list[str]  # association codes


def reminder_description(day: DayReminders) -> str:
    """Return the artifact's markdown summary of a run (names of units and associations only)."""
    verb = "would be queued (dry run: nothing was written)" if day.dry_run else "queued"
    due = ", ".join(f"`{v}`" for v in day.reminders_due) or "none"
    lines = [
        f"**Reminders** for {day.as_of.isoformat()}: {len(day.mails)} mails {verb}; "
        f"{day.already_in_outbox} already in the outbox.",
        f"Reminders due: {due}. Weekly digest: {'due' if day.digest_due else 'not due'}.",
    ]
    if day.units_without_address:
        lines.append("Units without a valid address: " + "、".join(day.units_without_address))
    if day.associations_without_address:
        lines.append(
            "Associations without a valid address: " + ", ".join(day.associations_without_address)
        )
    if len(day.mails) > ARTIFACT_ROW_LIMIT:
        lines.append(f"Only the first {ARTIFACT_ROW_LIMIT} mails are listed.")
    return "\n\n".join(lines)


def reminder_rows(day: DayReminders) -> list[dict[str, str]]:
    """Return the artifact's rows: one per mail, at most the row limit."""
    return [m.model_dump() for m in day.mails[:ARTIFACT_ROW_LIMIT]]
