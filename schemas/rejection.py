"""Problems found in inputs, as data: one `Rejection` per bad row, cell or file.

A bad row is never raised: it becomes a Rejection with the file, row, column, value, a stable
code and reasons in Chinese and English, collected into an `IngestResult` and flattened into the
rejection report (xlsx) and the table artifact. A file that cannot be read at all raises
`UnreadableInput`, which the ingest task turns into one file-level Rejection.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from schemas.enums import Severity

REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("severity", "级别"),
    ("file", "文件"),
    ("row", "行号"),
    ("column", "列"),
    ("value", "值"),
    ("code", "代码"),
    ("reason_zh", "原因"),
    ("reason_en", "reason"),
)


class UnreadableInput(Exception):
    """A whole input file cannot be used (encoding, format, missing columns)."""

    def __init__(self, file: str, code: str, reason_zh: str, reason_en: str) -> None:
        self.file = file
        self.code = code
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"{file}: {reason_en}")

    def as_rejection(self) -> Rejection:
        """Return the file-level rejection that stands for this error in a report."""
        return Rejection(
            file=self.file,
            row=None,
            column="",
            value="",
            code=self.code,
            reason_zh=self.reason_zh,
            reason_en=self.reason_en,
        )


class Rejection(BaseModel):
    """One problem: where it is (file, row, column), what was there and why it is wrong."""

    model_config = ConfigDict(frozen=True)

    file: str
    row: int | None  # 1-based spreadsheet row (the header is row 1); None for the whole file
    column: str
    value: str
    code: str
    reason_zh: str
    reason_en: str
    severity: Severity = Severity.ERROR

    def as_record(self) -> dict[str, str | int | None]:
        """Return the rejection as a flat record keyed like REPORT_COLUMNS."""
        return {
            "severity": self.severity.value,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }


def count_by_code(rejections: list[Rejection]) -> dict[str, int]:
    """Return how many rejections carry each code, codes sorted."""
    counts: dict[str, int] = {}
    for r in rejections:
        counts[r.code] = counts.get(r.code, 0) + 1
    return dict(sorted(counts.items()))
