"""The reminder policy: which reminders and digests are due on a business day.

Pure: takes the campaign file's deadlines and reminder settings, a working-day calendar and
`as_of`, and returns what is due. Who still owes a step, and the mail itself, are the caller's
business. The rules (DESIGN.md, "Time and the campaign clock"):
- a deadline is inclusive; its *anchor* is the last working day on or before it (a deadline on a
  Saturday stays where it is, since filing is online, but nobody is reminded on a Saturday);
- before it: one reminder `before_working_days` (e.g. 7, 3, 1) working days before the anchor;
- on the day: on the anchor;
- overdue: on the first working day after the deadline, then every `overdue_every_working_days`
  working days, at most `overdue_max` times (after that only the association digest carries it);
- two reminders of one deadline on the same day: only the later kind is sent (with the
  offsets counted as above the kinds cannot meet; the rule guards changed definitions);
- the weekly association digest: on the first working day of each week on or after
  `digest_weekday`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Deadline, Reminders


class ReminderKind(StrEnum):
    """Which reminder of a deadline (ordered: later kinds win a shared day)."""

    BEFORE = "before"
    ON_THE_DAY = "on_the_day"
    OVERDUE = "overdue"


_ORDER = {ReminderKind.BEFORE: 0, ReminderKind.ON_THE_DAY: 1, ReminderKind.OVERDUE: 2}


@dataclass(frozen=True, order=True)
class ScheduledReminder:
    """One reminder of one deadline: the day it goes out, its kind and its number.

    `number` is the working days before the anchor for BEFORE, 0 on the day, and the count
    (1, 2, 3) for OVERDUE.
    """

    day: date
    deadline_key: str
    kind: ReminderKind
    number: int
    deadline: date


def reminder_version(reminder: ScheduledReminder) -> str:
    """Return the version of a reminder's key: `<deadline key>@<date>:<kind>:<number>`."""
    return (
        f"{reminder.deadline_key}@{reminder.deadline.isoformat()}"
        f":{reminder.kind.value}:{reminder.number}"
    )


def campaign_calendar(campaign: CampaignFile) -> WorkingCalendar:
    """Return the working-day calendar with the campaign file's holiday overrides."""
    return WorkingCalendar(campaign.calendar.extra_holidays, campaign.calendar.extra_workdays)


def reminder_schedule(
    key: str, deadline: Deadline, reminders: Reminders, calendar: WorkingCalendar
) -> list[ScheduledReminder]:
    """Return every reminder of one deadline in day order, one per day (the later kind wins)."""
    anchor = calendar.on_or_before(deadline.date)
    planned: list[ScheduledReminder] = [
        ScheduledReminder(calendar.shift(anchor, -n), key, ReminderKind.BEFORE, n, deadline.date)
        for n in reminders.before_working_days
    ]
    if reminders.on_the_day:
        planned.append(ScheduledReminder(anchor, key, ReminderKind.ON_THE_DAY, 0, deadline.date))
    first_overdue = calendar.shift(deadline.date, 1)
    for k in range(1, reminders.overdue_max + 1):
        day = calendar.shift(first_overdue, reminders.overdue_every_working_days * (k - 1))
        planned.append(ScheduledReminder(day, key, ReminderKind.OVERDUE, k, deadline.date))
    by_day: dict[date, ScheduledReminder] = {}
    for item in planned:
        held = by_day.get(item.day)
        if held is None or _ORDER[item.kind] > _ORDER[held.kind]:
            by_day[item.day] = item
    return [by_day[d] for d in sorted(by_day)]


def window_last_day(
    key: str, deadline: Deadline, reminders: Reminders, calendar: WorkingCalendar
) -> date:
    """Return the last day a deadline's window is open: the deadline or its last notice.

    The clock closes the window (and lapses who still owes its steps) the day after.
    """
    return max(
        [deadline.date, *(r.day for r in reminder_schedule(key, deadline, reminders, calendar))]
    )


def reminders_due(
    campaign: CampaignFile, calendar: WorkingCalendar, as_of: date
) -> list[ScheduledReminder]:
    """Return the reminders due on `as_of` for every deadline that asks units for a step."""
    due: list[ScheduledReminder] = []
    for key in sorted(campaign.deadlines):
        deadline = campaign.deadlines[key]
        if not deadline.steps:
            continue
        due += [
            r
            for r in reminder_schedule(key, deadline, campaign.reminders, calendar)
            if r.day == as_of
        ]
    return due


def digest_due(reminders: Reminders, calendar: WorkingCalendar, as_of: date) -> bool:
    """Return whether the weekly association digest goes out on `as_of`."""
    if not calendar.is_working_day(as_of) or as_of.isoweekday() < reminders.digest_weekday:
        return False
    day = as_of - timedelta(days=1)
    week = as_of.isocalendar()[:2]
    while day.isoweekday() >= reminders.digest_weekday and day.isocalendar()[:2] == week:
        if calendar.is_working_day(day):
            return False  # an earlier working day this week already carried it
        day -= timedelta(days=1)
    return True
