"""The commend flow on the real Prefect engine: proposal rows, the workbook, the artifacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from artifactkit import run_artifacts, table_rows
from commendkit import seed_commend_units
from openpyxl import load_workbook
from sqlmodel import col, select

from schemas.release_tables import Commendation
from schemas.settings import Settings
from tasks.commend.workbook import KIND_WORDS
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_commend_proposes_writes_the_workbook_and_publishes_the_proposal(
    workspace: Path, campaign_2024: Any
) -> None:
    from flows.commend import commend

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ids = seed_commend_units(session, campaign_2024)

    state = commend(2024, as_of=date(2024, 12, 16), return_state=True)
    summary = state.result()
    again = commend(2024, as_of=date(2024, 12, 17))

    with campaign_session(settings) as session:
        rows = session.exec(select(Commendation).order_by(col(Commendation.id))).all()
        stored = [(r.participation_id, r.kind, r.rank, r.proposed_on) for r in rows]
    # The real file: 30 % of the 7 candidates (2) per list and for all cases, 3 speakers.
    assert summary.by_kind == {"excellent_unit": 2, "case": 2, "speaker": 3}
    assert (again.inserted, again.unchanged) == (0, 7)
    assert stored[:2] == [
        (ids[3], "excellent_unit", 1, date(2024, 12, 16)),
        (ids[1], "excellent_unit", 2, date(2024, 12, 16)),
    ]
    assert len(stored) == 7
    run_id = state.state_details.flow_run_id
    assert summary.report == f"reports/{run_id}/commendation-candidates.xlsx"
    wb = load_workbook(workspace / summary.report)
    assert [wb[name].max_row for name in wb.sheetnames] == [1 + 7, 1 + 7, 1]  # none flagged
    [table] = run_artifacts("commendation-proposal", flow_run=run_id)
    data = table_rows(table)
    kinds = {words: kind.value for kind, words in KIND_WORDS.items()}
    sheet = list(wb["selections"].iter_rows(min_row=2, values_only=True))
    assert [list(row.values()) for row in data] == [  # the workbook's selections, same order
        [kinds[k], cat or "", place, unit, title, case or "", rank, composite]
        for k, cat, place, unit, _, title, case, rank, composite, _ in sheet
    ]
    assert data[0] == {
        "kind": "excellent_unit",
        "category": "",
        "place": 1,
        "unit": "上海测试0003科技有限公司",
        "title": "优秀社会责任报告发布单位",
        "case_title": "",
        "overall_rank": 1,
        "composite": 93.0,
    }
    [summary_artifact] = run_artifacts("commendation-summary", flow_run=run_id)
    markdown = summary_artifact.data
    assert "| 绿色低碳优秀案例 (green-low-carbon) | 2 | 2 |" in markdown  # quota 5 capped at 2
    assert "- workbook: `" + summary.report + "`" in markdown
    assert "- without performance evaluation (no bonus): 3" in markdown
