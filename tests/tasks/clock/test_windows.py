"""Closing submission windows after the last overdue notice; the reminder-day check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from factories import receipt_row, write_associations, write_recommendations, write_xlsx
from prefect.logging import disable_run_logger
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.columns import RECEIPTS
from schemas.enums import OverQuota, ParticipationStatus
from schemas.settings import Settings
from schemas.tables import Participation, StageTransition
from tasks.clock.windows import close_windows, closed_deadlines, reminders_due_on
from tasks.mobilize.ingest import ingest_recommendations
from tasks.mobilize.receipts import ingest_receipts
from tasks.store import campaign_session, make_engine, upgrade_database


def test_windows_close_the_day_after_the_last_overdue_notice(campaign_2024) -> None:
    # Receipt deadline Fri 15 Nov: overdue notices 18, 21 and 26 Nov. Report deadline Sat
    # 30 Nov: overdue notices 2, 5 and 10 Dec.
    assert closed_deadlines(campaign_2024, date(2024, 11, 26)) == []
    assert closed_deadlines(campaign_2024, date(2024, 11, 27)) == ["receipt"]
    assert closed_deadlines(campaign_2024, date(2024, 12, 10)) == ["receipt"]
    assert closed_deadlines(campaign_2024, date(2024, 12, 11)) == ["receipt", "report"]


def test_close_windows_lapses_units_still_owing_once(workspace: Path, tmp_path: Path) -> None:
    settings = Settings()
    upgrade_database(make_engine(settings))
    assoc = write_associations(tmp_path / "a.xlsx", ["A001"])
    recs = write_recommendations(tmp_path / "A001.xlsx", "A001", range(1, 11))
    receipts = write_xlsx(tmp_path / "r.xlsx", [receipt_row(n) for n in (1, 2)], RECEIPTS)
    with disable_run_logger():
        ingest_recommendations.fn(
            settings, 2024, date(2024, 10, 10), str(assoc), [str(recs)], OverQuota.HOLD, "r/x"
        )
        ingest_receipts.fn(settings, 2024, date(2024, 11, 1), [str(receipts)], "r/x")
        before = close_windows.fn(settings, 2024, date(2024, 11, 26))
        first = close_windows.fn(settings, 2024, date(2024, 11, 27))
        again = close_windows.fn(settings, 2024, date(2024, 11, 28))

    assert (before.lapsed, first.lapsed, again.lapsed) == (0, 10, 0)
    with campaign_session(settings) as session:
        statuses = sorted(p.status for p in session.exec(select(Participation)).all())
        reasons = {
            t.reason
            for t in session.exec(select(StageTransition)).all()
            if t.to_status == ParticipationStatus.LAPSED
        }
    # Units 1 and 2 registered but owe the basic-information form of the same deadline.
    assert statuses == [ParticipationStatus.LAPSED] * 10
    assert reasons == {"逾期未提交《发布回执表及基本信息统计表》（截止2024-11-15），提交窗口已关闭"}


def test_reminders_due_on_follows_the_policy(campaign_2024: CampaignFile) -> None:
    due = [
        d
        for d in (date(2024, 11, 5), date(2024, 11, 6), date(2024, 11, 7), date(2024, 11, 11))
        if reminders_due_on(campaign_2024, d)
    ]

    # 6 Nov is T-7 of the receipt deadline (15 Nov); Mondays carry the weekly digest.
    assert due == [date(2024, 11, 6), date(2024, 11, 11)]
