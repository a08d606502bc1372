"""The submit flow on the real engine: forms and PDFs in, screening, acknowledgements, progress."""

from __future__ import annotations

import email
from datetime import date
from email import policy
from pathlib import Path

import pytest
from artifactkit import artifacts_by_key, table_rows
from factories import (
    basic_info_row,
    make_uscc,
    receipt_row,
    write_associations,
    write_recommendations,
    write_report_pdfs,
    write_xlsx,
)
from openpyxl import load_workbook
from sqlmodel import select

from schemas.columns import BASIC_INFO, RECEIPTS
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.rejection import REPORT_COLUMNS
from schemas.settings import Settings
from schemas.tables import InputFile, Participation, Submission, Unit
from tasks.store import campaign_session

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_submit_screens_reports_acknowledges_and_moves_complete_units(
    workspace: Path, campaign_2024
) -> None:
    from flows.mobilize import mobilize
    from flows.submit import submit

    inbox = workspace / "inbox" / "2024"
    write_associations(inbox / "associations.xlsx", ["A001"])
    write_recommendations(inbox / "recommendations" / "A001.xlsx", "A001", range(1, 11))
    write_xlsx(inbox / "receipts" / "r.xlsx", [receipt_row(n) for n in (1, 2, 3)], RECEIPTS)
    mobilize(2024, as_of=date(2024, 11, 1))
    write_xlsx(
        inbox / "basic_info" / "info.xlsx", [basic_info_row(n) for n in (1, 2, 3)], BASIC_INFO
    )
    pdfs = write_report_pdfs(campaign_2024, inbox / "reports", [(1, None), (2, "encrypted")])
    (inbox / "reports" / "终稿.pdf").write_bytes(pdfs[1].read_bytes())  # no USCC in the name

    first_state = submit(2024, as_of=date(2024, 11, 28), return_state=True)
    first = first_state.result()
    (inbox / "reports" / f"{make_uscc(3)}-final.pdf").write_bytes(pdfs[1].read_bytes())
    late = submit(2024, as_of=date(2024, 12, 2))
    again_state = submit(2024, as_of=date(2024, 12, 3), return_state=True)
    again = again_state.result()
    published = artifacts_by_key(flow_run=first_state.state_details.flow_run_id)
    published_again = artifacts_by_key(flow_run=again_state.state_details.flow_run_id)

    assert first.forms is not None
    assert first.reports is not None
    assert (first.forms.basic_info_new, first.reports.reports_new, first.reports.unusable) == (
        3,
        2,
        1,
    )
    assert first.reports.problems_by_code.get("pdf-unmatched") == 1
    assert first.reports.problems_by_code.get("pdf-encrypted") == 1
    assert (first.reports.submitted, first.mail_sent) == (1, 2)
    assert late.reports is not None
    assert (late.reports.reports_new, late.reports.late, late.reports.submitted) == (1, 1, 1)
    assert (again.forms, again.reports) == (None, None)
    report = load_workbook(workspace / first.reports.report, read_only=True).worksheets[0]
    keys = [key for key, _ in REPORT_COLUMNS]
    rows = [dict(zip(keys, r, strict=True)) for r in report.iter_rows(min_row=2, values_only=True)]
    assert [(r["file"], r["code"]) for r in rows] == [
        ("终稿.pdf", "pdf-unmatched"),
        (f"{make_uscc(2)}.pdf", "pdf-encrypted"),
    ]
    assert sorted(published) == [
        "form-rejections",
        "outbox-delivery",
        "report-rejections",
        "screening-problems",
        "submission-progress",
        "topic-coverage",
        "topic-evidence",
    ]
    assert published["form-rejections"].data == "**Form problems**: no problems found."
    assert [
        (r["file"], r["code"], r["severity"]) for r in table_rows(published["screening-problems"])
    ] == [(f"{make_uscc(2)}.pdf", "pdf-encrypted", "error")]
    assert [r["file"] for r in table_rows(published["topic-coverage"])] == [
        f"{make_uscc(1)}.pdf",
        f"{make_uscc(2)}.pdf",
        "覆盖文件数 files covering",
    ]
    assert table_rows(published["submission-progress"]) == [
        {
            "association": "A001",
            "name": "上海市测试行业协会A001",
            "units": 10,
            "receipt": 3,
            "basic_info": 3,
            "report_pdf": 1,
            "submitted": 1,
        }
    ]
    assert sorted(published_again) == ["submission-progress"]
    with campaign_session(Settings()) as session:
        status = dict(
            session.exec(
                select(Unit.uscc, Participation.status).join(
                    Participation,
                    Participation.unit_id == Unit.id,  # type: ignore[arg-type]
                )
            ).all()
        )
        screened = session.exec(
            select(Submission.screening).where(Submission.kind == SubmissionKind.REPORT_PDF)
        ).all()
    assert [status[make_uscc(n)] for n in (1, 2, 3, 4)] == [
        ParticipationStatus.SUBMITTED,
        ParticipationStatus.REGISTERED,
        ParticipationStatus.SUBMITTED,
        ParticipationStatus.RECOMMENDED,
    ]
    assert all(s and s["report_year_found"] is True for s in screened if s and s["opened"])
    acks = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((workspace / "mail" / "sent").rglob("*.eml"))
    ]
    encrypted_ack = [
        m
        for m in acks
        if "csr2@" in str(m["To"]) and "收到" in m.get_body(("plain",)).get_content()
    ]
    assert len(encrypted_ack) == 1
    said = encrypted_ack[0].get_body(("plain",)).get_content()
    assert "受理结果：未受理" in said
    assert "请取消密码保护后重新导出PDF并提交" in said
    assert "pdf-" not in said


def test_each_forms_file_is_recorded_in_the_ledger_with_what_it_came_to(
    workspace: Path, campaign_2024
) -> None:
    from flows.mobilize import mobilize
    from flows.submit import submit

    inbox = workspace / "inbox" / "2024"
    write_associations(inbox / "associations.xlsx", ["A001"])
    write_recommendations(inbox / "recommendations" / "A001.xlsx", "A001", range(1, 11))
    mobilize(2024, as_of=date(2024, 11, 1))
    write_xlsx(inbox / "basic_info" / "info.xlsx", [basic_info_row(1)], BASIC_INFO)
    (inbox / "basic_info" / "坏表.xlsx").write_bytes(b"not a workbook")

    submit(2024, as_of=date(2024, 11, 28))

    with campaign_session(Settings()) as session:
        ledger = dict(
            session.exec(
                select(InputFile.name, InputFile.outcome).where(InputFile.kind == "basic_info")
            ).all()
        )
    assert ledger == {"info.xlsx": "taken-in", "坏表.xlsx": "refused"}
