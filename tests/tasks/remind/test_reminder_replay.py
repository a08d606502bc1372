"""Replay the reminder clock every day from 1 October to 31 December and pin each unit's mail.

The receipt deadline is moved to Tuesday 8 October, right after the National Day holidays
(1-7 October; Sunday 29 September and Saturday 12 October are make-up working days); the report
deadline stays on Saturday 30 November. Each day runs what the clock runs for reminders: queue
the due reminders and close the windows whose last overdue notice has passed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from factories import deadline_campaigns_dir, seed_reminder_units
from prefect.logging import disable_run_logger
from sqlmodel import select

from schemas.campaign_file import load_campaign_file
from schemas.enums import SubmissionKind
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from schemas.tables import Submission
from tasks.clock.windows import close_windows
from tasks.remind.reminders import queue_reminders
from tasks.store import campaign_session, make_engine, upgrade_database

FORM_FILED_ON = date(2024, 10, 10)  # unit 2 files its basic-information form, two days late


def _days() -> list[date]:
    start = date(2024, 10, 1)
    return [start + timedelta(days=i) for i in range((date(2024, 12, 31) - start).days + 1)]


@pytest.fixture
def replayed(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[int, int], dict[str, list[tuple[str, str]]]]:
    """Replay the season's reminder days; return participation ids and the outbox by record."""
    folder = deadline_campaigns_dir(tmp_path, date(2024, 10, 8))
    monkeypatch.setenv("CAMPAIGN_CAMPAIGNS_DIR", str(folder))
    settings = Settings()
    upgrade_database(make_engine(settings))
    campaign = load_campaign_file(folder / "2024.toml")
    with campaign_session(settings) as session:
        ids = seed_reminder_units(session, campaign)
    with disable_run_logger():
        for day in _days():
            if day == FORM_FILED_ON:
                with campaign_session(settings) as session:
                    at = datetime(2024, 10, 10, 2, tzinfo=UTC)
                    session.add(
                        Submission(
                            campaign_year=2024, participation_id=ids[2],
                            kind=SubmissionKind.BASIC_INFO, stored_path="archive/x",
                            sha256="1" * 64, size=1, received_on=day, received_at=at, late=True,
                        )
                    )  # fmt: skip
            queue_reminders.fn(settings, 2024, day)
            close_windows.fn(settings, 2024, day)
    by_record: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with campaign_session(settings) as session:
        for row in session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all():
            _year, template, record, version, _to = row.idempotency_key.split("|")
            by_record[record].append((template, version))
    return ids, by_record


def test_each_unit_gets_exactly_its_reminders_around_national_day(
    replayed: tuple[dict[int, int], dict[str, list[tuple[str, str]]]],
) -> None:
    ids, outbox = replayed

    def mail_of(unit: int) -> list[tuple[str, str]]:
        return outbox.get(f"participation:{ids[unit]}", [])

    # Unit 1 owes everything: the receipt deadline on the day and three overdue notices; its
    # window then closes (17 Oct) and it lapses, so no report reminders follow.
    assert mail_of(1) == [
        ("deadline_reminder", "receipt@2024-10-08:on_the_day:0"),
        ("overdue_notice", "receipt@2024-10-08:overdue:1"),
        ("overdue_notice", "receipt@2024-10-08:overdue:2"),
        ("overdue_notice", "receipt@2024-10-08:overdue:3"),
    ]
    # Unit 2 files its form on 10 Oct: reminded on the day and once overdue (9 Oct), then owes
    # only the report: T-7 (20 Nov), T-3, T-1, on the day (29 Nov), overdue 2, 5, 10 Dec.
    report = [
        ("deadline_reminder", "report@2024-11-30:before:7"),
        ("deadline_reminder", "report@2024-11-30:before:3"),
        ("deadline_reminder", "report@2024-11-30:before:1"),
        ("deadline_reminder", "report@2024-11-30:on_the_day:0"),
        ("overdue_notice", "report@2024-11-30:overdue:1"),
        ("overdue_notice", "report@2024-11-30:overdue:2"),
        ("overdue_notice", "report@2024-11-30:overdue:3"),
    ]
    assert mail_of(2) == [
        ("deadline_reminder", "receipt@2024-10-08:on_the_day:0"),
        ("overdue_notice", "receipt@2024-10-08:overdue:1"),
        *report,
    ]
    assert mail_of(3) == report  # had receipt and form: only the report's reminders
    assert mail_of(4) == []  # submitted
    assert mail_of(6) == []  # withdrawn


def test_the_association_digest_goes_out_on_the_first_working_day_of_every_week(
    replayed: tuple[dict[int, int], dict[str, list[tuple[str, str]]]],
) -> None:
    weeks = [version for _template, version in replayed[1]["association:A001"]]

    # Oracle: the first working day (by chinesecalendar) of each ISO week, from 1 October until
    # A001's last open unit lapses on 11 December (after that the digest has nobody to list).
    expected: list[str] = []
    for day in _days():
        year, week, _ = day.isocalendar()
        label = f"{year}-W{week:02d}"
        if chinese_calendar.is_workday(day) and label not in expected and day < date(2024, 12, 11):
            expected.append(label)
    assert weeks == expected
    assert "2024-W40" not in weeks  # 1-6 October are holidays; that week's digest was 30 Sep
