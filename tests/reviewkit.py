"""Helpers for review tests: fill in score sheets as experts would, and return them; read the
artifacts a review run published."""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openpyxl import load_workbook

from tasks.review.sheets.layout import (
    FIRST_DATA_ROW,
    SCORES_SHEET,
    comment_column,
    score_column,
    suggestions_column,
)


def fill(path: Path, n_criteria: int, rows: dict[int, list[object]]) -> None:
    """Type scores, a comment and a suggestion into rows of a score sheet, as an expert would."""
    wb = load_workbook(path)
    ws = wb[SCORES_SHEET]
    for row, values in rows.items():
        *scores, comment, suggestion = values
        for index, value in enumerate(scores):
            ws.cell(row=row, column=score_column(index), value=value)
        ws.cell(row=row, column=comment_column(n_criteria), value=comment)
        ws.cell(row=row, column=suggestions_column(n_criteria), value=suggestion)
    wb.save(path)


def sent_mails(workspace: Path) -> list[EmailMessage]:
    """Return every mail the file mailer wrote, oldest first (then by file name)."""
    files = sorted(
        (workspace / "mail" / "sent").rglob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name)
    )
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in files
    ]


def return_sheets(
    mails: list[EmailMessage],
    folder: Path,
    n_criteria: int,
    row_values: Callable[[int, int], list[object]],
    prefix: str = "returned",
) -> list[Path]:
    """Save each mail's attached sheet into `folder`, filled with `row_values(mail index, row)`."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, m in enumerate(mails):
        [attached] = list(m.iter_attachments())
        path = folder / f"{prefix}-{i}.xlsx"
        path.write_bytes(attached.get_content())
        wb = load_workbook(path)
        rows = wb[SCORES_SHEET].max_row
        wb.close()
        fill(path, n_criteria, {r: row_values(i, r) for r in range(FIRST_DATA_ROW, rows + 1)})
        out.append(path)
    return out


class OpenSessions:
    """Count the campaign sessions a task module opens and, for a watched reader, how many of
    them were open each time it read a file (the tasks read inputs before writing)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
        self.open = 0
        self.opened = 0
        self.when_read: list[int] = []
        real = module.campaign_session

        @contextmanager
        def counted(settings: Any) -> Iterator[Any]:
            self.open += 1
            self.opened += 1
            try:
                with real(settings) as session:
                    yield session
            finally:
                self.open -= 1

        monkeypatch.setattr(module, "campaign_session", counted)

    def watch_reader(self, monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> None:
        """Record how many sessions are open whenever `module.name` is called."""
        real = getattr(module, name)

        def reading(*args: Any, **kwargs: Any) -> Any:
            self.when_read.append(self.open)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, reading)
