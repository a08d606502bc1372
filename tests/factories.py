"""Builders of real input files for tests: USCCs, association lists, recommendation lists.

Files are written with openpyxl / the csv module into tmp folders, exactly as operators' files
arrive (Chinese headers, xlsx or CSV in a chosen encoding). Also campaign folders with one value
changed and reviewer-roster rows. Database rows are built by tests/row_factories.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

# The database-row builders live in row_factories.py; re-exported here, where many tests import
# them from.
from row_factories import (  # noqa: F401
    add_association,
    add_participation,
    seed_reminder_units,
    unit_standing,
)

from schemas.columns import ASSOCIATIONS, RECOMMENDATIONS, InputKind
from schemas.uscc import uscc_check_character

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(n: int, prefix: str = "91310115") -> str:
    """Return the n-th valid USCC with the given 8-character prefix."""
    digits = ""
    value = n
    for _ in range(9):
        digits = ALPHABET[value % 31] + digits
        value //= 31
    body = prefix + digits
    return body + uscc_check_character(body)


def association_row(code: str, name: str | None = None, email: str | None = None) -> dict[str, Any]:
    """Return one association-list row keyed by Chinese header."""
    return {
        "协会代码": code,
        "协会名称": name or f"上海市测试行业协会{code}",
        "联系人": "王测试",
        "联系邮箱": email or f"{code.lower()}@assoc.example.org",
        "联系电话": "021-55550000",
    }


def recommendation_row(code: str, n: int, year: int = 2024, **overrides: Any) -> dict[str, Any]:
    """Return one recommendation row keyed by Chinese header (valid unless overridden)."""
    row: dict[str, Any] = {
        "推荐协会代码": code,
        "年度": year,
        "统一社会信用代码": make_uscc(n),
        "单位名称": f"上海测试{n:04d}科技有限公司",
        "单位类型": "企业",
        "所在区": "浦东新区",
        "所属行业": "电子信息",
        "所有制": "民营",
        "是否上市": "否",
        "联系人": "李测试",
        "联系邮箱": f"contact{n}@unit{n}.example.com",
        "联系电话": "021-55551234",
        "依法注册合规经营": "是",
        "履行社会责任": "是",
        "同意公开发布": "是",
    }
    for key, value in overrides.items():
        header = next(c.header for c in RECOMMENDATIONS.columns if c.key == key)
        row[header] = value
    return row


def write_xlsx(path: Path, rows: Sequence[dict[str, Any]], kind: InputKind) -> Path:
    """Write rows (keyed by header) as an xlsx; strings stay text cells."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    headers = [c.header for c in kind.columns]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_csv(
    path: Path, rows: Sequence[dict[str, Any]], kind: InputKind, encoding: str = "gb18030"
) -> Path:
    """Write rows (keyed by header) as CSV in the given encoding."""
    headers = [c.header for c in kind.columns]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_associations(path: Path, codes: Sequence[str]) -> Path:
    """Write an association list with the given codes."""
    return write_xlsx(path, [association_row(c) for c in codes], ASSOCIATIONS)


def write_recommendations(path: Path, code: str, numbers: Sequence[int], year: int = 2024) -> Path:
    """Write a valid recommendation list of units numbered `numbers` for association `code`."""
    rows = [recommendation_row(code, n, year) for n in numbers]
    if path.suffix == ".csv":
        return write_csv(path, rows, RECOMMENDATIONS)
    return write_xlsx(path, rows, RECOMMENDATIONS)


def receipt_row(n: int, **overrides: Any) -> dict[str, Any]:
    """Return one release-receipt row keyed by Chinese header for unit number n."""
    from schemas.columns import RECEIPTS

    row: dict[str, Any] = {
        "统一社会信用代码": make_uscc(n),
        "单位名称": f"上海测试{n:04d}科技有限公司",
        "报告名称": f"上海测试{n:04d}科技有限公司社会责任报告",
        "联系人": "赵回执",
        "联系邮箱": f"csr{n}@unit{n}.example.com",
        "联系电话": "021-55559999",
        "填报日期": "2024-11-01",
    }
    for key, value in overrides.items():
        row[next(c.header for c in RECEIPTS.columns if c.key == key)] = value
    return row


def write_attendance(path: Path, rows: Sequence[tuple[str, int, str]]) -> Path:
    """Write an attendance sheet of (session key, unit number, 是/否) rows."""
    from schemas.columns import ATTENDANCE

    records = [
        {"培训场次": key, "统一社会信用代码": make_uscc(n), "参会人": f"参会人{n}", "是否出席": yes}
        for key, n, yes in rows
    ]
    return write_xlsx(path, records, ATTENDANCE)


