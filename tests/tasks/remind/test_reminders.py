"""The queue-reminders task: plan in one query per table, queue once, dry run, counts returned.

The campaign file has its receipt deadline on Tuesday 2024-10-08, right after National Day
(1-7 October holidays; Saturday 12 October a make-up working day): the first overdue notice
goes out on 9 October, the second on Saturday 12 October; Monday 14 October carries the
weekly digest. The units are those of `factories.seed_reminder_units`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from factories import (
    add_association,
    add_participation,
    deadline_campaigns_dir,
    seed_reminder_units,
)
from factories import unit_standing as _unit
from outboxkit import with_bodies
from prefect.logging import disable_run_logger
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from notifications.contexts import campaign_context
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail, enqueue_many
from notifications.policy import ReminderKind, ScheduledReminder, campaign_calendar
from notifications.render import RenderedMail
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Unit
from tasks.common.campaigns import ensure_campaign
from tasks.remind.listing import ListedMail
from tasks.remind.mail import decide_reminders, render_reminder
from tasks.remind.reminders import (
    ReminderRun,
    already_queued,
    plan_mails,
    queue_day_reminders,
    queue_reminders,
)
from tasks.store import session_scope

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


def _seed(engine: Engine, campaign: CampaignFile) -> dict[int, int]:
    with session_scope(engine) as session:
        return seed_reminder_units(session, campaign)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs while the test body runs."""
    seen: list[str] = []

    def _record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    yield seen
    event.remove(engine, "before_cursor_execute", _record)


def test_planning_reads_each_table_once_whatever_the_number_of_units(
    engine: Engine, campaign: CampaignFile, statements: list[str]
) -> None:
    calendar = campaign_calendar(campaign)
    due = [_reminder(OVER, 1, date(2024, 10, 9))]
    counts = []
    for numbers in (range(1, 3), range(3, 23)):
        with session_scope(engine) as session:
            ensure_campaign(session, campaign, now_utc())
            assoc = add_association(session, f"B{numbers[0]:03d}")
            for n in numbers:
                add_participation(session, n, [assoc])
        statements.clear()
        with session_scope(engine) as session:
            plan = plan_mails(session, campaign, calendar, due, True, date(2024, 10, 9))
        counts.append(
            (len(plan.mails), sum(s.lstrip().upper().startswith("SELECT") for s in statements))
        )

    # 2 overdue notices + 1 digest, then 22 + 2; three SELECTs each time (units, filings, links).
    assert counts == [(3, 3), (24, 3)]


def test_already_queued_finds_a_mail_sent_to_an_earlier_address(
    engine: Engine, campaign: CampaignFile, tmp_path: Path
) -> None:
    def mail(address: str, version: str) -> OutgoingMail:
        return OutgoingMail(
            campaign_year=2024,
            to=mailbox(address),
            mail=_overdue_mail(campaign),
            subject_ref="participation:17",
            version=version,
        )

    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        enqueue_many(
            session,
            [mail("old@unit.example.com", "receipt@2024-10-08:on_the_day:0")],
            workspace=tmp_path,
            message_id_domain="example.org",
        )
    with session_scope(engine) as session:
        held = already_queued(
            session,
            2024,
            [
                mail("new@unit.example.com", "receipt@2024-10-08:on_the_day:0"),
                mail("new@unit.example.com", "receipt@2024-10-08:overdue:1"),
            ],
        )

    assert held == {("overdue_notice", "participation:17", "receipt@2024-10-08:on_the_day:0")}


def _overdue_mail(campaign: CampaignFile) -> RenderedMail:
    item = decide_reminders(
        [_reminder(OVER, 1, date(2024, 10, 9))], campaign.deadlines, [_unit(17)]
    )[0]
    return render_reminder(
        item, campaign, campaign_context(campaign), campaign_calendar(campaign), date(2024, 10, 9)
    )


def _settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        workspace=tmp_path / "ws",
        database_url=database_url,
        campaigns_dir=deadline_campaigns_dir(tmp_path, DEADLINE),
    )


