"""The campaign's inbox: where incoming files are dropped, and which of them are new.

Files arrive in workspace/inbox/<year>/: the recommendation lists and the association list
(associations.xlsx or 协会名单.xlsx, .csv too) in recommendations/ (the association list is also
found directly in inbox/<year>/), then receipts/, attendance/, ... The input ledger
(tasks/common/ledger.py) records each file read by name and sha256, with what it came to
(taken in, refused whole, failed) and, for a recommendation list, the association list it was
read against: the daily clock reads a file again when its bytes change or when the association
list arrives or changes. A file refused or failed with the same bytes and the same association
list is not read again (its rejection is in that day's report).
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import select

from schemas.settings import Settings
from schemas.tables import InputFile
from tasks.common.ledger import (
    FAILED,
    REFUSED,
    TAKEN_IN,
    FileFingerprint,
    LedgerKey,
    add_input_files,
    file_fingerprints,
    files_taken_in,
    fingerprint_of,
    record_inputs,
)
from tasks.store import campaign_session

__all__ = [  # the ledger's names, for the modules that know them from here
    "FAILED",
    "REFUSED",
    "TAKEN_IN",
    "FileFingerprint",
    "LedgerKey",
    "add_input_files",
    "file_fingerprints",
    "files_taken_in",
    "fingerprint_of",
    "record_inputs",
]

TABULAR_SUFFIXES = (".xlsx", ".csv", ".txt", ".tsv", ".xls")
RECOMMENDATIONS_KIND = "recommendations"  # the association list and the recommendation lists
RECEIPTS_KIND = "receipts"
ATTENDANCE_KIND = "attendance"
BASIC_INFO_KIND = "basic_info"
FINANCIALS_KIND = "financials"
REPORTS_KIND = "reports"  # report PDFs and their manifest
SCORE_SHEETS_KIND = "score_sheets"  # returned score sheets (review/sheets/)
REVIEW_FILES_KIND = "review_files"  # the roster, overrides and chair files a review run read

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
