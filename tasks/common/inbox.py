"""The campaign's inbox: where incoming files are dropped, and which of them are new.

Files arrive in workspace/inbox/<year>/: the recommendation lists and the association list
(associations.xlsx or 协会名单.xlsx, .csv too) in recommendations/ (the association list is also
found directly in inbox/<year>/), then receipts/, attendance/, ... The InputFile ledger records
each file read by name and sha256, with what it came to (taken in, refused whole, failed) and,
for a recommendation list, the association list it was read against: the daily clock reads a
file again when its bytes change or when the association list arrives or changes. A file
refused or failed with the same bytes and the same association list is not read again (its
rejection is in that day's report).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import InputFile
from tasks.common.business_day import current_actor
from tasks.common.submissions import sha256_file
from tasks.store import campaign_session

TABULAR_SUFFIXES = (".xlsx", ".csv", ".txt", ".tsv", ".xls")
RECOMMENDATIONS_KIND = "recommendations"  # the association list and the recommendation lists
RECEIPTS_KIND = "receipts"
ATTENDANCE_KIND = "attendance"
BASIC_INFO_KIND = "basic_info"
FINANCIALS_KIND = "financials"
REPORTS_KIND = "reports"  # report PDFs and their manifest
SCORE_SHEETS_KIND = "score_sheets"  # returned score sheets (review/sheets/)
REVIEW_FILES_KIND = "review_files"  # the roster, overrides and chair files a review run read

TAKEN_IN = "taken-in"  # read, and its good rows kept (some rows may have been rejected)
REFUSED = "refused"  # refused whole: unreadable, no header, no rows, another year's list
FAILED = "failed"  # an error while saving it: rolled back alone, reported as file-failed
ASSOCIATION_LIST_STEMS = ("associations", "协会名单")


def inbox_dir(settings: Settings, campaign_year: int) -> Path:
    """Return the folder where a campaign's incoming files are dropped (inside the workspace)."""
    return settings.inside_workspace("inbox", str(campaign_year))


def find_association_list(folder: Path) -> Path | None:
    """Return the association list of an inbox folder, if any (see the module docstring).

    Looked for in recommendations/ first (where docs/operations.md tells operators to put it),
    then in the folder itself; associations.xlsx before .csv, then 协会名单.
    """
    for place in (folder / "recommendations", folder):
        for stem in ASSOCIATION_LIST_STEMS:
            for suffix in (".xlsx", ".csv"):
                candidate = place / f"{stem}{suffix}"
                if candidate.is_file():
                    return candidate
    return None


def is_association_list(path: Path) -> bool:
    """Return whether a file's name makes it an association list rather than a recommendation."""
    return path.stem.casefold() in ASSOCIATION_LIST_STEMS


def find_tabular_files(folder: Path) -> list[Path]:
    """Return the tabular files directly in `folder`, sorted by name; none if it is missing."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in TABULAR_SUFFIXES
    )


class LedgerKey(NamedTuple):
    """What the input ledger knows a taken-in file by: its name and its content's sha256."""

    name: str
    sha256: str


class FileFingerprint(NamedTuple):
    """A file in the inbox as the ledger records it: name, content sha256 and size."""

    name: str
    sha256: str
    size: int

    @property
    def key(self) -> LedgerKey:
        """Return the ledger's key of this file (name and sha256)."""
        return LedgerKey(self.name, self.sha256)


def file_fingerprints(files: Sequence[str]) -> dict[str, FileFingerprint]:
    """Return the fingerprint of each path. Reads the files (unchanged ones only once)."""
    out: dict[str, FileFingerprint] = {}
    for name in files:
        stat = os.stat(name)
        digest = _digest(
            os.path.abspath(name), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino
        )
        out[name] = FileFingerprint(Path(name).name, digest, stat.st_size)
    return out


