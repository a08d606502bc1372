"""Mail of the remind stage: deadline reminders, overdue notices and weekly association digests.

Plain functions over loaded standings (tasks/common/standings.py) and the policy's due reminders
(notifications/policy.py). `decide_reminders` is the rule: for each reminder due, every open unit
that still owes a step of that deadline gets one. `reminder_mails` renders them as
`deadline_reminder` (before, on the day) or `overdue_notice`, keyed per participation on `<deadline
key>@<date>:<kind>:<number>`; `digest_mails` renders one `association_digest` per association with
open units, keyed on the ISO week. Units and associations without a valid address are returned, not
mailed. No database, no clock, no sending: tasks/remind/reminders.py queues.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from notifications.contexts import (
    AssociationDigestContext,
    CampaignContext,
    DeadlineReminderContext,
    DigestUnitContext,
    OverdueNoticeContext,
    deadline_context,
)
from notifications.headers import InvalidAddress, mailbox
from notifications.outbox import OutgoingMail
from notifications.policy import ReminderKind, ScheduledReminder, reminder_version
from notifications.render import RenderedMail, render
from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Deadline
from schemas.enums import SubmissionKind
from tasks.common.standings import STATUS_WORDS, STEP_WORDS, Standings, UnitStanding, step_words

OVERDUE_MARK = "（已逾期）"


def iso_week(day: date) -> str:
    """Return the ISO week of a day as `<year>-W<week>` (the digest's version)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class ReminderDue:
    """One due reminder for one unit, with the steps it still owes for that deadline."""

    reminder: ScheduledReminder
    unit: UnitStanding
    missing: tuple[SubmissionKind, ...]


def decide_reminders(
    due: Sequence[ScheduledReminder],
    deadlines: Mapping[str, Deadline],
    units: Sequence[UnitStanding],
) -> list[ReminderDue]:
    """Return one entry per due reminder and unit that still owes a step of its deadline. Pure."""
    out: list[ReminderDue] = []
    for reminder in due:
        steps = deadlines[reminder.deadline_key].steps
        for unit in units:
            missing = unit.owes(steps)
            if missing:
                out.append(ReminderDue(reminder, unit, tuple(missing)))
    return out


def render_reminder(
    item: ReminderDue,
    campaign: CampaignFile,
    shared: CampaignContext,
    calendar: WorkingCalendar,
    as_of: date,
) -> RenderedMail:
    """Render a `deadline_reminder` (before, on the day) or an `overdue_notice`. Pure.

    Working days left and overdue are counted with the calendar between `as_of` and the
    deadline (0 on the day; a deadline on a Saturday counts like the Friday before it).
    """
    r, unit = item.reminder, item.unit
    deadline = deadline_context(campaign, r.deadline_key)
    missing = step_words(item.missing)
    contact = unit.contact_name or unit.unit_name
    if r.kind == ReminderKind.OVERDUE:
        overdue = OverdueNoticeContext(
            campaign=shared,
            unit_name=unit.unit_name,
            contact_name=contact,
            deadline=deadline,
            missing=missing,
            working_days_overdue=calendar.count_between(r.deadline, as_of),
            notice_number=r.number,
            notices_max=campaign.reminders.overdue_max,
        )
        return render("overdue_notice", overdue)
    steps = campaign.deadlines[r.deadline_key].steps
    reminder = DeadlineReminderContext(
        campaign=shared,
        unit_name=unit.unit_name,
        contact_name=contact,
        kind="report" if SubmissionKind.REPORT_PDF in steps else "receipt",
        deadline=deadline,
        missing=missing,
        working_days_left=calendar.count_between(as_of, r.deadline),
    )
    return render("deadline_reminder", reminder)


@dataclass(frozen=True)
class ReminderMail:
    """A rendered reminder and the due reminder it came from."""

    item: ReminderDue
    mail: OutgoingMail


def reminder_mails(
    items: Sequence[ReminderDue],
    campaign: CampaignFile,
    shared: CampaignContext,
    calendar: WorkingCalendar,
    as_of: date,
) -> tuple[list[ReminderMail], list[UnitStanding]]:
    """Return the reminder mails, and the units left unmailed for want of a valid address."""
    mails: list[ReminderMail] = []
    unmailed: dict[int, UnitStanding] = {}
    for item in items:
        unit = item.unit
        try:
            to = mailbox(unit.email, unit.contact_name)
        except InvalidAddress:
            unmailed[unit.participation_id] = unit
            continue
        mail = OutgoingMail(
            campaign_year=campaign.year,
            to=to,
            mail=render_reminder(item, campaign, shared, calendar, as_of),
            subject_ref=f"participation:{unit.participation_id}",
            version=reminder_version(item.reminder),
        )
        mails.append(ReminderMail(item, mail))
    return mails, list(unmailed.values())


def digest_unit(unit: UnitStanding, campaign: CampaignFile, as_of: date) -> DigestUnitContext:
    """Return one unit's digest line: status, owed steps (overdue marked), next deadline. Pure.

    Deadlines are taken in date order and a step named by two deadlines is listed once, under
    the earlier; the next deadline is the earliest one on or after `as_of` it still owes for.
    """
    owes: list[str] = []
    seen: set[SubmissionKind] = set()
    upcoming: list[date] = []
    for deadline in sorted(campaign.deadlines.values(), key=lambda d: d.date):
        missing = [s for s in unit.owes(deadline.steps) if s not in seen]
        seen.update(missing)
        if not missing:
            continue
        passed = deadline.date < as_of
        owes += [STEP_WORDS[s] + (OVERDUE_MARK if passed else "") for s in missing]
        if not passed:
            upcoming.append(deadline.date)
    return DigestUnitContext(
        unit_name=unit.unit_name,
        status=STATUS_WORDS[unit.status],
        owes=tuple(owes),
        next_deadline=min(upcoming, default=None),
    )


@dataclass(frozen=True)
class DigestMail:
    """One association's digest and whom it is about."""

    association_code: str
    association_name: str
    mail: OutgoingMail


def digest_mails(
    standings: Standings, campaign: CampaignFile, shared: CampaignContext, as_of: date
) -> tuple[list[DigestMail], list[str]]:
    """Return one digest per association with open units, and the codes left unmailed.

    An association whose contact address is missing or invalid gets no digest; its code is in
    the second list so the caller can report it. Ordered by association code; units in the
    order of their participation.
    """
    members: dict[str, list[UnitStanding]] = {}
    for unit in standings.units:
        for code in unit.associations:
            members.setdefault(code, []).append(unit)
    mails: list[DigestMail] = []
    unmailed: list[str] = []
    for code in sorted(members):
        assoc = standings.associations[code]
        try:
            to = mailbox(assoc.email, assoc.contact_name)
        except InvalidAddress:
            unmailed.append(code)
            continue
        lines = tuple(digest_unit(u, campaign, as_of) for u in members[code])
        context = AssociationDigestContext(
            campaign=shared,
            association_name=assoc.name,
            contact_name=assoc.contact_name or assoc.name,
            as_of=as_of,
            units=lines,
            units_complete=sum(1 for line in lines if not line.owes),
        )
        mail = OutgoingMail(
            campaign_year=campaign.year,
            to=to,
            mail=render("association_digest", context),
            subject_ref=f"association:{code}",
            version=iso_week(as_of),
        )
        mails.append(DigestMail(code, assoc.name, mail))
    return mails, unmailed
