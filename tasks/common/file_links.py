"""The files a run writes, published: a link artifact each, and the year's reports index.

`publish_file(path, description)` is called where the product writes a file an operator opens
(the common xlsx writer, the certificates folder, the catalogue's index page). Inside a flow or
task run it creates a link artifact to the file (a `file://` link: the UI runs on the same
machine as the workspace; the description names the path inside the workspace too), and a file
in a run's reports folder (`<workspace>/reports/<run>/<file>`) is added to that year's reports
index (`reports/<year>/index.html`, tasks/common/reports_index.py) under the business day and
stage it stands for. Outside a run (a `.fn()` call in a test, the CLI's template writer)
nothing happens. The run's year, day and stage come from Prefect's runtime context: the
`campaign_year` and `as_of` parameters every flow takes (the run's name holds the day when
`as_of` was left empty), and the stage tag the clock puts on each stage's steps, else the
flow's name. Importing this module does not import prefect (the CLI's writers use it).
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from schemas.enums import Stage
from tasks.common.reports_index import REPORTS, ReportEntry, add_to_index

# the clock tags each step with its stage (flows/season.py); the flows' names are the same words
STAGE_NAMES = frozenset(s.value for s in Stage) | {"remind", "deliver", "windows", "audit"}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def in_a_run() -> bool:
    """Return whether the caller runs inside a Prefect flow or task run (artifacts need one).

    A process that never imported prefect is in no run: the common xlsx writer calls this, and
    a command writing a template does not load Prefect for it.
    """
    if "prefect" not in sys.modules:
        return False
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:
        return False
    return True


def run_day(parameters: dict[str, object], run_name: str | None) -> date | None:
    """Return the business day a run stands for: its `as_of`, else the day in its name. Pure."""
    as_of = parameters.get("as_of")
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, str) and DAY.match(as_of):
        return date.fromisoformat(as_of[:10])
    found = DAY.search(run_name or "")
    return date.fromisoformat(found.group()) if found else None


def run_stage(tags: set[str], flow_name: str | None) -> str:
    """Return the stage a step belongs to: the clock's stage tag, else the flow's name. Pure."""
    tagged = sorted(tags & STAGE_NAMES)
    return tagged[0] if tagged else (flow_name or "")


def link_text(path: Path) -> str:
    """Return the text of a file's link: its folder and name (a run folder is an id). Pure."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def publish_file(path: Path, description: str) -> None:
    """Link a written file from the current run, and list a report in its year's index.

    Side effects, inside a run only: one link artifact; for a file in `reports/<run>/`, the
    year's `reports/<year>/index.json` and `index.html` rewritten. Outside a run: nothing.
    """
    if not in_a_run():
        return
    from prefect.artifacts import create_link_artifact
    from prefect.context import TagsContext
    from prefect.runtime import flow_run, task_run

    path = path.resolve()
    create_link_artifact(
        link=path.as_uri(), link_text=link_text(path), description=f"{description}: `{path}`"
    )
    reports = path.parent.parent
    if reports.name != REPORTS:
        return
    parameters = dict(flow_run.get_parameters())
    year, day = parameters.get("campaign_year"), run_day(parameters, flow_run.get_name())
    if not isinstance(year, int) or day is None:
        return
    tags = set(TagsContext.get().current_tags) | set(task_run.get_tags())
    entry = ReportEntry(
        day=day,
        stage=run_stage(tags, flow_run.get_flow_name()),
        file=f"{path.parent.name}/{path.name}",
        description=description,
        run=flow_run.get_name() or "",
    )
    add_to_index(reports, year, entry)
