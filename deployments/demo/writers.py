"""Writing the generator's files with stable bytes: xlsx, CSV in a chosen encoding, JSON.

An xlsx is re-zipped with fixed entry timestamps and fixed workbook created/modified dates, so
the same rows give the same bytes. Headers are the Chinese headers of `schemas/columns.py`; rows
are dicts keyed by column key. `Output` counts the files and bytes it writes under one root.
Writes only below the root it is given.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.xml.functions import tostring

from schemas.columns import InputKind

Row = dict[str, object]


def xlsx_bytes(kind: InputKind, rows: Iterable[Row], when: datetime) -> bytes:
    """Return an xlsx with the kind's Chinese headers and `rows`; stable bytes, no file I/O."""
    wb = Workbook()
    ws = wb.active
    ws.title = kind.title[:31]
    keys = [c.key for c in kind.columns]
    ws.append([c.header for c in kind.columns])
    for row in rows:
        values = [row.get(k) for k in keys]
        ws.append(values)
        for j, v in enumerate(values):
            if isinstance(v, str) and v.startswith("="):  # text, never a formula
                ws.cell(row=ws.max_row, column=j + 1).data_type = "s"
    for j, c in enumerate(kind.columns):
        ws.column_dimensions[ws.cell(row=1, column=j + 1).column_letter].width = max(
            10, 2 * len(c.header) + 2
        )
    ws.freeze_panes = "A2"
    wb.properties.creator = "csr-campaign demo generator"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)  # stamps properties.modified with the clock: put the fixed date back
    wb.properties.modified = when
    core = tostring(wb.properties.to_tree())
    return stable_zip(buf.getvalue(), when, {"docProps/core.xml": core})


def stable_zip(data: bytes, when: datetime, replace: dict[str, bytes] | None = None) -> bytes:
    """Return the zip archive `data` re-packed with every entry dated `when` and the
    entries named in `replace` swapped for the given bytes; pure."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, replace.get(info.filename) or src.read(info.filename))
    return out.getvalue()


def csv_bytes(kind: InputKind, rows: Iterable[Row], encoding: str) -> bytes:
    """Return CSV text (CRLF lines, Chinese headers) encoded as `encoding`; no file I/O."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    keys = [c.key for c in kind.columns]
    writer.writerow([c.header for c in kind.columns])
    for row in rows:
        writer.writerow([_cell_text(row.get(k)) for k in keys])
    return buf.getvalue().encode(encoding)


def _cell_text(value: object) -> str:
    """Return how a value is written into a CSV cell; pure."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Output:
    """Writes files below `root`, counting files and bytes, and reports progress."""

    def __init__(
        self, root: Path, total: int = 0, progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Write below `root`; `total` is the expected file count handed to `progress`."""
        self.root = root
        self.total = total
        self.progress = progress
        self.files = 0
        self.bytes = 0

    def write(self, rel: str, data: bytes) -> None:
        """Write `data` to root/rel (creating folders), count it and report progress."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.count(1, len(data))

    def count(self, files: int, size: int) -> None:
        """Count files written elsewhere (e.g. by PDF workers) and report progress."""
        self.files += files
        self.bytes += size
        if self.progress is not None:
            self.progress(self.files, max(self.total, self.files))

    def xlsx(self, rel: str, kind: InputKind, rows: Iterable[Row], when: datetime) -> None:
        """Write an xlsx of `kind` to root/rel with stable bytes."""
        self.write(rel, xlsx_bytes(kind, rows, when))

    def csv(self, rel: str, kind: InputKind, rows: Iterable[Row], encoding: str) -> None:
        """Write a CSV of `kind` to root/rel in `encoding`."""
        self.write(rel, csv_bytes(kind, rows, encoding))

    def json(self, rel: str, data: Any) -> None:
        """Write `data` as indented UTF-8 JSON (keys in given order) to root/rel."""
        text = json.dumps(data, ensure_ascii=False, indent=1, default=_json_default)
        self.write(rel, (text + "\n").encode("utf-8"))


def _json_default(value: object) -> str:
    """Return the JSON text of dates (ISO) and paths; raise TypeError for anything else."""
    if isinstance(value, date | Path):
        return str(value) if isinstance(value, Path) else value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
