"""What an expert receives with the sheet: the reports, copied under readable names, attached
under the mail size limit or linked."""

from __future__ import annotations

from pathlib import Path

from tasks.review.sheets.packet import (
    MAIL_OVERHEAD,
    ReportFile,
    assigned_contexts,
    attach_reports,
    copy_reports,
)

URL = "https://csr.example.org/2024/review-reports/"


def test_reports_are_attached_only_while_the_mail_stays_under_the_limit() -> None:
    limit = 10 * 1024 * 1024
    fits = int((limit - MAIL_OVERHEAD) * 3 / 4)

    assert attach_reports([fits - 1000], 1000, limit) is True
    assert attach_reports([fits - 1000], 1001, limit) is False
    assert attach_reports([50 * 1024 * 1024], 1000, 0) is True  # no limit set


def test_filed_reports_are_copied_under_the_unit_short_name_and_round(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "ab12.pdf").write_bytes(b"%PDF-1.7 report")
    filed = ReportFile(
        "上海达联粮油有限公司", "达联粮油2023年度社会责任报告", "archive/ab12.pdf", 15
    )
    missing = ReportFile("上海泰江运输有限公司", "泰江运输报告", "", 0)

    copies = copy_reports(tmp_path, 2024, 0, [filed, missing])

    assert [path for _, path in copies] == [
        "review/2024/reports/达联粮油-社会责任报告-第1轮.pdf",
        "",
    ]
    assert (tmp_path / copies[0][1]).read_bytes() == b"%PDF-1.7 report"
    linked = assigned_contexts(copies, attached=False, reports_url=URL)
    assert [(r.file_name, r.link) for r in linked] == [
        (
            "达联粮油-社会责任报告-第1轮.pdf",
            URL + "%E8%BE%BE%E8%81%94%E7%B2%AE%E6%B2%B9-%E7%A4%BE%E4%BC%9A%E8%B4%A3%E4%BB%BB"
            "%E6%8A%A5%E5%91%8A-%E7%AC%AC1%E8%BD%AE.pdf",
        ),
        ("（未提交报告文件）", ""),
    ]
    attached = assigned_contexts(copies, attached=True, reports_url=URL)
    assert [r.link for r in attached] == ["", ""]
