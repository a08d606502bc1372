"""The `reminders` listing: kinds named for operators, rows and summary without addresses."""

from __future__ import annotations

from datetime import date

from notifications.policy import ReminderKind, ScheduledReminder
from tasks.remind.listing import (
    DayReminders,
    ListedMail,
    kind_label,
    reminder_description,
    reminder_rows,
)

DEADLINE = date(2024, 10, 8)
B, D, OVER = ReminderKind.BEFORE, ReminderKind.ON_THE_DAY, ReminderKind.OVERDUE


def _reminder(kind: ReminderKind, number: int, day: date) -> ScheduledReminder:
    return ScheduledReminder(day, "receipt", kind, number, DEADLINE)


def test_kind_labels_name_the_reminder_for_operators() -> None:
    assert [
        kind_label(_reminder(B, 7, date(2024, 9, 23)), 3),
        kind_label(_reminder(D, 0, DEADLINE), 3),
        kind_label(_reminder(OVER, 3, date(2024, 10, 16)), 3),
    ] == ["T-7", "on the day", "overdue 3/3"]


def test_artifact_lists_names_only_and_says_when_it_was_a_dry_run() -> None:
    listed = ListedMail(
        template="deadline_reminder",
        deadline="receipt (2024-10-08)",
        kind="on the day",
        unit="上海测试0001科技有限公司",
        association="上海市测试行业协会A001",
    )
    run = DayReminders(
        as_of=DEADLINE,
        dry_run=True,
        reminders_due=["receipt@2024-10-08:on_the_day:0"],
        digest_due=True,
        mails=[listed],
        queued=0,
        already_in_outbox=2,
        units_without_address=["上海测试0005科技有限公司"],
        associations_without_address=["A002"],
    )

    assert reminder_rows(run) == [
        {
            "template": "deadline_reminder",
            "deadline": "receipt (2024-10-08)",
            "kind": "on the day",
            "unit": "上海测试0001科技有限公司",
            "association": "上海市测试行业协会A001",
        }
    ]
    assert reminder_description(run) == (
        "**Reminders** for 2024-10-08: 1 mails would be queued (dry run: nothing was written); "
        "2 already in the outbox.\n\n"
        "Reminders due: `receipt@2024-10-08:on_the_day:0`. Weekly digest: due.\n\n"
        "Units without a valid address: 上海测试0005科技有限公司\n\n"
        "Associations without a valid address: A002"
    )
