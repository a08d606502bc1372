"""The report PDF intake: which files are new, the rejection report, the screening artifacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from artifactkit import artifacts_by_key, table_rows
from factories import add_association, add_participation, make_uscc, write_report_pdfs
from openpyxl import load_workbook
from sqlmodel import col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.rejection import REPORT_COLUMNS
from schemas.screening import ScreenResult, rules_from_campaign
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Submission
from tasks.common.campaigns import ensure_campaign
from tasks.store import campaign_session, make_engine, upgrade_database
from tasks.submit.pdf.screen import screen_batch_summary, topic_evidence_rows, topic_heat_rows
from tasks.submit.report_versions import IncomingReport
from tasks.submit.reports import ingest_reports, new_reports, screen_limits


def _incoming(name: str, pid: int, digest: str) -> IncomingReport:
    return IncomingReport(name, pid, Path(f"archive/{digest}.pdf"), digest, 10)


def test_new_reports_skips_known_bytes_and_keeps_one_file_per_unit_and_bytes() -> None:
    incoming = [
        _incoming("a.pdf", 1, "aa"),
        _incoming("b.pdf", 1, "bb"),
        _incoming("c.pdf", 2, "aa"),
        _incoming("d.pdf", 1, "bb"),
    ]

    fresh = new_reports(incoming, {1: {"aa": 1}})

    assert [(r.name, r.participation_id) for r in fresh] == [("d.pdf", 1), ("c.pdf", 2)]


def _report_rows(path: Path) -> list[dict[str, Any]]:
    sheet = load_workbook(path, read_only=True).worksheets[0]
    keys = [key for key, _ in REPORT_COLUMNS]
    return [
        dict(zip(keys, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_ingest_reports_writes_its_rejection_report_and_publishes_the_screening(
    workspace: Path, tmp_path: Path, campaign_2024: CampaignFile
) -> None:
    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        for n in (1, 2):
            add_participation(session, n, [a1], ParticipationStatus.REGISTERED)
    pdfs = write_report_pdfs(
        campaign_2024, tmp_path / "in", [(1, None), (2, "encrypted"), (11, None)]
    )
    unmatched = tmp_path / "in" / "终稿.pdf"
    unmatched.write_bytes(pdfs[1].read_bytes())
    files = [str(p) for p in (*pdfs.values(), unmatched)]

    state = ingest_reports(
        settings, 2024, date(2024, 11, 28), files, [], "reports/r", return_state=True
    )
    summary = state.result()
    artifacts = artifacts_by_key(task_run=state.state_details.task_run_id)
    with campaign_session(settings) as session:
        screened = [
            ScreenResult.from_stored(s)
            for s in session.exec(
                select(Submission.screening)
                .where(Submission.kind == SubmissionKind.REPORT_PDF)
                .order_by(col(Submission.id))
            ).all()
            if s is not None
        ]

    assert (summary.files_seen, summary.reports_new, summary.unusable) == (4, 2, 1)
    assert summary.report == "reports/r/reports-rejections.xlsx"
    rows = _report_rows(workspace / summary.report)
    assert [(r["file"], r["code"], r["severity"]) for r in rows] == [
        ("终稿.pdf", "pdf-unmatched", "error"),
        (f"{make_uscc(11)}.pdf", "not-recommended", "error"),
        *[(r.file, p.code.value, p.severity.value) for r in screened for p in r.problems],
    ]
    assert summary.problems_by_code == {
        code: sum(1 for r in rows if r["code"] == code) for code in {r["code"] for r in rows}
    }
    assert sorted(artifacts) == [
        "report-rejections",
        "screening-problems",
        "topic-coverage",
        "topic-evidence",
    ]
    evidence = table_rows(artifacts["topic-evidence"])
    assert evidence == topic_evidence_rows(screened)
    assert {r["file"] for r in evidence} == {f"{make_uscc(1)}.pdf"}  # the encrypted one: none
    assert all(r["evidence"].startswith("第") for r in evidence)
    shown = table_rows(artifacts["report-rejections"])
    assert [(r["file"], r["code"]) for r in shown] == [(r["file"], r["code"]) for r in rows]
    problems = table_rows(artifacts["screening-problems"])
    assert problems == screen_batch_summary(screened)
    assert [(r["file"], r["code"]) for r in problems if r["severity"] == "error"] == [
        (f"{make_uscc(2)}.pdf", "pdf-encrypted")
    ]
    assert artifacts["screening-problems"].description.startswith(
        "Pre-screen problems of 2 new report versions\n\n列 columns: "
    )
    topics = table_rows(artifacts["topic-coverage"])
    assert topics == topic_heat_rows(screened, rules_from_campaign(campaign_2024))
    assert [r["file"] for r in topics] == [
        f"{make_uscc(1)}.pdf",
        f"{make_uscc(2)}.pdf",
        "覆盖文件数 files covering",
    ]


@pytest.mark.parametrize(
    ("seconds", "cpu", "wall"), [(60, 60, 300.0), (120, 120, 600.0), (0.5, 1, 300.0)]
)
def test_screen_limits_take_the_setting_as_cpu_time_with_a_wall_clock_backstop(
    seconds: float, cpu: int, wall: float
) -> None:
    limits = screen_limits(Settings(pdf_seconds_per_file=seconds))

    assert (limits.cpu_seconds_per_file, limits.seconds_per_file) == (cpu, wall)
