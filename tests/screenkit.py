"""Helpers for PDF pre-screen tests: report files made by the demo generator (broken on purpose
where asked), hostile PDFs written by hand, and worker functions that fail on purpose.

Everything is a real file read by real pypdf; nothing is mocked. The failing workers are
module-level functions so the screen's forkserver workers can import them by name (this folder
is on sys.path under pytest).
"""

from __future__ import annotations

import io
import os
import signal
import time
import zlib
from datetime import date
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from deployments.demo.model import YearFigures
from deployments.demo.report_model import ReportContext, ReportSpec
from deployments.demo.reports import write_reports
from schemas.campaign_file import CampaignFile
from schemas.screening import ScreenLimits, ScreenResult, ScreenRules
from tasks.submit.pdf.screen import screen_pdf

MIB = 1 << 20


def exit_or_kill_on_marker(path: Path, rules: ScreenRules, limits: ScreenLimits) -> ScreenResult:
    """Leave the process at once for crash.pdf, SIGKILL it for killed.pdf; screen the rest."""
    if path.name == "crash.pdf":
        os._exit(3)
    if path.name == "killed.pdf":
        os.kill(os.getpid(), signal.SIGKILL)
    return screen_pdf(path, rules, limits)


def sleep_on_marker(path: Path, rules: ScreenRules, limits: ScreenLimits) -> ScreenResult:
    """Sleep (no CPU used: only the wall-clock backstop can stop it) for asleep.pdf; screen the
    rest."""
    if path.name == "asleep.pdf":
        time.sleep(3600)
    return screen_pdf(path, rules, limits)


def allocate_on_marker(path: Path, rules: ScreenRules, limits: ScreenLimits) -> ScreenResult:
    """Ask for 4 GiB (beyond the worker's RLIMIT_AS) for hog.pdf; screen the rest."""
    if path.name == "hog.pdf":
        hog = bytearray(4 << 30)
        hog[-1] = 1
    return screen_pdf(path, rules, limits)


def handmade_pdf(contents: list[bytes]) -> bytes:
    """Return a PDF written by hand: one page per Flate-compressed content stream, Helvetica."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for content in contents:
        packed = zlib.compress(content, 9)
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


# A page of 900,000 text-showing operators: about 10 KB compressed; pypdf works on it for many
# seconds and several hundred MB, just under its 2,000,000-token budget per stream.
SLOW_PAGE = b"BT /F1 12 Tf\n" + b"(x) Tj\n" * 900_000 + b"ET\n"


def figures(report_year: int) -> tuple[YearFigures, ...]:
    """Return four years of plausible figures ending with `report_year`."""
    return tuple(
        YearFigures(
            year=report_year - 3 + i,
            employees=1200 + 10 * i,
            revenue=50_000.0 + 1000 * i,
            operating_cost=40_000.0,
            profit=5_000.0 + 100 * i,
            taxes=2_000.0,
            rd_spend=1_500.0,
            total_assets=90_000.0,
            total_liabilities=40_000.0,
            donations=30.0,
            volunteer_hours=800,
            energy_tce=3_000.0,
            emissions_tco2e=7_000.0,
            training_hours=24.0,
        )
        for i in range(4)
    )


def report_spec(
    key: str, year: int, problem: str | None = None, avoid: tuple[str, ...] = ()
) -> ReportSpec:
    """Return a revised-style spec (every core topic, materiality, disclosure) about `year`.
    The generator drops topics from short reports: the keys below give reports long enough."""
    return ReportSpec(
        key=key,
        uscc="91310000MA1FL8TQ3X",
        name="上海示例新材料科技有限公司",
        title=f"{year}年度社会责任报告",
        report_year=year,
        published=date(year + 1, 5, 20),
        figures=figures(year),
        safety_incidents=1,
        penalties=1,
        problem=problem,
        revised=True,
        avoid=avoid,
    )


def write_test_files(campaign: CampaignFile, folder: Path) -> dict[str, Path]:
    """Write the test files into `folder` and return name -> path: report files from the demo
    generator (broken on purpose where named), a text file, an empty file, a report with only an
    owner password, a decompression bomb, 3,000 pages, and a slow file."""
    year = campaign.campaign.report_year
    specs = {
        "normal": report_spec("t:normal", year),
        "encrypted": report_spec("t:encrypted", year, "encrypted"),
        "truncated": report_spec("t:truncated", year, "truncated"),
        "scanned": report_spec("t:scanned", year, "scanned"),
        "wrong-year": report_spec("t:wrong-year", year - 1, "wrong-year", avoid=(str(year),)),
        "not-a-pdf": report_spec("t:not-pdf", year, "not-pdf"),
    }
    ctx = ReportContext(tuple(campaign.topics), tuple(campaign.standards), "发布会")
    paths = {name: folder / f"{name}.pdf" for name in specs}
    write_reports(ctx, [(specs[n], str(paths[n])) for n in specs], 1, lambda _p, _s: None)
    paths["text.pdf"] = folder / "text.pdf"
    paths["text.pdf"].write_text("2023年度社会责任报告（文字稿）\n", encoding="utf-8")
    paths["empty"] = folder / "empty.pdf"
    paths["empty"].write_bytes(b"")
    open_copy = PdfWriter(clone_from=PdfReader(paths["normal"]))
    open_copy.encrypt(user_password="", owner_password="owner-only", algorithm="AES-256")
    paths["owner-password"] = folder / "owner-password.pdf"
    open_copy.write(paths["owner-password"])
    paths["bomb"] = folder / "bomb.pdf"  # one page whose stream inflates to 120 MB of spaces
    paths["bomb"].write_bytes(handmade_pdf([b"BT /F1 12 Tf (x) Tj ET\n" + b" " * (120 * MIB)]))
    paths["many-pages"] = folder / "many-pages.pdf"
    paths["many-pages"].write_bytes(handmade_pdf([b"BT /F1 12 Tf (x) Tj ET\n"] * 3000))
    paths["slow"] = folder / "slow.pdf"
    paths["slow"].write_bytes(handmade_pdf([SLOW_PAGE, SLOW_PAGE]))
    return paths
