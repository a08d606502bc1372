"""The reminder policy: working-day offsets around holidays, overdue cadence, digests."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from notifications.policy import (
    ReminderKind,
    ScheduledReminder,
    campaign_calendar,
    digest_due,
    reminder_schedule,
    reminder_version,
    reminders_due,
    window_last_day,
)
from schemas.calendar import WorkingCalendar
from schemas.campaign_file import CampaignFile, parse_campaign_file

REPO = Path(__file__).resolve().parents[2]
B, D, OVER = ReminderKind.BEFORE, ReminderKind.ON_THE_DAY, ReminderKind.OVERDUE


def _campaign_with_deadline(day: date) -> CampaignFile:
    """The 2024 file with the report deadline moved to `day` (e.g. right after National Day)."""
    data = tomllib.loads((REPO / "campaigns" / "2024.toml").read_text("utf-8"))
    data["deadlines"]["report"]["date"] = day
    return parse_campaign_file(data, REPO / "campaigns" / "2024.toml")


def test_schedule_right_after_national_day_counts_working_days() -> None:
    campaign = _campaign_with_deadline(date(2024, 10, 8))
    calendar = campaign_calendar(campaign)

    schedule = reminder_schedule(
        "report", campaign.deadlines["report"], campaign.reminders, calendar
    )

    # 1-7 October are holidays; Sunday 29 September and Saturday 12 October are make-up days.
    assert [(r.day, r.kind, r.number) for r in schedule] == [
        (date(2024, 9, 23), B, 7),
        (date(2024, 9, 27), B, 3),
        (date(2024, 9, 30), B, 1),
        (date(2024, 10, 8), D, 0),
        (date(2024, 10, 9), OVER, 1),
        (date(2024, 10, 12), OVER, 2),
        (date(2024, 10, 16), OVER, 3),
    ]


def test_a_saturday_deadline_is_anchored_on_friday_and_overdue_starts_monday(campaign_2024) -> None:
    calendar = campaign_calendar(campaign_2024)

    schedule = reminder_schedule(
        "report", campaign_2024.deadlines["report"], campaign_2024.reminders, calendar
    )

    assert [(r.day, r.kind, r.number) for r in schedule] == [
        (date(2024, 11, 20), B, 7),
        (date(2024, 11, 26), B, 3),
        (date(2024, 11, 28), B, 1),
        (date(2024, 11, 29), D, 0),
        (date(2024, 12, 2), OVER, 1),
        (date(2024, 12, 5), OVER, 2),
        (date(2024, 12, 10), OVER, 3),
    ]


def test_reminders_due_lists_only_deadlines_with_steps(campaign_2024) -> None:
    calendar = campaign_calendar(campaign_2024)

    due = reminders_due(campaign_2024, calendar, date(2024, 11, 15))

    assert [(r.deadline_key, r.kind) for r in due] == [("receipt", D)]
    assert reminders_due(campaign_2024, calendar, date(2024, 12, 13)) == []


def test_digest_goes_out_on_the_first_working_day_of_the_week(campaign_2024) -> None:
    calendar = campaign_calendar(campaign_2024)
    reminders = campaign_2024.reminders  # digest_weekday = 1 (Monday)

    october_week = [date(2024, 10, 7) + timedelta(days=i) for i in range(7)]
    november_week = [date(2024, 11, 18) + timedelta(days=i) for i in range(7)]

    assert [d for d in october_week if digest_due(reminders, calendar, d)] == [date(2024, 10, 8)]
    assert [d for d in november_week if digest_due(reminders, calendar, d)] == [date(2024, 11, 18)]


@given(
    deadline=st.dates(min_value=date(2024, 1, 10), max_value=date(2024, 12, 10)),
    every=st.integers(min_value=1, max_value=4),
    most=st.integers(min_value=0, max_value=4),
)
def test_a_deadline_never_sends_two_reminders_on_one_day_and_overdue_follows_it(
    deadline: date, every: int, most: int
) -> None:
    campaign = _campaign_with_deadline(deadline)
    reminders = campaign.reminders.model_copy(
        update={"overdue_every_working_days": every, "overdue_max": most}
    )

    schedule = reminder_schedule(
        "report", campaign.deadlines["report"], reminders, WorkingCalendar()
    )

    days = [r.day for r in schedule]
    assert days == sorted(set(days))
    assert all((r.day > deadline) == (r.kind == OVER) for r in schedule)
    assert [r.number for r in schedule if r.kind == OVER] == list(range(1, most + 1))


@given(
    deadline=st.dates(min_value=date(2024, 1, 10), max_value=date(2024, 12, 10)),
    offsets=st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=4, unique=True),
)
def test_before_reminders_fall_on_working_days_counted_back_from_the_anchor(
    deadline: date, offsets: list[int]
) -> None:
    calendar = WorkingCalendar()
    campaign = _campaign_with_deadline(deadline)
    reminders = campaign.reminders.model_copy(
        update={"before_working_days": sorted(offsets, reverse=True)}
    )

    schedule = reminder_schedule("report", campaign.deadlines["report"], reminders, calendar)

    # Oracle: walk back day by day, counting days chinesecalendar calls working days.
    import chinese_calendar

    anchor = deadline
    while not chinese_calendar.is_workday(anchor):
        anchor -= timedelta(days=1)
    expected = {}
    for n in offsets:
        day, left = anchor, n
        while left:
            day -= timedelta(days=1)
            left -= chinese_calendar.is_workday(day)
        expected[n] = day
    got = {r.number: r.day for r in schedule if r.kind == B}
    assert got == expected


def test_reminder_versions_name_deadline_date_kind_and_number() -> None:
    deadline = date(2024, 10, 8)
    versions = [
        reminder_version(ScheduledReminder(date(2024, 9, 27), "receipt", B, 3, deadline)),
        reminder_version(ScheduledReminder(deadline, "receipt", D, 0, deadline)),
        reminder_version(ScheduledReminder(date(2024, 10, 12), "receipt", OVER, 2, deadline)),
    ]

    assert versions == [
        "receipt@2024-10-08:before:3",
        "receipt@2024-10-08:on_the_day:0",
        "receipt@2024-10-08:overdue:2",
    ]


def test_a_window_is_open_until_its_deadline_or_its_last_notice(
    campaign_2024: CampaignFile,
) -> None:
    """The last open day is the latest of the deadline and its reminders' days (oracle)."""
    calendar = campaign_calendar(campaign_2024)
    for key, deadline in campaign_2024.deadlines.items():
        schedule = reminder_schedule(key, deadline, campaign_2024.reminders, calendar)
        expected = max([deadline.date, *(r.day for r in schedule)])
        assert window_last_day(key, deadline, campaign_2024.reminders, calendar) == expected
        assert expected >= deadline.date
