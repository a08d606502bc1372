"""Basic-information forms and financial statements: fields, years, versions, progress."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from artifactkit import run_artifacts, table_rows
from factories import (
    basic_info_row,
    financial_rows,
    make_uscc,
    receipt_row,
    write_associations,
    write_csv,
    write_recommendations,
    write_xlsx,
)
from openpyxl import load_workbook
from prefect.logging import disable_run_logger
from pydantic import ValidationError
from sqlmodel import select

from schemas.columns import BASIC_INFO, FINANCIALS, RECEIPTS
from schemas.enums import OverQuota, ParticipationStatus, Severity, SubmissionKind
from schemas.form_rows import BasicInfoRow, FinancialRow
from schemas.rejection import REPORT_COLUMNS
from schemas.settings import Settings
from schemas.tables import Participation, Submission
from tasks.common.enrolment import Enrolled
from tasks.common.progress import advance_to_submitted
from tasks.mobilize.ingest import ingest_recommendations
from tasks.mobilize.receipts import ingest_receipts
from tasks.store import campaign_session, make_engine, upgrade_database
from tasks.submit.forms import decide_basic_info, decide_financials, ingest_forms

P = ParticipationStatus
ENROLLED = {make_uscc(n): Enrolled(n, P.REGISTERED) for n in range(1, 6)}


def _info(n: int, **overrides: Any) -> BasicInfoRow:
    row = basic_info_row(n, **overrides)
    keyed = {c.key: row[c.header] for c in BASIC_INFO.columns if c.header in row}
    return BasicInfoRow.model_validate(keyed)


def test_basic_info_row_parses_amounts_and_lists() -> None:
    row = _info(1)

    assert (row.revenue, row.profit, row.employees, row.certifications) == (
        152300.5,
        -1200.0,
        1200,
        ["ISO 9001", "ISO 14001"],
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("revenue", "约15亿", "bad-number"),
        ("revenue", -5, "negative-value"),
        ("employees", 12.5, "bad-count"),
        ("taxes", "", "missing-value"),
    ],
)
def test_basic_info_rejects_bad_numbers_with_a_code(field: str, value: object, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        _info(1, **{field: value})

    assert [e["type"] for e in info.value.errors()] == [code]


def test_decide_basic_info_checks_report_year_and_repeats() -> None:
    rows = [
        (_info(1), "a.xlsx", 2),
        (_info(2, report_year=2022), "a.xlsx", 3),
        (_info(1), "b.csv", 2),
    ]

    decision = decide_basic_info(rows, ENROLLED, report_year=2023)

    assert sorted(decision.data) == [make_uscc(1)]
    assert [(r.file, r.row, r.code) for r in decision.rejections] == [
        ("a.xlsx", 3, "wrong-report-year"),
        ("b.csv", 2, "duplicate-in-file"),
    ]


def test_decide_financials_groups_years_and_warns_when_incomplete() -> None:
    rows = [
        (
            FinancialRow.model_validate(
                {c.key: r[c.header] for c in FINANCIALS.columns if c.header in r}
            ),
            "f.xlsx",
            i + 2,
        )
        for i, r in enumerate(
            financial_rows(1, [2021, 2022, 2023]) + financial_rows(2, [2023, 2019])
        )
    ]

    decision = decide_financials(rows, ENROLLED, report_year=2023)

    assert {u: sorted(d) for u, d in decision.data.items()} == {
        make_uscc(1): ["2021", "2022", "2023"],
        make_uscc(2): ["2023"],
    }
    assert [(r.row, r.code, r.severity) for r in decision.rejections] == [
        (6, "fiscal-year-out-of-range", Severity.ERROR),
        (None, "financials-incomplete", Severity.WARNING),
    ]


@pytest.fixture
def registered(workspace: Path, tmp_path: Path) -> Settings:
    """Units 1-10 recommended by A001; units 1-3 registered by receipt."""
    settings = Settings()
    upgrade_database(make_engine(settings))
    assoc = write_associations(tmp_path / "associations.xlsx", ["A001"])
    recs = write_recommendations(tmp_path / "A001.xlsx", "A001", range(1, 11))
    receipts = write_xlsx(tmp_path / "r.xlsx", [receipt_row(n) for n in (1, 2, 3)], RECEIPTS)
    with disable_run_logger():
        ingest_recommendations.fn(
            settings, 2024, date(2024, 10, 10), str(assoc), [str(recs)], OverQuota.HOLD, "reports/x"
        )
        ingest_receipts.fn(settings, 2024, date(2024, 11, 1), [str(receipts)], "reports/x")
    return settings


def test_ingest_forms_records_versions_and_late_flags(registered: Settings, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "info.xlsx", [basic_info_row(1), basic_info_row(2)], BASIC_INFO)
    fix = write_csv(
        tmp_path / f"{make_uscc(2)}.csv", [basic_info_row(2, employees=1300)], BASIC_INFO
    )
    money = write_xlsx(tmp_path / "fin.xlsx", financial_rows(1, [2021, 2022, 2023]), FINANCIALS)

    with disable_run_logger():
        first = ingest_forms.fn(
            registered, 2024, date(2024, 11, 10), [str(sheet)], [str(money)], "reports/f"
        )
        again = ingest_forms.fn(
            registered, 2024, date(2024, 11, 12), [str(sheet)], [str(money)], "reports/f"
        )
        late = ingest_forms.fn(registered, 2024, date(2024, 11, 20), [str(fix)], [], "reports/f")

    assert (first.basic_info_new, first.financials_new, first.late) == (2, 1, 0)
    assert (again.basic_info_new, again.unchanged) == (0, 3)
    assert (late.basic_info_new, late.late) == (1, 1)
    with campaign_session(registered) as session:
        versions = session.exec(
            select(Submission.version, Submission.late)
            .where(Submission.kind == SubmissionKind.BASIC_INFO)
            .order_by(Submission.id)
        ).all()
    assert versions == [(1, False), (1, False), (2, True)]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_ingest_forms_writes_its_rejection_report_and_publishes_the_problems(
    registered: Settings, workspace: Path, tmp_path: Path
) -> None:
    rows = [basic_info_row(1), basic_info_row(2, report_year=2022), basic_info_row(20)]
    sheet = write_xlsx(tmp_path / "info.xlsx", rows, BASIC_INFO)

    state = ingest_forms(
        registered, 2024, date(2024, 11, 10), [str(sheet)], [], "reports/f", return_state=True
    )
    summary = state.result()
    [artifact] = run_artifacts(task_run=state.state_details.task_run_id)
    keys = [key for key, _ in REPORT_COLUMNS]
    report = load_workbook(workspace / summary.report, read_only=True).worksheets[0]
    written = [
        dict(zip(keys, r, strict=True)) for r in report.iter_rows(min_row=2, values_only=True)
    ]
    table = table_rows(artifact)

    assert (summary.basic_info_new, summary.report) == (1, "reports/f/forms-rejections.xlsx")
    assert summary.problems_by_code == {"wrong-report-year": 1, "not-recommended": 1}
    assert [(r["file"], r["row"], r["code"]) for r in written] == [
        ("info.xlsx", 3, "wrong-report-year"),
        ("info.xlsx", 4, "not-recommended"),
    ]
    assert (artifact.key, artifact.type) == ("form-rejections", "table")
    assert [(r["file"], r["row"], r["code"], r["reason_en"]) for r in table] == [
        (r["file"], r["row"], r["code"], r["reason_en"]) for r in written
    ]
    assert artifact.description.startswith(
        "Form problems: 2 problems; full report: `reports/f/forms-rejections.xlsx`\n\n列 columns:"
    )


def _filed(
    pid: int, kind: SubmissionKind, now: datetime, screening: dict[str, Any] | None
) -> Submission:
    return Submission(
        campaign_year=2024,
        participation_id=pid,
        kind=kind,
        stored_path="archive/x",
        sha256="0" * 64,
        size=1,
        received_on=now.date(),
        received_at=now,
        screening=screening,
    )


def test_a_unit_is_submitted_when_form_and_usable_report_are_in(registered: Settings) -> None:
    now = datetime(2024, 11, 20, tzinfo=UTC)
    warning_only = {"problems": [{"code": "pdf-scanned", "severity": "warning"}]}
    unreadable = {"problems": [{"code": "pdf-unreadable", "severity": "error"}]}
    with campaign_session(registered) as session:
        registered_ids = sorted(
            p.id
            for p in session.exec(select(Participation)).all()
            if p.status == P.REGISTERED and p.id is not None
        )
        good, bad, form_only = registered_ids
        session.add_all(
            [
                _filed(good, SubmissionKind.BASIC_INFO, now, None),
                _filed(good, SubmissionKind.REPORT_PDF, now, warning_only),
                _filed(bad, SubmissionKind.BASIC_INFO, now, None),
                _filed(bad, SubmissionKind.REPORT_PDF, now, unreadable),
                _filed(form_only, SubmissionKind.BASIC_INFO, now, None),
            ]
        )
        session.flush()

        moved = advance_to_submitted(session, 2024, actor="test", now=now)
        statuses = {
            p.id: p.status
            for p in session.exec(select(Participation)).all()
            if p.id in registered_ids
        }

    assert moved == 1
    assert statuses == {good: P.SUBMITTED, bad: P.REGISTERED, form_only: P.REGISTERED}