@functools.lru_cache(maxsize=100_000)
def _digest(path: str, size: int, mtime_ns: int, ctime_ns: int, inode: int) -> str:
    """Return the sha256 of the file at `path`, remembered by its identity and times.

    The clock fingerprints the whole inbox every day, and re-hashing thousands of unchanged
    report PDFs was ~0.1 s a day at 5,000 units. Any write to a file changes its mtime and ctime
    (nanoseconds), and a replaced file its inode, so a changed file is always hashed again.
    """
    return sha256_file(Path(path))


def files_taken_in(session: Session, campaign_year: int, kind: str) -> set[LedgerKey]:
    """Return the ledger keys (name, sha256) already read for a campaign and kind."""
    rows = session.exec(
        select(InputFile.name, InputFile.sha256)
        .where(InputFile.campaign_year == campaign_year)
        .where(InputFile.kind == kind)
    ).all()
    return {LedgerKey(name, digest) for name, digest in rows}


def fingerprint_of(path: str | None) -> str:
    """Return the sha256 of a file, or "" for none (the `depends_on` of a ledger row)."""
    return file_fingerprints([path])[path].sha256 if path else ""


@task(name="record-inputs", cache_policy=NO_CACHE)
def record_inputs(
    settings: Settings,
    campaign_year: int,
    kind: str,
    files: list[str],
    as_of: date,
    outcomes: dict[str, str] | None = None,
    depends_on: str | None = None,
) -> int:
    """Record files as read, with their outcome (default taken in); return how many were new.

    `outcomes` maps a path to TAKEN_IN, REFUSED or FAILED; `depends_on` is the path of the
    association list the files were read against (its sha256 is recorded). Side effect:
    inserts InputFile rows, or updates the outcome and day of a file already recorded with
    these bytes.
    """
    if not files:
        return 0
    prints = file_fingerprints(files)
    dependency = fingerprint_of(depends_on)
    actor = current_actor()
    now = now_utc()
    outcome_of = outcomes or {}
    with campaign_session(settings) as session:
        existing = {
            LedgerKey(row.name, row.sha256): row
            for row in session.exec(
                select(InputFile)
                .where(InputFile.campaign_year == campaign_year)
                .where(InputFile.kind == kind)
            ).all()
        }
        new: list[InputFile] = []
        for path, p in prints.items():
            row = existing.get(p.key)
            if row is None:
                row = InputFile(
                    campaign_year=campaign_year,
                    kind=kind,
                    name=p.name,
                    sha256=p.sha256,
                    size=p.size,
                    ingested_on=as_of,
                    ingested_at=now,
                    actor=actor,
                )
                new.append(row)
            row.outcome = outcome_of.get(path, TAKEN_IN)
            row.depends_on = "" if path == depends_on else dependency
            row.ingested_on, row.ingested_at, row.actor = as_of, now, actor
        session.add_all(new)
    return len(new)


def add_input_files(
    session: Session,
    campaign_year: int,
    kind: str,
    prints: Sequence[FileFingerprint],
    as_of: date,
    actor: str,
    now: datetime,
) -> None:
    """Add an InputFile row per fingerprint in the caller's transaction (taken in)."""
    session.add_all(
        InputFile(
            campaign_year=campaign_year,
            kind=kind,
            name=p.name,
            sha256=p.sha256,
            size=p.size,
            ingested_on=as_of,
            ingested_at=now,
            actor=actor,
        )
        for p in prints
    )


class InboxNews(BaseModel):
    """What is new in a campaign's inbox since the files were last taken in."""

    model_config = ConfigDict(frozen=True)

    association_list: str | None
    recommendation_files: list[str]  # all of them, when any is new or changed; else none
    receipt_files: list[str]  # only the new or changed ones
    attendance_files: list[str]  # only the new or changed ones
    basic_info_files: list[str] = []
    financial_files: list[str] = []
    report_files: list[str] = []  # everything new in reports/ but the manifest
    manifest_files: list[str] = []  # all manifests, whenever a report or manifest is new
    review_files: list[str] = []  # roster, overrides or chair files no review run has read
    score_sheet_files: list[str] = []  # returned score sheets not taken in yet

    def any_intake(self) -> bool:
        """Return whether mobilize has something to take in."""
        return bool(self.recommendation_files or self.receipt_files)

    def any_submission(self) -> bool:
        """Return whether the submit flow has something to take in."""
        return bool(
            self.basic_info_files
            or self.financial_files
            or self.report_files
            or self.manifest_files
        )

    def any_review(self) -> bool:
        """Return whether the review has new or changed files to read."""
        return bool(self.review_files or self.score_sheet_files)


