"""Registration by release receipt: who may register, versions, late flag, status moves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import (
    make_uscc,
    receipt_row,
    write_associations,
    write_csv,
    write_recommendations,
    write_xlsx,
)
from openpyxl import load_workbook
from prefect.logging import disable_run_logger
from sqlmodel import select

from schemas.columns import RECEIPTS
from schemas.enums import OverQuota, ParticipationStatus, SubmissionKind
from schemas.rejection import REPORT_COLUMNS
from schemas.rows import ReceiptRow
from schemas.settings import Settings
from schemas.tables import Participation, StageTransition, Submission, Unit
from tasks.common.enrolment import Enrolled
from tasks.mobilize.ingest import ingest_recommendations
from tasks.mobilize.receipts import decide_receipts, ingest_receipts
from tasks.store import make_engine, session_scope, upgrade_database


def _row(n: int) -> ReceiptRow:
    return ReceiptRow.model_validate(
        {"uscc": make_uscc(n), "name": "某公司", "report_title": "报告", "email": "a@b.example.com"}
    )


def test_decide_receipts_accepts_recommended_units_and_rejects_the_rest() -> None:
    enrolled = {
        make_uscc(1): Enrolled(11, ParticipationStatus.RECOMMENDED),
        make_uscc(2): Enrolled(12, ParticipationStatus.REGISTERED),
        make_uscc(3): Enrolled(None, None),
        make_uscc(4): Enrolled(14, ParticipationStatus.WITHDRAWN),
    }
    rows = [(_row(n), "r.xlsx", i + 2) for i, n in enumerate([1, 2, 3, 4, 5, 1])]

    batch = decide_receipts(rows, enrolled)

    assert [(r.uscc, n) for r, _, n in batch.accepted] == [(make_uscc(1), 2), (make_uscc(2), 3)]
    assert [(r.row, r.code) for r in batch.rejections] == [
        (4, "recommendation-held"),
        (5, "participation-closed"),
        (6, "not-recommended"),
        (7, "duplicate-in-file"),
    ]


@pytest.fixture
def recommended(workspace: Path) -> Settings:
    """A workspace whose database has units 1-12 recommended by A001 (12 over a quota of 20)."""
    settings = Settings()
    upgrade_database(make_engine(settings))
    inbox = workspace / "inbox" / "2024"
    write_associations(inbox / "associations.xlsx", ["A001"])
    write_recommendations(inbox / "recommendations" / "A001.xlsx", "A001", range(1, 13))
    with disable_run_logger():
        ingest_recommendations.fn(
            settings,
            2024,
            date(2024, 10, 10),
            str(inbox / "associations.xlsx"),
            [str(inbox / "recommendations" / "A001.xlsx")],
            OverQuota.HOLD,
            "reports/setup",
        )
    return settings


def _report_records(path: Path) -> list[dict[str, object]]:
    """Return the rows of a rejection report (xlsx) keyed like REPORT_COLUMNS."""
    sheet = load_workbook(path).active
    assert sheet is not None
    keys = [key for key, _ in REPORT_COLUMNS]
    return [
        dict(zip(keys, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _ingest(settings: Settings, files: list[Path], day: date):
    with disable_run_logger():
        return ingest_receipts.fn(settings, 2024, day, [str(f) for f in files], "reports/test")


def test_receipts_register_units_once_and_version_changes(
    recommended: Settings, tmp_path: Path
) -> None:
    first = write_xlsx(tmp_path / "in" / "r1.xlsx", [receipt_row(1), receipt_row(2)], RECEIPTS)
    changed = write_csv(
        tmp_path / "in" / "r2.csv",
        [receipt_row(1), receipt_row(2, report_title="更新后的报告名称"), receipt_row(99)],
        RECEIPTS,
    )

    one = _ingest(recommended, [first], date(2024, 11, 10))
    again = _ingest(recommended, [first], date(2024, 11, 11))
    late = _ingest(recommended, [changed], date(2024, 11, 18))

    assert (one.receipts_new, one.registered, one.late) == (2, 2, 0)
    assert (again.receipts_new, again.receipts_unchanged, again.registered) == (0, 2, 0)
    assert (late.receipts_new, late.receipts_unchanged, late.registered, late.late) == (1, 1, 0, 1)
    assert late.problems_by_code == {"not-recommended": 1}
    engine = make_engine(recommended)
    with session_scope(engine) as session:
        subs = session.exec(
            select(Submission.version, Submission.late, Submission.stored_path).where(
                Submission.kind == SubmissionKind.RECEIPT
            )
        ).all()
        statuses = session.exec(select(Participation.status)).all()
        moves = session.exec(select(StageTransition.to_status)).all()
        contact = session.exec(select(Unit.email).where(Unit.uscc == make_uscc(1))).one()
    engine.dispose()
    assert sorted((v, late) for v, late, _ in subs) == [(1, False), (1, False), (2, True)]
    assert all((recommended.workspace / path).is_file() for _, _, path in subs)
    assert sorted(statuses).count(ParticipationStatus.REGISTERED) == 2
    assert moves == [ParticipationStatus.REGISTERED, ParticipationStatus.REGISTERED]
    assert contact == "csr1@unit1.example.com"


def test_an_unreadable_receipt_file_is_reported_and_others_proceed(
    recommended: Settings, tmp_path: Path
) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [receipt_row(3)], RECEIPTS)
    bad = tmp_path / "bad.csv"
    bad.write_bytes("单位名称\n某公司\n".encode("gb18030"))

    summary = _ingest(recommended, [good, bad], date(2024, 11, 1))

    assert (summary.files_read, summary.files_rejected, summary.registered) == (1, 1, 1)
    report = _report_records(recommended.workspace / summary.report)
    assert [(r["file"], r["code"]) for r in report] == [("bad.csv", "missing-columns")]
