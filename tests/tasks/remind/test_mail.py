"""Who is due which reminder, and the mail, counted in working days around National Day.

The campaign file here has its receipt deadline on Tuesday 2024-10-08, right after the
holidays: 1-7 October are holidays; Sunday 29 September and Saturday 12 October are make-up
working days. So T-3 is Friday 27 September, T-1 Monday 30 September, and the second overdue
notice goes out on the make-up Saturday, 12 October.
"""

from __future__ import annotations

from datetime import date

import pytest
from factories import deadline_campaigns_dir
from factories import unit_standing as _unit
from hypothesis import given
from hypothesis import strategies as st

from notifications.contexts import campaign_context
from notifications.policy import ReminderKind, ScheduledReminder, campaign_calendar
from notifications.render import RenderedMail
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.campaign_parts import Deadline
from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind as K
from schemas.participation import FINAL
from tasks.common.standings import OWING, UnitStanding
from tasks.remind.mail import (
    decide_reminders,
    digest_unit,
    iso_week,
    render_reminder,
)

DEADLINE = date(2024, 10, 8)
PREFIX = "【第十三届上海市企业社会责任报告发布会】"
B, D, OVER = ReminderKind.BEFORE, ReminderKind.ON_THE_DAY, ReminderKind.OVERDUE


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> CampaignFile:
    """The 2024 file with the receipt deadline right after National Day."""
    folder = deadline_campaigns_dir(tmp_path_factory.mktemp("holiday"), DEADLINE)
    return load_campaign_file(folder / "2024.toml")


def _reminder(kind: ReminderKind, number: int, day: date) -> ScheduledReminder:
    return ScheduledReminder(day, "receipt", kind, number, DEADLINE)


def _render(
    campaign: CampaignFile, reminder: ScheduledReminder, unit: UnitStanding
) -> RenderedMail:
    [item] = decide_reminders([reminder], campaign.deadlines, [unit])
    shared = campaign_context(campaign)
    return render_reminder(item, campaign, shared, campaign_calendar(campaign), reminder.day)


_STANDING = st.tuples(
    st.sampled_from([s for s in S if s not in FINAL]),
    st.frozensets(st.sampled_from(list(K))),
    st.booleans(),
)


@given(
    units=st.lists(_STANDING, max_size=8),
    kinds=st.sets(st.sampled_from(list(ReminderKind)), min_size=1),
)
def test_a_unit_gets_a_reminder_exactly_while_it_still_owes_a_step(
    units: list[tuple[S, frozenset[K], bool]], kinds: set[ReminderKind]
) -> None:
    deadlines = {
        key: Deadline(date=DEADLINE, title="截止", title_en="deadline", steps=steps)
        for key, steps in [("receipt", [K.RECEIPT, K.BASIC_INFO]), ("report", [K.REPORT_PDF])]
    }
    standings = [_unit(i, s, f, u) for i, (s, f, u) in enumerate(units, start=1)]
    due = [
        ScheduledReminder(date(2024, 10, 9), key, kind, 1, DEADLINE)
        for key in deadlines
        for kind in sorted(kinds)
    ]

    result = decide_reminders(due, deadlines, standings)

    # Oracle, written out without owed_steps: a step is in when filed (a report: when usable).
    def done(u: UnitStanding, step: K) -> bool:
        return u.report_usable if step == K.REPORT_PDF else step in u.filed

    expected = [
        (r, u.participation_id, tuple(s for s in deadlines[r.deadline_key].steps if not done(u, s)))
        for r in due
        for u in standings
        if u.status in OWING and not all(done(u, s) for s in deadlines[r.deadline_key].steps)
    ]
    assert [(d.reminder, d.unit.participation_id, d.missing) for d in result] == expected
    assert [d for d in result if d.unit.status == S.SUBMITTED] == []


def test_t_minus_3_before_national_day_counts_three_working_days(campaign: CampaignFile) -> None:
    unit = _unit(7, S.REGISTERED, frozenset({K.RECEIPT}))

    mail = _render(campaign, _reminder(B, 3, date(2024, 9, 27)), unit)

    # 29 September (make-up Sunday), 30 September and 8 October are left.
    assert mail.template == "deadline_reminder"
    assert mail.subject == f"{PREFIX}截止提醒：请于2024年10月8日前提交发布回执表及基本信息统计表"
    assert "截止日期为2024年10月8日（星期二），距截止还有3个工作日。" in mail.text
    assert "  1. 基本信息统计表\n" in mail.text
    assert "  2. " not in mail.text


def test_t_minus_1_falls_on_the_monday_before_the_holidays(campaign: CampaignFile) -> None:
    mail = _render(campaign, _reminder(B, 1, date(2024, 9, 30)), _unit(7))

    assert "距截止还有1个工作日。" in mail.text
    assert "  1. 发布回执表\n  2. 基本信息统计表\n" in mail.text


def test_on_the_day_says_today(campaign: CampaignFile) -> None:
    mail = _render(campaign, _reminder(D, 0, DEADLINE), _unit(7))

    assert mail.subject == f"{PREFIX}今日截止：请于2024年10月8日前提交发布回执表及基本信息统计表"
    assert "截止日期为今天，即2024年10月8日（星期二）。" in mail.text


def test_overdue_notice_on_the_make_up_saturday_counts_four_working_days(
    campaign: CampaignFile,
) -> None:
    mail = _render(campaign, _reminder(OVER, 2, date(2024, 10, 12)), _unit(7))

    # 9, 10, 11 and (make-up Saturday) 12 October.
    assert mail.template == "overdue_notice"
    assert mail.subject == f"{PREFIX}逾期提醒（第2次）：发布回执表及基本信息统计表尚未提交"
    assert "截止日期2024年10月8日已过4个工作日" in mail.text
    assert "本通知为第2次逾期提醒（共3次）。" in mail.text


def test_digest_versions_are_iso_weeks() -> None:
    assert [iso_week(date(2024, 10, 14)), iso_week(date(2024, 12, 30))] == ["2024-W42", "2025-W01"]


def test_digest_line_marks_passed_deadlines_and_names_the_next(campaign: CampaignFile) -> None:
    late = digest_unit(_unit(1), campaign, date(2024, 10, 14))
    half = digest_unit(_unit(2, S.REGISTERED, frozenset({K.RECEIPT})), campaign, date(2024, 9, 30))
    done = digest_unit(_unit(3, S.SUBMITTED), campaign, date(2024, 10, 14))

    assert (late.status, late.owes, late.next_deadline) == (
        "已推荐",
        ("发布回执表（已逾期）", "基本信息统计表（已逾期）", "社会责任报告（PDF版本）"),
        date(2024, 11, 30),
    )
    assert (half.status, half.owes, half.next_deadline) == (
        "已报名",
        ("基本信息统计表", "社会责任报告（PDF版本）"),
        DEADLINE,
    )
    assert (done.status, done.owes, done.next_deadline) == ("已提交", (), None)