@task(name="inbox-news", cache_policy=NO_CACHE)
def inbox_news(settings: Settings, campaign_year: int) -> InboxNews:
    """Return the inbox files that need taking in (see InboxNews). Reads only."""
    return read_inbox_news(settings, campaign_year)


def read_inbox_news(settings: Settings, campaign_year: int) -> InboxNews:
    """Return the inbox files that need taking in (see InboxNews). Reads the inbox and ledger."""
    folder = inbox_dir(settings, campaign_year)
    with campaign_session(settings) as session:
        rows = session.exec(
            select(InputFile.kind, InputFile.name, InputFile.sha256, InputFile.depends_on).where(
                InputFile.campaign_year == campaign_year
            )
        ).all()
    seen: dict[str, set[LedgerKey]] = {}
    read_against: set[tuple[str, str, str]] = set()  # recommendation lists: name, sha, list sha
    for kind, name, digest, dependency in rows:
        seen.setdefault(kind, set()).add(LedgerKey(name, digest))
        if kind == RECOMMENDATIONS_KIND:
            read_against.add((name, digest, dependency))

    def pending(kind: str, files: list[Path]) -> list[str]:
        names = [str(f) for f in files]
        prints = file_fingerprints(names)
        return [n for n in names if prints[n].key not in seen.get(kind, set())]

    association_list = find_association_list(folder)
    listing = [association_list] if association_list else []
    recommendation_files = [
        f for f in find_tabular_files(folder / "recommendations") if not is_association_list(f)
    ]
    dependency = fingerprint_of(str(association_list) if association_list else None)
    prints = file_fingerprints([str(f) for f in recommendation_files])
    changed = pending(RECOMMENDATIONS_KIND, listing) or [
        n for n, p in prints.items() if (p.name, p.sha256, dependency) not in read_against
    ]
    reports, manifests = find_report_files(folder / "reports")
    new_reports = pending(REPORTS_KIND, reports)
    new_manifests = pending(REPORTS_KIND, manifests)
    if new_manifests:  # a new manifest may match files that were unmatched before
        new_reports = [str(p) for p in reports]
    return InboxNews(
        association_list=str(association_list) if association_list else None,
        recommendation_files=[str(f) for f in recommendation_files] if changed else [],
        receipt_files=pending(RECEIPTS_KIND, find_tabular_files(folder / "receipts")),
        attendance_files=pending(ATTENDANCE_KIND, find_tabular_files(folder / "attendance")),
        basic_info_files=pending(BASIC_INFO_KIND, find_tabular_files(folder / "basic_info")),
        financial_files=pending(FINANCIALS_KIND, find_tabular_files(folder / "financials")),
        report_files=new_reports,
        manifest_files=[str(p) for p in manifests] if new_reports or new_manifests else [],
        review_files=pending(REVIEW_FILES_KIND, find_tabular_files(folder / "review")),
        score_sheet_files=pending(
            SCORE_SHEETS_KIND, find_tabular_files(folder / "review" / "sheets")
        ),
    )


def find_report_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Return (report files, manifests) in the reports folder; any file but a manifest counts.

    A file with another suffix is still taken in, so the pre-screen can say it is not a PDF.
    """
    if not folder.is_dir():
        return [], []
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    manifests = [
        p for p in files if p.stem.lower() == "manifest" and p.suffix.lower() in TABULAR_SUFFIXES
    ]
    return [p for p in files if p not in manifests], manifests
