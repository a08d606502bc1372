"""Read what a flow or task run published for the operators: its Prefect artifacts.

Tasks publish their own artifacts (rejections, league tables, listings), and run summaries carry
only counts, so tests read the rows where an operator sees them. Needs the Prefect harness.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID


def is_file_link(artifact: Any) -> bool:
    """Return whether an artifact is the link to a file the run wrote (tasks/common/file_links).

    Prefect stores a link artifact as keyless markdown `[text](link)`.
    """
    return artifact.key is None and str(artifact.data).startswith("[")


def run_artifacts(
    key: str | None = None,
    *,
    flow_run: UUID | None = None,
    task_run: UUID | None = None,
    links: bool = False,
) -> list[Any]:
    """Return the artifacts (with `key`, or all) of one flow run or task run, oldest first.

    The links to the files the run wrote are left out unless `links` (then only they are given).
    """
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
        ArtifactFilterTaskRunId,
    )
    from prefect.client.schemas.sorting import ArtifactSort

    assert (flow_run is None) != (task_run is None), "give a flow run or a task run"
    wanted = ArtifactFilter(
        key=ArtifactFilterKey(any_=[key]) if key else None,
        flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run]) if flow_run else None,
        task_run_id=ArtifactFilterTaskRunId(any_=[task_run]) if task_run else None,
    )
    with get_client(sync_client=True) as client:
        newest_first = client.read_artifacts(artifact_filter=wanted, sort=ArtifactSort.CREATED_DESC)
    return [a for a in reversed(newest_first) if is_file_link(a) == links]


def artifacts_by_key(
    *, flow_run: UUID | None = None, task_run: UUID | None = None
) -> dict[str, Any]:
    """Return the artifacts of one flow run or task run by key (the newest of a key)."""
    return {str(a.key): a for a in run_artifacts(flow_run=flow_run, task_run=task_run)}


def artifact_keys(*, flow_run: UUID | None = None, task_run: UUID | None = None) -> list[str]:
    """Return the keys of every artifact a flow run (or a task run) created, sorted."""
    return sorted(str(a.key) for a in run_artifacts(flow_run=flow_run, task_run=task_run))


LEGEND = "列 columns: "


def table_rows(artifact: Any) -> list[dict[str, Any]]:
    """Return a table artifact's rows under their English keys (the legend says which is which).

    The product publishes Chinese headers and ends the description with `列 columns: 中文=key,
    ...`; tests read the rows by the stable keys. `chinese_rows` gives them as published.
    """
    legend = (artifact.description or "").rpartition(LEGEND)[2] if artifact.description else ""
    keys = dict(pair.split("=", 1) for pair in legend.split(", ") if "=" in pair)
    return [{keys.get(k, k): v for k, v in row.items()} for row in chinese_rows(artifact)]


def chinese_rows(artifact: Any) -> list[dict[str, Any]]:
    """Return a table artifact's rows as published (Chinese headers)."""
    assert artifact.type == "table", artifact.type
    data = artifact.data
    return list(json.loads(data) if isinstance(data, str) else data)


def artifact_table(
    key: str, *, flow_run: UUID | None = None, task_run: UUID | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Return the rows and description of the one table artifact `key` of a flow or task run."""
    [artifact] = run_artifacts(key, flow_run=flow_run, task_run=task_run)
    return table_rows(artifact), artifact.description or ""
