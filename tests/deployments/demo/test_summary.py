"""Tests for deployments/demo/summary.py: the season log the replay keeps and the demo's tables."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from types import SimpleNamespace
from typing import Any

from rich.console import Console
from rich.table import Table

from deployments.demo.summary import (
    OutboxCount,
    SeasonLog,
    StageChange,
    mail_table,
    participation_table,
    problem_table,
    training_table,
)
from schemas.enums import Stage


def _printed(table: Table) -> tuple[str, list[list[str]]]:
    """Return the table's title and its header and body rows as printed, cell by cell."""
    console = Console(record=True, width=100)
    console.print(table)
    rows = [
        [cell.strip() for cell in re.split("[┃│]", line.strip())[1:-1]]
        for line in console.export_text().splitlines()
        if line.lstrip().startswith(("┃", "│"))
    ]
    return str(table.title), rows


def _day(stage: Stage, changed: bool, **intake: Any) -> Any:
    """A SeasonDay as the log reads it: stage, whether it changed, intake summaries."""
    return SimpleNamespace(
        stage=stage, stage_changed=changed, mobilize=intake.get("mobilize"), submit=None
    )


def _intake(problems: dict[str, int], report: str, **counts: int) -> SimpleNamespace:
    return SimpleNamespace(problems_by_code=problems, report=report, **counts)


def test_the_season_log_keeps_stage_changes_problems_and_the_reports_that_list_them() -> None:
    log = SeasonLog()
    recommendations = _intake(
        {"bad-uscc": 2}, "reports/r1/x.xlsx", participations_new=5, units_updated=0
    )
    receipts = _intake({}, "reports/r2/y.xlsx", receipts_new=3)
    nothing_new = _intake(
        {"bad-uscc": 9}, "reports/r3/z.xlsx", participations_new=0, units_updated=0
    )

    log.record(
        date(2024, 10, 8),
        _day(
            Stage.MOBILIZE,
            True,
            mobilize=SimpleNamespace(recommendations=recommendations, receipts=receipts),
        ),
    )
    log.record(
        date(2024, 10, 9),
        _day(
            Stage.MOBILIZE,
            False,
            mobilize=SimpleNamespace(recommendations=nothing_new, receipts=None),
        ),
    )
    log.record(date(2024, 10, 21), _day(Stage.TRAIN, True))

    assert log.stages == [
        StageChange(date(2024, 10, 8), "mobilize"),
        StageChange(date(2024, 10, 21), "train"),
    ]
    assert log.problems == Counter({"bad-uscc": 2})
    assert log.reports == ["reports/r1/x.xlsx"]


def test_the_participation_table_lists_units_by_status_under_the_stage() -> None:
    table = participation_table(2024, "review", {"in_review": 12, "submitted": 3})

    assert _printed(table) == (
        "campaign 2024: stage review",
        [["participations by status", "units"], ["in_review", "12"], ["submitted", "3"]],
    )


def test_the_training_table_shows_the_session_columns_in_order() -> None:
    row: dict[str, str | int] = {
        "session": "core-topics",
        "title": "核心议题",
        "capacity": 80,
        "invited": 70,
        "waitlisted": 4,
        "walk_ins": 1,
        "attended": 60,
        "absent": 10,
    }

    assert _printed(training_table([row])) == (
        "training sessions",
        [
            ["session", "capacity", "invited", "waitlisted", "attended", "absent"],
            ["core-topics", "80", "70", "4", "60", "10"],
        ],
    )


def test_the_mail_table_counts_messages_by_template_and_status() -> None:
    outbox = [OutboxCount("invitation", "sent", 12), OutboxCount("invitation", "failed", 1)]

    assert _printed(mail_table(outbox)) == (
        "mail (outbox)",
        [
            ["template", "status", "messages"],
            ["invitation", "sent", "12"],
            ["invitation", "failed", "1"],
        ],
    )


def test_the_problem_table_lists_codes_in_order() -> None:
    table = problem_table(Counter({"quota-exceeded": 1, "bad-email": 4}))

    assert _printed(table) == (
        "input problems found (rejection report)",
        [["code", "rows"], ["bad-email", "4"], ["quota-exceeded", "1"]],
    )
