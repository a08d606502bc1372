"""Read operators' tabular files (xlsx, CSV in UTF-8/GB18030/UTF-16) into raw rows by column key.

Headers are matched against an input kind's column specs (Chinese headers, English aliases); the
header row may sit below a title row. Cells keep their stored type (a USCC stored as a number
stays a number, so validation can reject it). A file that cannot be used raises UnreadableInput
naming the file and the problem; nothing here validates values. Reads only; never writes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from schemas.columns import InputKind, normalise_header
from schemas.rejection import UnreadableInput

HEADER_SEARCH_ROWS = 5
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class RawRow:
    """One data row: its spreadsheet row number (header = its own row) and cells by column key."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Table:
    """The rows of one input file, with the headers we did not recognise."""

    file: str
    rows: list[RawRow]
    ignored_headers: list[str]


def read_table(path: Path, kind: InputKind, *, label: str | None = None) -> Table:
    """Read an xlsx or CSV file of the given input kind; raise UnreadableInput if unusable."""
    name = label or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableInput(
            name, "unreadable-file", "文件无法读取", f"cannot read: {exc.strerror}"
        ) from None
    if size > MAX_BYTES:
        raise UnreadableInput(
            name, "file-too-large", "文件过大", f"file is larger than {MAX_BYTES} bytes"
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        grid = _xlsx_grid(path, name)
    elif suffix in (".csv", ".txt", ".tsv"):
        grid = _csv_grid(path.read_bytes(), name)
    else:
        raise UnreadableInput(
            name,
            "unsupported-format",
            "不支持的文件格式，请另存为 .xlsx 或 .csv",
            f"unsupported file type {suffix or '(none)'}: save as .xlsx or .csv",
        )
    return _rows_from_grid(grid, kind, name)


def _xlsx_grid(path: Path, name: str) -> list[Sequence[Any]]:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableInput(
            name, "not-xlsx", "不是有效的 Excel (.xlsx) 文件", "not a valid Excel .xlsx workbook"
        ) from None
    try:
        ws = wb.worksheets[0]
        return [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def decode_text(data: bytes, name: str) -> str:
    """Decode CSV bytes: BOM first (UTF-8, UTF-16), then UTF-8, then GB18030; else unreadable."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise UnreadableInput(
        name,
        "bad-encoding",
        "文件编码无法识别，请另存为 UTF-8 或 GB18030 编码的 CSV",
        "unknown text encoding: save the CSV as UTF-8 or GB18030",
    )


def _csv_grid(data: bytes, name: str) -> list[Sequence[Any]]:
    text = decode_text(data, name)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        return [tuple(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise UnreadableInput(name, "bad-csv", "CSV 格式错误", f"malformed CSV: {exc}") from None


class HeaderRow(NamedTuple):
    """A candidate header row: where it is, the columns it names (position -> key), the rest."""

    position: int  # 0-based, in the grid read
    columns: dict[int, str]
    ignored: list[str]


def _match_headers(cells: Iterable[Any], kind: InputKind) -> tuple[dict[int, str], list[str]]:
    lookup = {n: spec.key for spec in kind.columns for n in spec.names()}
    found: dict[int, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = "" if cell is None else str(cell)
        key = lookup.get(normalise_header(text))
        if key is None or key in found.values():
            if text.strip():
                ignored.append(text.strip())
            continue
        found[index] = key
    return found, ignored


def _rows_from_grid(grid: list[Sequence[Any]], kind: InputKind, name: str) -> Table:
    best: HeaderRow | None = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found, ignored = _match_headers(row, kind)
        if best is None or len(found) > len(best.columns):
            best = HeaderRow(i, found, ignored)
    if best is None or not best.columns:
        raise UnreadableInput(
            name,
            "no-header",
            f"未找到表头，不像是“{kind.title}”",
            f"no recognisable header row: is this a {kind.title_en}?",
        )
    header_index, columns, ignored = best
    missing = [c for c in kind.required() if c.key not in columns.values()]
    if missing:
        zh = "、".join(c.header for c in missing)
        en = ", ".join(f"{c.header} ({c.key})" for c in missing)
        raise UnreadableInput(
            name, "missing-columns", f"缺少必需的列：{zh}", f"missing required columns: {en}"
        )
    rows: list[RawRow] = []
    for offset, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        cells = {key: (row[i] if i < len(row) else None) for i, key in columns.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        rows.append(RawRow(number=offset, cells=cells))
    return Table(file=name, rows=rows, ignored_headers=ignored)
