"""Save a batch of input files so that one file's failure never sinks the others.

The common case costs one transaction: the whole batch is saved at once. Only when that raises
is it saved again one file per transaction, and each file that still raises becomes a
file-level Rejection (`file-failed`) naming the file and the exception's class, never its
message (a database error may quote a row). The good files of the batch are kept either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from sqlmodel import Session

from schemas.enums import Severity
from schemas.rejection import Rejection
from schemas.settings import Settings
from tasks.common.ledger import FAILED, REFUSED, TAKEN_IN
from tasks.store import campaign_session

T = TypeVar("T")
log = logging.getLogger(__name__)


def file_failed(file: str, exc: BaseException, step_zh: str, step_en: str) -> Rejection:
    """Return the file-level rejection of a file whose saving raised (class name only). Pure."""
    kind = type(exc).__name__
    return Rejection(
        file=file,
        row=None,
        column="",
        value="",
        code="file-failed",
        reason_zh=f"{step_zh}时出错（{kind}），本文件未受理，其他文件不受影响；请联系运营人员",
        reason_en=f"{step_en} failed ({kind}); nothing from this file was kept, other files were",
    )


@dataclass
class SavedBatch(Generic[T]):
    """The results of saving a batch (one, or one per file), and the files that failed."""

    results: list[T] = field(default_factory=list)
    failures: list[Rejection] = field(default_factory=list)

    def failed(self) -> set[str]:
        """Return the labels of the files that failed."""
        return {r.file for r in self.failures}


def save_by_file(
    settings: Settings,
    labels: Sequence[str],
    save: Callable[[Session, frozenset[str]], T],
    step: tuple[str, str],
) -> SavedBatch[T]:
    """Save all files in one transaction, or one per file if that fails. Writes.

    `save(session, files)` saves the rows of the files labelled `files`; `step` names it in
    Chinese and English for the rejection.
    """
    out: SavedBatch[T] = SavedBatch()
    if len(labels) < 2:
        return _one_by_one(settings, labels or [""], save, step, out)
    try:
        with campaign_session(settings) as session:
            out.results.append(save(session, frozenset(labels)))
        return out
    except Exception as exc:  # find the file at fault: each is saved alone below
        log.warning(
            "saving %d files failed (%s); saving one by one", len(labels), type(exc).__name__
        )
    return _one_by_one(settings, labels, save, step, out)


def _one_by_one(
    settings: Settings,
    labels: Sequence[str],
    save: Callable[[Session, frozenset[str]], T],
    step: tuple[str, str],
    out: SavedBatch[T],
) -> SavedBatch[T]:
    for label in labels:
        try:
            with campaign_session(settings) as session:
                out.results.append(save(session, frozenset({label}) if label else frozenset()))
        except Exception as exc:  # this file's failure is reported, never raised
            log.warning("file %s failed: %s", label, type(exc).__name__)
            out.failures.append(file_failed(label, exc, *step))
    return out


def file_outcomes(files: Sequence[str], rejections: Sequence[Rejection]) -> dict[str, str]:
    """Return what each file (by path) came to for the input ledger, from its problems. Pure.

    A file with a file-level error was refused, or failed if the error is `file-failed`; any
    other file was taken in (some of its rows may have been rejected).
    """
    whole = {r.file: r.code for r in rejections if r.row is None and r.severity == Severity.ERROR}
    outcomes: dict[str, str] = {}
    for path in files:
        code = whole.get(Path(path).name)
        outcomes[path] = TAKEN_IN if code is None else FAILED if code == "file-failed" else REFUSED
    return outcomes