def small_campaigns_dir(tmp: Path, capacity: int) -> Path:
    """Return a campaigns folder whose 2024 file has every training session at `capacity`."""
    import re

    source = Path(__file__).resolve().parent.parent / "campaigns" / "2024.toml"
    text = re.sub(r"(?m)^capacity = \d+$", f"capacity = {capacity}", source.read_text("utf-8"))
    folder = tmp / "campaigns"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2024.toml").write_text(text, encoding="utf-8")
    return folder


def basic_info_row(n: int, report_year: int = 2023, **overrides: Any) -> dict[str, Any]:
    """Return one basic-information row keyed by Chinese header for unit number n."""
    from schemas.columns import BASIC_INFO

    values: dict[str, Any] = {
        "uscc": make_uscc(n),
        "name": f"上海测试{n:04d}科技有限公司",
        "report_title": f"上海测试{n:04d}科技有限公司{report_year}年度社会责任报告",
        "report_year": report_year,
        "employees": 1200,
        "revenue": "152,300.5",
        "profit": -1200,
        "taxes": 8800,
        "rd_spend": 6100,
        "certifications": "ISO 9001；ISO 14001",
    }
    values.update(overrides)
    return {next(c.header for c in BASIC_INFO.columns if c.key == k): v for k, v in values.items()}


def financial_rows(n: int, years: Sequence[int], **overrides: Any) -> list[dict[str, Any]]:
    """Return one financial-statement row per fiscal year for unit number n."""
    from schemas.columns import FINANCIALS

    rows = []
    for i, year in enumerate(years):
        values: dict[str, Any] = {
            "uscc": make_uscc(n),
            "fiscal_year": year,
            "revenue": 100000 + 5000 * i,
            "operating_cost": 80000 + 3000 * i,
            "profit": 9000 + 500 * i,
            "total_assets": 300000,
            "total_liabilities": 120000,
        }
        values.update(overrides)
        rows.append(
            {next(c.header for c in FINANCIALS.columns if c.key == k): v for k, v in values.items()}
        )
    return rows


def write_report_pdfs(
    campaign: Any, folder: Path, units: Sequence[tuple[int, str | None]]
) -> dict[int, Path]:
    """Write a generated Chinese report PDF named `<USCC>.pdf` per (unit number, problem).

    `problem` is None for a good report, or one of the generator's kinds ("encrypted", ...).
    """
    import dataclasses

    from screenkit import report_spec

    from deployments.demo.report_model import ReportContext
    from deployments.demo.reports import write_reports

    year = campaign.campaign.report_year
    ctx = ReportContext(tuple(campaign.topics), tuple(campaign.standards), "发布会")
    jobs = []
    paths: dict[int, Path] = {}
    for n, problem in units:
        spec = dataclasses.replace(
            report_spec(f"unit:{n}", year, problem),
            uscc=make_uscc(n),
            name=f"上海测试{n:04d}科技有限公司",
        )
        paths[n] = folder / f"{make_uscc(n)}.pdf"
        jobs.append((spec, str(paths[n])))
    folder.mkdir(parents=True, exist_ok=True)
    write_reports(ctx, jobs, 1, lambda _p, _s: None)
    return paths


def deadline_campaigns_dir(tmp: Path, receipt_deadline: date) -> Path:
    """Return a campaigns folder whose 2024 file has the receipt deadline moved to the given day.

    E.g. 2024-10-08, right after the National Day holidays, to see reminders count working days
    around them.
    """
    import re

    source = Path(__file__).resolve().parent.parent / "campaigns" / "2024.toml"
    text, count = re.subn(
        r"(?m)^(\[deadlines\.receipt\]\ndate = )\d{4}-\d{2}-\d{2}$",
        rf"\g<1>{receipt_deadline.isoformat()}",
        source.read_text("utf-8"),
    )
    assert count == 1, "the 2024 file no longer starts [deadlines.receipt] with its date"
    folder = tmp / "campaigns"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2024.toml").write_text(text, encoding="utf-8")
    return folder


def roster_row(
    i: int,
    employer: str = "",
    industries: str = "电子信息",
    max_load: int = 10,
    conflict_associations: str = "",
    conflict_units: str = "",
) -> dict[str, Any]:
    """Return one reviewer-roster row keyed by Chinese header for expert number i."""
    from schemas.columns import ROSTER

    values: dict[str, Any] = {
        "name": f"专家{i:02d}",
        "email": f"expert{i}@review.example.org",
        "employer": employer or f"上海测试研究院{i:02d}",
        "industries": industries,
        "topics": "governance;environment",
        "max_load": max_load,
        "conflict_associations": conflict_associations,
        "conflict_units": conflict_units,
    }
    return {next(c.header for c in ROSTER.columns if c.key == k): v for k, v in values.items()}
