"""The corpus kit: a file shape with its expected outcome per row, and the builder that gives
each shape its own association and units (tests/data/intake_corpus.py assembles them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factories import make_uscc, recommendation_row
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from schemas.columns import RECOMMENDATIONS

HEADERS = [c.header for c in RECOMMENDATIONS.columns]
CONTACT = "柯示例甲"  # a contact name that must never reach a log or an exception
SECRET_NAME = "上海柯示例乙毒药科技有限公司"  # a unit name in the poison files, likewise
UNKNOWN_CODE = "Z999"
Grid = list[list[Any]]


@dataclass
class Shape:
    """One file shape: its name, its bytes, and what each row (or the file) must come to.

    A row's outcome is "ok" (it lands), "held" (it lands held over quota), "warn:<code>" (it
    lands with that warning) or the error code it is refused with.
    """

    name: str
    write: Callable[[Path], None]
    expected: dict[int, str] = field(default_factory=dict)
    file_code: str | None = None
    units: dict[int, str] = field(default_factory=dict)  # row -> USCC of a row that lands


def letter(key: str) -> str:
    """Return the spreadsheet letter of a recommendation column."""
    index = next(i for i, c in enumerate(RECOMMENDATIONS.columns) if c.key == key)
    return chr(ord("A") + index)


def grid(rows: Sequence[dict[str, Any]], headers: Sequence[str] = HEADERS) -> Grid:
    """Return a header row and the rows' cells in the recommendation columns' order."""
    return [list(headers)] + [[row.get(h) for h in HEADERS] for row in rows]


def write_xlsx(path: Path, lines: Grid, edit: Callable[[Worksheet], None] | None = None) -> None:
    """Write lines to the first sheet of a new workbook, then let `edit` change the sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for line in lines:
        ws.append(list(line))
    if edit is not None:
        edit(ws)
    wb.save(path)


def csv_text(lines: Grid, delimiter: str = ",") -> str:
    """Return lines as CSV text."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for line in lines:
        writer.writerow(["" if v is None else v for v in line])
    return buf.getvalue()


class Builder:
    """Gives each shape the next association code and a fresh block of unit numbers."""

    def __init__(self) -> None:
        self.shapes: list[Shape] = []
        self.codes: list[str] = []

    def start(self) -> tuple[str, int]:
        """Return the next shape's association code and its first unit number."""
        index = len(self.codes) + 1
        self.codes.append(f"A{100 + index}")
        return self.codes[-1], 1000 + index * 20

    def rows(self, code: str, first: int, count: int, **overrides: Any) -> list[dict[str, Any]]:
        """Return `count` valid rows for units first.. of `code`, with overrides."""
        values = {"contact_name": CONTACT, **overrides}
        return [recommendation_row(code, n, **values) for n in range(first, first + count)]

    def add(
        self,
        name: str,
        write: Callable[[Path], None],
        expected: dict[int, str] | None = None,
        file_code: str | None = None,
        units: dict[int, str] | None = None,
    ) -> None:
        """Add a shape."""
        self.shapes.append(Shape(name, write, expected or {}, file_code, units or {}))


def landing(first_row: int, first_unit: int, count: int) -> tuple[dict[int, str], dict[int, str]]:
    """Return (expected, units) for `count` rows from `first_row` that all land."""
    expected = {first_row + i: "ok" for i in range(count)}
    units = {first_row + i: make_uscc(first_unit + i) for i in range(count)}
    return expected, units


def write_poison(folder: Path) -> list[Path]:
    """Write files that once crashed or leaked: each holds the secret contact and unit name."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        recommendation_row("A001", 1, contact_name=CONTACT, name=SECRET_NAME),
        recommendation_row("A001", 2, contact_name=CONTACT, email="张伟@example.com"),
    ]
    text = csv_text(grid(rows))
    utf16 = csv_text(grid(rows), "\t").encode("utf-16")
    (folder / "A001_bom_gbk.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("gbk"))
    (folder / "A001_odd.txt").write_bytes(utf16[:-1])
    write_xlsx(folder / "A001_cut.xlsx", grid(rows))
    cut = (folder / "A001_cut.xlsx").read_bytes()
    (folder / "A001_cut.xlsx").write_bytes(cut[: len(cut) // 2])
    write_xlsx(folder / "A001_rows.xlsx", grid(rows))

    def formula(ws: Worksheet) -> None:
        ws["J2"] = f'=HYPERLINK("mailto:ke@example.com","{CONTACT}")'

    write_xlsx(folder / "A001_formula.xlsx", grid(rows), formula)
    return sorted(folder.iterdir())