def _outbox(engine: Engine) -> list[tuple[str, str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        return [(r.template, r.recipient, r.subject, r.idempotency_key) for r in rows]


def test_overdue_notices_on_the_make_up_saturday_go_once_per_unit(
    engine: Engine, database_url: str, campaign: CampaignFile, tmp_path: Path
) -> None:
    ids = _seed(engine, campaign)
    settings = _settings(database_url, tmp_path)
    saturday = date(2024, 10, 12)

    dry = queue_day_reminders(settings, 2024, saturday, dry_run=True)
    after_dry = _outbox(engine)
    real = queue_day_reminders(settings, 2024, saturday)
    with session_scope(engine) as session:  # unit 2 gives a new address
        unit = session.exec(select(Unit).where(Unit.name == "上海测试0002科技有限公司")).one()
        unit.email = "new2@unit2.example.com"
    again = queue_day_reminders(settings, 2024, saturday)
    with disable_run_logger():
        counted = queue_reminders.fn(settings, 2024, saturday)

    listed = [
        ListedMail(
            template="overdue_notice",
            deadline="receipt (2024-10-08)",
            kind="overdue 2/3",
            unit=f"上海测试000{n}科技有限公司",
            association=association,
        )
        for n, association in [
            (1, "上海市测试行业协会A001、上海市测试行业协会A002"),
            (2, "上海市测试行业协会A001"),
        ]
    ]
    assert (dry.reminders_due, dry.digest_due) == (["receipt@2024-10-08:overdue:2"], False)
    assert (dry.mails, dry.queued, after_dry) == (listed, 0, [])
    assert (real.mails, real.queued, real.already_in_outbox) == (listed, 2, 0)
    assert real.units_without_address == ["上海测试0005科技有限公司"]
    assert (again.mails, again.queued, again.already_in_outbox) == ([], 0, 2)
    # The task returns counts only; the mail itself is listed in its `reminders` artifact.
    assert counted == ReminderRun(
        campaign_year=2024,
        as_of=saturday,
        dry_run=False,
        reminders_due=["receipt@2024-10-08:overdue:2"],
        digest_due=False,
        listed=0,
        queued=0,
        already_in_outbox=2,
        units_without_address=1,
        associations_without_address=[],
    )
    subject = f"{PREFIX}逾期提醒（第2次）：发布回执表及基本信息统计表尚未提交"
    assert _outbox(engine) == [
        (
            "overdue_notice",
            f"contact{n}@unit{n}.example.com",
            subject,
            f"2024|overdue_notice|participation:{ids[n]}|receipt@2024-10-08:overdue:2|"
            f"contact{n}@unit{n}.example.com",
        )
        for n in (1, 2)
    ]


def test_the_weekly_digest_skips_an_association_without_address(
    engine: Engine, database_url: str, campaign: CampaignFile, tmp_path: Path
) -> None:
    _seed(engine, campaign)
    settings = _settings(database_url, tmp_path)

    monday = queue_day_reminders(settings, 2024, date(2024, 10, 14))
    thursday = queue_day_reminders(settings, 2024, date(2024, 10, 17))

    assert (monday.reminders_due, monday.digest_due) == ([], True)
    assert monday.mails == [
        ListedMail(
            template="association_digest",
            deadline="",
            kind="weekly 2024-W42",
            unit="",
            association="上海市测试行业协会A001",
        )
    ]
    assert monday.associations_without_address == ["A002"]
    assert (thursday.reminders_due, thursday.digest_due, thursday.mails) == ([], False, [])
    with Session(engine) as session:
        [row] = with_bodies(session, session.exec(select(OutboxMessage)).all())
    assert (row.recipient, row.subject, row.idempotency_key) == (
        "a001@assoc.example.org",
        f"{PREFIX}上海市测试行业协会A001推荐单位进展周报（截至10月14日）",
        "2024|association_digest|association:A001|2024-W42|a001@assoc.example.org",
    )
    # Units 1, 2, 3 and 5 (4 is A002's only, 6 withdrew); none has filed everything.
    assert "贵协会推荐的4家单位中，尚无单位提交全部材料。" in row.body_text
    assert (
        "1. 上海测试0001科技有限公司\n"
        "   当前状态：已推荐\n"
        "   尚缺材料：发布回执表（已逾期）、基本信息统计表（已逾期）、社会责任报告（PDF版本）\n"
    ) in row.body_text
    assert (
        "3. 上海测试0003科技有限公司\n   当前状态：已报名\n   尚缺材料：社会责任报告（PDF版本）\n"
    ) in row.body_text
