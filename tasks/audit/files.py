"""Read what the release and the meeting wrote into the workspace, for the audit's rules.

The certificate files' sha256 (release/<year>/certificates/), the grade each catalogue page
shows (release/<year>/catalogue/reports/<slug>.html), the statistics' headline counts
(release/<year>/statistics/season-statistics.md) and the USCCs the meeting pack lists
(reports/<meeting run>/meeting-pack.xlsx, else the newest pack written). A part that was not
written yet reads as None. Reads files only.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from schemas.settings import OutsideWorkspace, Settings
from tasks.audit.snapshot import CertificateRow, ReleaseFiles

CHUNK = 1 << 20
PACK = "meeting-pack.xlsx"
PACK_SHEETS = ("拟发布名单", "未列入名单")  # tasks/meeting/pack_files.py SHEETS
USCC_HEADER = "USCC"
_GRADE = re.compile(r'<p class="grade big">报告评级：([^<]*)</p>')
_HEADLINES = {"released": "已发布单位", "certificates": "发布证书"}


def file_sha256(path: Path) -> str | None:
    """Return the sha256 of a file, or None when it is not there; reads it."""
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        return digest.hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def _stored(settings: Settings, stored_path: str) -> Path | None:
    """Return a stored path inside the workspace, or None if it would leave it."""
    try:
        return settings.inside_workspace(stored_path)
    except OutsideWorkspace:
        return None


def certificate_rows(
    settings: Settings, rows: Sequence[tuple[Any, ...]]
) -> tuple[CertificateRow, ...]:
    """Return the certificate issues with the sha256 of the file at each stored path; reads."""
    found: list[CertificateRow] = []
    for pid, number, version, sha256, stored_path in rows:
        path = _stored(settings, stored_path)
        actual = file_sha256(path) if path is not None else None
        found.append(CertificateRow(pid, number, version, sha256, stored_path, actual))
    return tuple(found)


def catalogue_grades(folder: Path) -> dict[str, str] | None:
    """Return slug -> the grade each report page shows ("" for none), or None: no catalogue."""
    pages = folder / "reports"
    if not pages.is_dir():
        return None
    grades: dict[str, str] = {}
    for page in pages.glob("*.html"):
        shown = _GRADE.search(page.read_text(encoding="utf-8"))
        grades[page.stem] = shown.group(1).strip() if shown else ""
    return grades


def statistics_headlines(markdown: str) -> dict[str, int]:
    """Return the released and certificate counts of the statistics' headline list. Pure."""
    found: dict[str, int] = {}
    for key, label in _HEADLINES.items():
        line = re.search(rf"^- {label} [^:\n]*: \*\*(\d+)\*\*", markdown, flags=re.MULTILINE)
        if line:
            found[key] = int(line.group(1))
    return found


# The pack's counts by (path, size, mtime_ns): a written pack is not rewritten, so the clock's
# daily audit parses it once per process (0.7 s at 5,000 units).
_PACK_COUNTS: dict[tuple[str, int, int], dict[str, int]] = {}


def pack_uscc_counts(path: Path) -> dict[str, int]:
    """Return how many times the pack's release and not-proposed sheets list each USCC; reads.

    Side effects: remembers the counts of the file as it is (path, size, modification time).
    """
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _PACK_COUNTS:
        _PACK_COUNTS[key] = _count_pack_usccs(path)
    return dict(_PACK_COUNTS[key])


def _count_pack_usccs(path: Path) -> dict[str, int]:
    """Return how many times the pack's release and not-proposed sheets list each USCC; reads."""
    counts: Counter[str] = Counter()
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for title in PACK_SHEETS:
            if title not in book.sheetnames:
                continue
            rows = book[title].iter_rows(values_only=True)
            header = next(rows, ())
            at = next((i for i, h in enumerate(header) if USCC_HEADER in str(h or "")), None)
            if at is None:
                continue
            counts.update(str(r[at]).strip() for r in rows if at < len(r) and r[at])
    finally:
        book.close()
    return dict(counts)


def meeting_pack(settings: Settings, run_id: str) -> Path | None:
    """Return the pack the meeting run wrote, else the newest pack in reports/; or None."""
    reports = settings.workspace / "reports"
    if run_id and (reports / run_id / PACK).is_file():
        return reports / run_id / PACK
    packs = sorted(reports.glob(f"*/{PACK}"), key=lambda p: p.stat().st_mtime)
    return packs[-1] if packs else None


def release_files(settings: Settings, year: int, meeting_run_id: str) -> ReleaseFiles:
    """Return what the release and the meeting wrote for campaign `year`; reads files."""
    release = settings.workspace / "release" / str(year)
    statistics = release / "statistics" / "season-statistics.md"
    pack = meeting_pack(settings, meeting_run_id)
    return ReleaseFiles(
        catalogue_grades=catalogue_grades(release / "catalogue"),
        statistics=(
            statistics_headlines(statistics.read_text(encoding="utf-8"))
            if statistics.is_file()
            else None
        ),
        pack_uscc_counts=None if pack is None else pack_uscc_counts(pack),
        pack_file="" if pack is None else str(pack.relative_to(settings.workspace)),
    )
