"""Record what units filed as versioned Submissions: archive the source file, hash, late flag.

For a row of a spreadsheet (a receipt, a basic-information form), the submission's content is
the validated row: `sha256` and `size` are those of its canonical JSON, `data` holds it, and
`stored_path` points to the archived copy of the file it came from. The same content again is
not a new version; changed content is. `plan_row_filings` is that rule on values;
`record_row_filings` reads the latest versions and saves the plan in the caller's session (it
never commits). Files are copied into the workspace only (inputs are read, never written).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from schemas.enums import SubmissionKind
from schemas.tables import Submission

CHUNK = 900


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(data: dict[str, Any]) -> bytes:
    """Return the stable JSON bytes of a row's data (sorted keys, ISO dates, UTF-8)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


class ArchivedFile(NamedTuple):
    """Where an input file was archived, and the sha256 of its bytes (its name there)."""

    path: Path
    sha256: str


def archive_file(source: Path, archive_dir: Path) -> ArchivedFile:
    """Copy an input file into the archive folder under its sha256; return its path and sha256.

    Side effect: writes `<archive_dir>/<sha256><suffix>` unless it is already there.
    """
    digest = sha256_file(source)
    target = archive_dir / f"{digest}{source.suffix.lower()}"
    if not target.exists():
        archive_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return ArchivedFile(target, digest)


@dataclass(frozen=True)
class RowFiling:
    """One unit's filing found in one row of a file."""

    participation_id: int
    data: dict[str, Any]
    original_name: str
    stored_path: str  # workspace-relative path of the archived source file


@dataclass(frozen=True)
class FilingCounts:
    """What recording a batch of filings did."""

    new: int
    unchanged: int
    late: int
    new_participations: tuple[int, ...]  # participations that filed this kind for the first time


@dataclass(frozen=True)
class FilingPlan:
    """What recording a batch of filings will write: the new versions, and what was skipped."""

    new_rows: tuple[Submission, ...]
    unchanged: int
    new_participations: tuple[int, ...]  # participations that file this kind for the first time


def latest_filings(
    session: Session, kind: SubmissionKind, participation_ids: Sequence[int]
) -> dict[int, Submission]:
    """Return, per participation, its latest Submission of `kind`. Reads only."""
    ids = sorted(set(participation_ids))
    latest: dict[int, Submission] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = session.exec(
            select(Submission)
            .where(Submission.kind == kind)
            .where(col(Submission.participation_id).in_(chunk))
            .order_by(col(Submission.version))
        ).all()
        for sub in rows:
            latest[sub.participation_id] = sub
    return latest


def plan_row_filings(
    campaign_year: int,
    kind: SubmissionKind,
    filings: Sequence[RowFiling],
    latest: dict[int, Submission],
    *,
    as_of: date,
    deadline: date | None,
    now: datetime,
) -> FilingPlan:
    """Return the new Submission versions for filings whose content differs from the latest.

    Pure: `latest` (participation -> its latest Submission of `kind`) is not changed; a
    participation filing twice in the batch is compared with its first new version.
    """
    latest = dict(latest)
    new_rows: list[Submission] = []
    unchanged = 0
    first_time: list[int] = []
    for filing in filings:
        body = canonical_json(filing.data)
        digest = hashlib.sha256(body).hexdigest()
        previous = latest.get(filing.participation_id)
        if previous is not None and previous.sha256 == digest:
            unchanged += 1
            continue
        if previous is None:
            first_time.append(filing.participation_id)
        sub = Submission(
            campaign_year=campaign_year,
            participation_id=filing.participation_id,
            kind=kind,
            version=(previous.version + 1) if previous else 1,
            stored_path=filing.stored_path,
            original_name=filing.original_name,
            sha256=digest,
            size=len(body),
            received_on=as_of,
            received_at=now,
            late=deadline is not None and as_of > deadline,
            data=json.loads(body),
        )
        latest[filing.participation_id] = sub
        new_rows.append(sub)
    return FilingPlan(tuple(new_rows), unchanged, tuple(first_time))


def record_row_filings(
    session: Session,
    campaign_year: int,
    kind: SubmissionKind,
    filings: Sequence[RowFiling],
    *,
    as_of: date,
    deadline: date | None,
    now: datetime,
) -> FilingCounts:
    """Save each filing as a new Submission version unless its content equals the latest one.

    `deadline` None means the step has no deadline (e.g. financials, which are encouraged).
    Side effect: adds the new Submission rows in the caller's session and flushes.
    """
    latest = latest_filings(session, kind, [f.participation_id for f in filings])
    plan = plan_row_filings(
        campaign_year, kind, filings, latest, as_of=as_of, deadline=deadline, now=now
    )
    session.add_all(plan.new_rows)
    session.flush()
    return FilingCounts(
        new=len(plan.new_rows),
        unchanged=plan.unchanged,
        late=sum(1 for s in plan.new_rows if s.late),
        new_participations=plan.new_participations,
    )
