"""The input ledger: which files the campaign read, with what bytes, and what they came to.

Each file read is an InputFile row keyed by name and content (sha256), with the day, the
outcome (TAKEN_IN, REFUSED whole, FAILED while saving) and, for a recommendation list, the
sha256 of the association list it was read against (`depends_on`). tasks/common/inbox.py
compares the inbox with these rows to decide what is news. Fingerprints of unchanged files are
remembered, so the daily clock hashes only what changed.
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
from sqlmodel import Session, select

from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import InputFile
from tasks.common.business_day import current_actor
from tasks.common.submissions import sha256_file
from tasks.store import campaign_session

TAKEN_IN = "taken-in"  # read, and its good rows kept (some rows may have been rejected)
REFUSED = "refused"  # refused whole: unreadable, no header, no rows, another year's list
FAILED = "failed"  # an error while saving it: rolled back alone, reported as file-failed


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
