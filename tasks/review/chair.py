"""The review chair's decisions file (评审组长决定表, inbox/<year>/review/chair.xlsx).

`read_chair_rows` reads and validates the files (no database: the decision step calls it before
its transaction opens); `resolve_chair_rulings` matches the rows to the reports whose round is
due, a plain function: a row for a unit not awaiting a decision is reported, never guessed.
What a ruling does to a report is decided in tasks/review/decisions.py with tasks/review/rules.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from schemas.columns import CHAIR_DECISIONS
from schemas.rejection import Rejection
from schemas.rows import ChairDecisionRow
from tasks.common.validation import FileRows, read_rows, rejection_at
from tasks.review.rules import Decision


class ChairRuling(NamedTuple):
    """The chair's decision on one report, and the reason the chair gave."""

    decision: Decision
    reason: str


class ChairRulings(NamedTuple):
    """The chair's decisions by participation id, and the rows refused."""

    by_participation: dict[int, ChairRuling]
    rejections: list[Rejection]


def read_chair_rows(files: Sequence[str]) -> FileRows[ChairDecisionRow]:
    """Read and validate the chair's decision files; reads the files, no database."""
    return read_rows(files, CHAIR_DECISIONS, ChairDecisionRow)


def resolve_chair_rulings(
    found: FileRows[ChairDecisionRow], awaiting: Mapping[str, int]
) -> ChairRulings:
    """Match the chair's rows to the reports due (USCC -> participation id); pure.

    A row for a unit not awaiting a decision is reported, not guessed.
    """
    out: dict[int, ChairRuling] = {}
    rejections = list(found.rejections)
    for row, file, number in found.rows:
        pid = awaiting.get(row.uscc)
        if pid is None:
            rejections.append(
                rejection_at(
                    CHAIR_DECISIONS,
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "not-awaiting-decision",
                    "该单位的报告当前不在待决定的评审中",
                    "this unit's report is not awaiting a review decision",
                )
            )
            continue
        out[pid] = ChairRuling(row.decision, row.reason)
    return ChairRulings(out, rejections)
