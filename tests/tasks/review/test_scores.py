"""The score intake task: returned sheets are read and parsed before the write transaction
opens, and recorded in the ledger so an unchanged sheet is not read again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import roster_row, write_xlsx
from reviewkit import OpenSessions
from sqlmodel import select

import tasks.review.returned_sheets
import tasks.review.scores
from schemas.campaign_file import CampaignFile
from schemas.columns import ROSTER
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import InputFile
from tasks.common.campaigns import ensure_campaign
from tasks.review.scores import take_in_scores
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_sheets_are_parsed_before_the_write_transaction_and_read_once(
    workspace: Path, tmp_path: Path, campaign_2024: CampaignFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    not_a_sheet = write_xlsx(tmp_path / "sheets" / "expert1.xlsx", [roster_row(1)], ROSTER)
    sessions = OpenSessions(monkeypatch, tasks.review.scores)
    sessions.watch_reader(monkeypatch, tasks.review.returned_sheets, "read_score_sheet")

    first = take_in_scores(settings, 2024, date(2024, 12, 10), [str(not_a_sheet)], "reports/a")
    again = take_in_scores(settings, 2024, date(2024, 12, 11), [str(not_a_sheet)], "reports/b")

    assert sessions.when_read == [0]  # parsed once, with no session open
    assert sessions.opened == 4  # per run: the ledger read, then one write transaction
    assert (first.sheets_read, first.problems_by_code) == (1, {"sheet-not-ours": 1})
    assert first.report == "reports/a/scores-rejections.xlsx"
    assert (again.sheets_read, again.problems_by_code, again.report) == (0, {}, "")
    with campaign_session(settings) as session:
        ledger = session.exec(select(InputFile.name, InputFile.ingested_on)).all()
    assert [tuple(row) for row in ledger] == [("expert1.xlsx", date(2024, 12, 10))]
