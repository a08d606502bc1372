"""What an expert receives with a score sheet: the reports assigned, attached or linked.

Each assigned report's newest PDF is copied to workspace/review/<year>/reports/ under a name
the expert can read (博泰涂料-社会责任报告-第1轮.pdf; tasks/review/file_names.py). The copies go
with the invitation when the whole mail stays under the mail size limit (`attach_reports`);
otherwise the mail links each copy under the campaign file's `review.reports_url` (the
organisers publish that folder), or attaches them anyway when no address is set (the outbox
then refuses a mail that is too large, and says so). Writes the copies only; no mail, no
database.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from notifications.expert_contexts import AssignedReportContext
from tasks.review.file_names import report_file_name

REPORTS_FOLDER = "reports"
MAIL_OVERHEAD = 256 * 1024  # bodies, headers and MIME framing, generously


@dataclass(frozen=True)
class ReportFile:
    """One assigned report as the expert gets it: whose, titled what, kept where."""

    unit_name: str
    report_title: str
    stored_path: str  # workspace-relative; "" when no report PDF was filed
    size: int


def attach_reports(sizes: Sequence[int], sheet_size: int, limit: int) -> bool:
    """Return whether the reports fit in the mail with the sheet: base64 grows a file by 4/3,
    plus MAIL_OVERHEAD, against `limit` bytes (0: no limit). Pure."""
    if limit <= 0:
        return True
    return (sum(sizes) + sheet_size) * 4 / 3 + MAIL_OVERHEAD <= limit


def copy_reports(
    workspace: Path, year: int, review_round: int, reports: Sequence[ReportFile]
) -> list[tuple[ReportFile, str]]:
    """Copy each filed report to review/<year>/reports/<readable name>; return each report
    with its copy's workspace-relative path ("" when none was filed). Writes files (a copy
    already there with the same size is kept)."""
    folder = workspace / "review" / str(year) / REPORTS_FOLDER
    out: list[tuple[ReportFile, str]] = []
    for report in reports:
        source = workspace / report.stored_path
        if not report.stored_path or not source.is_file():
            out.append((report, ""))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / report_file_name(report.unit_name, review_round)
        if not target.is_file() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
        out.append((report, target.relative_to(workspace).as_posix()))
    return out


def assigned_contexts(
    copies: Sequence[tuple[ReportFile, str]], attached: bool, reports_url: str
) -> tuple[AssignedReportContext, ...]:
    """Return the reports as the invitation lists them: attached, or linked under
    `reports_url`. Pure."""
    rows = []
    for report, path in copies:
        name = Path(path).name if path else "（未提交报告文件）"
        link = "" if attached or not path else reports_url + quote(name)
        rows.append(
            AssignedReportContext(
                unit_name=report.unit_name,
                report_title=report.report_title,
                file_name=name,
                link=link,
            )
        )
    return tuple(rows)
