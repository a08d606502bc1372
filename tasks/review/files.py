"""Which files of the inbox's review/ folder one review run reads, and which it records as read.

The folder (workspace/inbox/<year>/review/) holds the roster (any xlsx/csv), optionally
overrides.xlsx (指定/回避), chair.xlsx (the chair's decisions) and absent.xlsx (experts
recorded absent), and sheets/ with the score
sheets experts returned. Files given to the flow by parameter are read instead. Plain: lists
the folder, opens no file and no database; the tasks read the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tasks.common.inbox import find_tabular_files

OVERRIDES_STEM = "overrides"
CHAIR_STEM = "chair"
ABSENT_STEM = "absent"
SHEETS_FOLDER = "sheets"


@dataclass(frozen=True)
class ReviewFiles:
    """The files a review run reads, by kind, and those to record in the input ledger."""

    rosters: list[str]
    overrides: list[str]
    chair: list[str]
    returned: list[str]  # score sheets returned by the experts
    to_record: list[str]  # roster, overrides, chair and absence files of the folder read
    absent: list[str] = field(default_factory=list)  # experts recorded absent


def review_files(
    folder: Path,
    *,
    rosters: Sequence[str] | None = None,
    overrides: Sequence[str] | None = None,
    chair: Sequence[str] | None = None,
    returned: Sequence[str] | None = None,
    absent: Sequence[str] | None = None,
) -> ReviewFiles:
    """Return the review folder's files by kind; a kind given by parameter replaces the folder's.

    Every tabular file of the folder but overrides.*, chair.* and absent.* is a roster. Only the
    folder's own files are to be recorded (the clock runs the review again when one changes).
    """
    found = find_tabular_files(folder)
    named = {f.stem.lower(): str(f) for f in found}
    roster_files = list(rosters or []) or [
        str(f) for f in found if f.stem.lower() not in (OVERRIDES_STEM, CHAIR_STEM, ABSENT_STEM)
    ]
    override_files = list(overrides or []) or [named[n] for n in (OVERRIDES_STEM,) if n in named]
    chair_files = list(chair or []) or [named[n] for n in (CHAIR_STEM,) if n in named]
    absent_files = list(absent or []) or [named[n] for n in (ABSENT_STEM,) if n in named]
    taken = {*roster_files, *override_files, *chair_files, *absent_files}
    return ReviewFiles(
        rosters=roster_files,
        overrides=override_files,
        chair=chair_files,
        returned=list(returned or [])
        or [str(f) for f in find_tabular_files(folder / SHEETS_FOLDER)],
        to_record=[str(f) for f in found if str(f) in taken],
        absent=absent_files,
    )
