"""Rejection reports: the xlsx an operator opens and the table artifact shown in the Prefect UI.

`write_rejection_report` is plain (writes one xlsx inside the workspace); the artifact helpers
call Prefect and only run inside a flow or task run (`in_a_run` tells a task called through
`.fn()` outside one to skip them). Nothing here reads inputs or touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from schemas.rejection import REPORT_COLUMNS, Rejection
from tasks.common.artifact_headers import chinese_table
from tasks.common.file_links import in_a_run as in_a_run  # where the stages import it from
from tasks.common.spreadsheets import write_sheet

ARTIFACT_ROW_LIMIT = 500


def write_rejection_report(path: Path, rejections: Sequence[Rejection]) -> Path:
    """Write the rejections (errors and warnings) to an xlsx file; return its path.

    Nothing to report writes nothing: an operator browsing the reports folder finds only
    workbooks that list problems (75 of 107 were headers only).
    """
    if not rejections:
        return path
    headers = [f"{zh} ({key})" for key, zh in REPORT_COLUMNS]
    rows = [[r.as_record()[key] for key, _ in REPORT_COLUMNS] for r in rejections]
    return write_sheet(path, headers, rows, title="rejections")


def publish_rejections(key: str, title: str, rejections: Sequence[Rejection], report: Path) -> None:
    """Publish the rejections as a table artifact (first rows) pointing to the full report."""
    shown = [r.as_record() for r in rejections[:ARTIFACT_ROW_LIMIT]]
    more = len(rejections) - len(shown)
    description = f"{title}: {len(rejections)} problems; full report: `{report}`"
    if more > 0:
        description += f" ({more} more rows in the report)"
    if not shown:
        create_markdown_artifact(key=key, markdown=f"**{title}**: no problems found.")
        return
    publish_table(key, shown, description)


def publish_table(key: str, rows: Sequence[Mapping[str, object]], description: str) -> None:
    """Publish a small table artifact with Chinese column headers (a summary, a list, ...).

    The description ends with the legend of the headers (中文=English key).
    """
    table, legend = chinese_table(rows)
    described = f"{description}\n\n{legend}" if legend else description
    create_table_artifact(key=key, table=table, description=described)
