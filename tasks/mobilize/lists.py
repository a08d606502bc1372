"""Read the mobilize stage's lists: the association list and the recommendation lists.

Each file is read (tasks/common/tabular.py) and its rows validated cell by cell into row models
and Rejections, before any transaction opens; a file that cannot be used at all becomes one
file-level Rejection. The association list also keeps the first row of a repeated code. The
campaign's rules over the recommendation lists (year, known associations, duplicates, quota)
are tasks/mobilize/recommendations.py's. Reads files; writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from schemas.columns import ASSOCIATIONS, RECOMMENDATIONS
from schemas.rejection import Rejection, UnreadableInput
from schemas.rows import AssociationRow, RecommendationRow
from tasks.common.tabular import read_table
from tasks.common.validation import rejection_at, validate_rows


def validate_associations(path: Path) -> tuple[list[AssociationRow], list[Rejection]]:
    """Read and validate the association list; a repeated code keeps its first row."""
    try:
        table = read_table(path, ASSOCIATIONS)
    except UnreadableInput as exc:
        return [], [exc.as_rejection()]
    good, rejections = validate_rows(table, ASSOCIATIONS, AssociationRow)
    rows: list[AssociationRow] = []
    first_row: dict[str, int] = {}
    for row, raw in good:
        if row.code in first_row:
            rejections.append(
                rejection_at(
                    ASSOCIATIONS,
                    table.file,
                    raw.number,
                    "code",
                    row.code,
                    "duplicate-in-file",
                    f"协会代码与第{first_row[row.code]}行重复",
                    f"association code repeats row {first_row[row.code]}",
                )
            )
            continue
        first_row[row.code] = raw.number
        rows.append(row)
    return rows, rejections


class ListedRow(NamedTuple):
    """A valid recommendation row and where it stands: its file's name and spreadsheet row."""

    row: RecommendationRow
    file: str
    row_number: int


@dataclass(frozen=True)
class RecommendationList:
    """One recommendation file as read: its valid rows and the problems found in its cells.

    A file that could not be used at all is `readable=False` with its one file-level problem.
    """

    file: str
    rows: tuple[ListedRow, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    readable: bool = True


def read_recommendation_list(path: Path) -> RecommendationList:
    """Read one recommendation file and validate its rows (no campaign rules yet). Reads `path`."""
    try:
        table = read_table(path, RECOMMENDATIONS)
    except UnreadableInput as exc:
        return RecommendationList(exc.file, rejections=(exc.as_rejection(),), readable=False)
    validated, rejections = validate_rows(table, RECOMMENDATIONS, RecommendationRow)
    rows = tuple(ListedRow(row, table.file, raw.number) for row, raw in validated)
    return RecommendationList(table.file, rows, tuple(rejections))


def read_recommendation_lists(files: Iterable[Path]) -> list[RecommendationList]:
    """Read every recommendation file, in path order. Reads the files; writes nothing."""
    return [read_recommendation_list(path) for path in sorted(files)]
