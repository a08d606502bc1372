"""The mobilize flow on the real engine: bad rows mixed in, re-runs change and send nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from artifactkit import artifacts_by_key, table_rows
from data.intake_kit import write_poison
from factories import (
    receipt_row,
    recommendation_row,
    write_associations,
    write_csv,
    write_recommendations,
    write_xlsx,
)
from sqlmodel import select

from schemas.columns import RECEIPTS, RECOMMENDATIONS
from schemas.enums import OverQuota
from schemas.settings import Settings
from schemas.tables import InputFile
from tasks.common.inbox import REFUSED, TAKEN_IN
from tasks.store import make_engine, session_scope

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_running_mobilize_twice_on_the_same_files_changes_and_sends_nothing(
    workspace: Path, tmp_path: Path
) -> None:
    from flows.mobilize import mobilize

    associations = write_associations(tmp_path / "associations.xlsx", ["A001", "A002"])
    lists = [
        write_recommendations(tmp_path / "A001.xlsx", "A001", range(1, 24)),  # over quota
        write_csv(
            tmp_path / "A002.csv",
            [recommendation_row("A002", n) for n in range(30, 41)]
            + [recommendation_row("Z999", 50), recommendation_row("A002", 51, email="x@")],
            RECOMMENDATIONS,
        ),
        write_recommendations(tmp_path / "A001-old.xlsx", "A001", [60, 61], year=2023),
    ]
    receipts = [write_xlsx(tmp_path / "r.xlsx", [receipt_row(30), receipt_row(1)], RECEIPTS)]
    files = {
        "associations_file": str(associations),
        "recommendation_files": [str(f) for f in lists],
        "receipt_files": [str(f) for f in receipts],
        "over_quota": OverQuota.CUT,
    }

    first_state = mobilize(2024, as_of=date(2024, 10, 10), return_state=True, **files)
    second = mobilize(2024, as_of=date(2024, 10, 11), **files)
    first = first_state.result()

    assert first.recommendations is not None
    assert second.recommendations is not None
    assert first.receipts is not None
    assert second.receipts is not None
    assert (first.recommendations.participations_new, first.recommendations.rows_rejected) == (
        31,
        5,
    )
    assert first.recommendations.problems_by_code == {
        "bad-email": 1,
        "quota-exceeded": 3,
        "unknown-association": 1,
        "wrong-year": 1,
    }
    assert (first.receipts.registered, first.mail_sent) == (2, 33)
    assert (
        second.recommendations.participations_new,
        second.recommendations.units_updated,
        second.recommendations.recommendations_updated,
        second.receipts.receipts_new,
        second.receipts.registered,
        second.mail_sent,
    ) == (0, 0, 0, 0, 0, 0)
    assert len(list((workspace / "mail" / "sent").rglob("*.eml"))) == 33
    # Each intake task published its own artifacts: the problems and the counts per association.
    published = {
        key: table_rows(a) if a.type == "table" else a.data
        for key, a in artifacts_by_key(flow_run=first_state.state_details.flow_run_id).items()
    }
    assert sorted(published) == [
        "outbox-delivery",
        "receipt-rejections",
        "recommendation-rejections",
        "recommendations-per-association",
    ]
    assert published["recommendations-per-association"] == [
        {"association": "A001", "accepted": 20, "held": 0},
        {"association": "A002", "accepted": 11, "held": 0},
    ]
    problems = published["recommendation-rejections"]
    assert Counter(r["code"] for r in problems) == first.recommendations.problems_by_code
    assert published["receipt-rejections"] == "**Receipt problems**: no problems found."


def test_the_clock_takes_in_a_new_list_while_poison_files_sit_in_the_inbox(
    workspace: Path,
) -> None:
    from flows.season import season

    folder = workspace / "inbox" / "2024" / "recommendations"
    poison = write_poison(folder)
    write_associations(folder / "associations.xlsx", ["A001", "A002"])  # where the docs say
    first = season(2024, as_of=date(2024, 10, 10), return_state=True)
    write_recommendations(folder / "A002.xlsx", "A002", range(21, 31))

    second = season(2024, as_of=date(2024, 10, 11), return_state=True)

    assert (first.is_completed(), second.is_completed()) == (True, True)
    day = second.result()
    assert day.mobilize is not None
    assert day.mobilize.recommendations is not None
    assert day.mobilize.recommendations.participations_new == 10
    with session_scope(make_engine(Settings())) as session:
        ledger = dict(session.exec(select(InputFile.name, InputFile.outcome)).all())
    assert {p.name: ledger[p.name] for p in poison} == {
        "A001_bom_gbk.csv": REFUSED,
        "A001_cut.xlsx": REFUSED,
        "A001_formula.xlsx": TAKEN_IN,
        "A001_odd.txt": REFUSED,
        "A001_rows.xlsx": TAKEN_IN,
    }
    assert (ledger["A002.xlsx"], ledger["associations.xlsx"]) == (TAKEN_IN, TAKEN_IN)
