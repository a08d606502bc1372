"""Reminders to late reviewers: who is late (a rule, against an oracle), which days are due,
the outbox rows a run leaves (once per reviewer and day), and delivery through the SMTP sink.

The 2024 file's review deadline is Friday 13 December 2024, with reminders 7, 3 and 1 working
days before it, on the day, and overdue notices every 3 working days, at most 3.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import add_association, add_participation
from hypothesis import given
from hypothesis import strategies as st
from mailkit import received
from outboxkit import QueuedMail, with_bodies
from prefect.logging import disable_run_logger
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from notifications.policy import ReminderKind, campaign_calendar
from notifications.sink import SmtpSink
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.outbox_table import OutboxMessage
from schemas.review_tables import Review, ReviewAssignment, Reviewer
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.common.delivery import deliver_outbox
from tasks.review.reminders import (
    Assigned,
    LateReviewer,
    late_reviewers,
    remind_reviewers,
    review_reminder_due,
)
from tasks.store import session_scope

REPO = Path(__file__).resolve().parents[3]
DEADLINE = date(2024, 12, 13)
ASSIGNED_ON = date(2024, 12, 2)
PREFIX = "【第十三届上海市企业社会责任报告发布会】"
B, D, OVER = ReminderKind.BEFORE, ReminderKind.ON_THE_DAY, ReminderKind.OVERDUE


def unit(n: int) -> str:
    return f"上海测试{n:04d}科技有限公司"


# --- who is late ----------------------------------------------------------------------------


def test_late_reviewers_name_missing_reports_and_skip_withdrawn_and_later_rechecks() -> None:
    assigned = [
        Assigned(1, unit(2), 0, ASSIGNED_ON, returned=True),
        Assigned(1, unit(1), 0, ASSIGNED_ON, returned=False),
        Assigned(1, unit(3), 1, DEADLINE, returned=False),  # re-check assigned on the day
        Assigned(2, unit(1), 0, ASSIGNED_ON, returned=True),
        Assigned(2, unit(4), 0, ASSIGNED_ON, returned=False, withdrawn=True),
        Assigned(3, unit(5), 1, date(2024, 12, 23), returned=False),  # after the deadline
    ]

    assert late_reviewers(assigned, DEADLINE) == [
        LateReviewer(1, 3, (unit(1), f"{unit(3)}（复审）")),
    ]


assignments = st.lists(
    st.builds(
        Assigned,
        reviewer_id=st.integers(1, 6),
        unit_name=st.sampled_from([unit(n) for n in range(1, 8)]),
        round=st.integers(0, 1),
        assigned_on=st.sampled_from([date(2024, 12, 2), DEADLINE, date(2024, 12, 20)]),
        returned=st.booleans(),
        withdrawn=st.booleans(),
    ),
    max_size=40,
)


@given(assignments)
def test_late_reviewers_agree_with_counting_by_hand(assigned: list[Assigned]) -> None:
    counted = [a for a in assigned if not a.withdrawn and a.assigned_on <= DEADLINE]
    total: dict[int, int] = defaultdict(int)
    open_names: dict[int, list[str]] = defaultdict(list)
    for a in counted:
        total[a.reviewer_id] += 1
        if not a.returned:
            open_names[a.reviewer_id].append(a.unit_name + ("（复审）" if a.round else ""))
    expected = [
        (rid, total[rid], sorted(open_names[rid]))
        for rid in sorted(total)
        if any(not a.returned for a in counted if a.reviewer_id == rid)
    ]

    late = late_reviewers(assigned, DEADLINE)

    assert [(r.reviewer_id, r.reports_total, list(r.missing)) for r in late] == expected
    assert all(0 < len(r.missing) <= r.reports_total for r in late)


# --- which days ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2024, 12, 4), (B, 7)),
        (date(2024, 12, 10), (B, 3)),
        (date(2024, 12, 12), (B, 1)),
        (DEADLINE, (D, 0)),
        (date(2024, 12, 16), (OVER, 1)),  # first working day after a Friday deadline
        (date(2024, 12, 19), (OVER, 2)),
        (date(2024, 12, 24), (OVER, 3)),
        (date(2024, 12, 11), None),
        (date(2024, 12, 14), None),  # Saturday
        (date(2024, 12, 27), None),  # after the last overdue notice
        (date(2024, 12, 2), None),
    ],
)
def test_review_reminders_fall_on_the_policy_days(
    day: date, due: tuple[ReminderKind, int] | None, campaign_2024: CampaignFile
) -> None:
    reminder = review_reminder_due(campaign_2024, campaign_calendar(campaign_2024), day)

    assert (None if reminder is None else (reminder.kind, reminder.number)) == due
    assert reminder is None or (reminder.deadline_key, reminder.deadline) == ("review", DEADLINE)


# --- the task on a real database -------------------------------------------------------------


def _settings(database_url: str, tmp_path: Path, **kw: object) -> Settings:
    return Settings(
        workspace=tmp_path / "ws",
        database_url=database_url,
        campaigns_dir=REPO / "campaigns",
        **kw,  # type: ignore[arg-type]
    )


def _seed(engine: Engine, campaign: CampaignFile) -> dict[str, int]:
    """Seed three experts: 1 returned one of two, 2 everything (and a withdrawn unit), 3 none.

    Returns reviewer ids by the expert's number as a string.
    """
    at = datetime(2024, 12, 2, 2, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        a1 = add_association(session, "A001")
        S = ParticipationStatus
        parts = {n: add_participation(session, n, [a1], S.IN_REVIEW) for n in range(1, 5)}
        parts[5] = add_participation(session, 5, [a1], S.WITHDRAWN)
        experts = {}
        for i in (1, 2, 3):
            row = Reviewer(
                campaign_year=2024,
                key=f"expert{i}@review.example.org",
                name=f"专家{i:02d}",
                email=f"expert{i}@review.example.org",
                max_load=10,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            experts[str(i)] = row.id
        plan = {"1": [(1, True), (2, False)], "2": [(1, True), (3, True), (5, False)]}
        plan["3"] = [(2, False), (3, False), (4, False)]
        for expert, reports in plan.items():
            for n, returned in reports:
                a = ReviewAssignment(
                    campaign_year=2024,
                    participation_id=parts[n],
                    reviewer_id=experts[expert],
                    assigned_on=at.date(),
                    assigned_at=at,
                )
                session.add(a)
                session.flush()
                assert a.id is not None
                if returned:
                    session.add(
                        Review(
                            campaign_year=2024,
                            assignment_id=a.id,
                            scores={"materiality": 80.0},
                            received_on=date(2024, 12, 9),
                            received_at=at,
                        )
                    )
    return experts


def _outbox(engine: Engine) -> list[QueuedMail]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        return with_bodies(session, rows)


def test_late_reviewers_get_one_reminder_a_due_day_and_nothing_on_other_days(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    experts = _seed(engine, campaign_2024)
    settings = _settings(database_url, tmp_path)

    with disable_run_logger():
        quiet = remind_reviewers.fn(settings, 2024, date(2024, 12, 11))
        first = remind_reviewers.fn(settings, 2024, date(2024, 12, 10))
        again = remind_reviewers.fn(settings, 2024, date(2024, 12, 10))
        after_again = _outbox(engine)
        overdue = remind_reviewers.fn(settings, 2024, date(2024, 12, 16))

    assert (quiet.due, quiet.reviewers_late, quiet.mails_queued) == ("", 0, 0)
    assert (first.due, first.reviewers_late, first.mails_queued) == (
        "review@2024-12-13:before:3",
        2,
        2,
    )
    assert (again.mails_queued, again.already_in_outbox) == (0, 2)
    assert len(after_again) == 2
    assert (overdue.due, overdue.mails_queued) == ("review@2024-12-13:overdue:1", 2)
    rows = _outbox(engine)
    assert [(r.template, r.recipient, r.idempotency_key) for r in rows] == [
        (
            "review_reminder",
            f"expert{i}@review.example.org",
            f"2024|review_reminder|reviewer:{experts[str(i)]}|{day}|expert{i}@review.example.org",
        )
        for day in ("2024-12-10", "2024-12-16")
        for i in (1, 3)
    ]
    before_1, before_3, overdue_1, _ = rows
    assert before_1.subject == f"{PREFIX}评审提醒：请于12月13日前反馈评分表（尚有1份报告未评分）"
    assert "距截止还有3个工作日。" in before_1.body_text
    assert f"分配给您的2份报告中，尚有1份未收到评分：\n\n  1. {unit(2)}\n\n" in before_1.body_text
    assert (
        f"分配给您的3份报告中，尚有3份未收到评分：\n\n  1. {unit(2)}\n  2. {unit(3)}\n"
        f"  3. {unit(4)}\n\n"
    ) in before_3.body_text
    assert overdue_1.subject == f"{PREFIX}评分表逾期提醒（第1次）：尚有1份报告未评分"
    assert "已过1个工作日。" in overdue_1.body_text
    assert "本通知为第1次逾期提醒（共3次）。" in overdue_1.body_text
    assert "Dear" not in overdue_1.body_text  # no English paragraph: experts read Chinese


def test_nobody_is_reminded_when_every_sheet_is_back(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    _seed(engine, campaign_2024)
    with session_scope(engine) as session:
        scored = set(session.exec(select(Review.assignment_id)).all())
        for a in session.exec(select(ReviewAssignment)).all():
            if a.id not in scored:
                assert a.id is not None
                session.add(
                    Review(
                        campaign_year=2024,
                        assignment_id=a.id,
                        scores={"materiality": 70.0},
                        received_on=date(2024, 12, 12),
                        received_at=now_utc(),
                    )
                )

    with disable_run_logger():
        summary = remind_reviewers.fn(_settings(database_url, tmp_path), 2024, DEADLINE)

    assert (summary.due, summary.reviewers_late, summary.mails_queued) == (
        "review@2024-12-13:on_the_day:0",
        0,
        0,
    )
    assert _outbox(engine) == []


def test_reminders_reach_the_late_reviewers_through_the_smtp_sink(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    _seed(engine, campaign_2024)
    folder = tmp_path / "sink"
    with SmtpSink(folder) as sink:
        settings = _settings(database_url, tmp_path, mailer="smtp", smtp_port=sink.port)
        with disable_run_logger():
            summary = remind_reviewers.fn(settings, 2024, DEADLINE)
            report = deliver_outbox.fn(settings, 2024)

    mails = sorted(received(folder), key=lambda m: str(m["To"]))
    assert (summary.mails_queued, report.sent, report.failed) == (2, 2, 0)
    assert [str(m["To"]) for m in mails] == [
        "专家01 <expert1@review.example.org>",
        "专家03 <expert3@review.example.org>",
    ]
    assert {str(m["Subject"]) for m in mails} == {
        f"{PREFIX}今日截止：请反馈评分表（尚有1份报告未评分）",
        f"{PREFIX}今日截止：请反馈评分表（尚有3份报告未评分）",
    }
    text = mails[0].get_body(preferencelist=("plain",))
    assert text is not None
    assert "评分表的反馈截止日期为今天，即2024年12月13日（星期五）。" in text.get_content()
    assert "评分表的反馈截止日期为今天，即2024年12月13日（星期五）。" in text.get_content()
