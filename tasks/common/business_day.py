"""Business time: which day a run acts for (`as_of`) and who is acting.

Business time is `as_of` (a replayed season passes it explicitly); technical times come from
the real clock (schemas.sqltypes.now_utc).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from prefect.runtime import flow_run

from schemas.settings import Settings


def resolve_as_of(as_of: date | None, timezone: str) -> date:
    """Return `as_of`, or today in the campaign's time zone when it is None."""
    if as_of is not None:
        return as_of
    return datetime.now(ZoneInfo(timezone)).date()


def current_actor(default: str = "cli") -> str:
    """Return who acts: `flow-run:<id>` inside a flow run, else `default`."""
    run_id = flow_run.get_id()
    return f"flow-run:{run_id}" if run_id else default


def current_run_label() -> str:
    """Return a folder-safe label for the current run (its id, or `manual-<utc timestamp>`)."""
    run_id = flow_run.get_id()
    if run_id:
        return str(run_id)
    return "manual-" + datetime.now(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%S%f")


def run_name_for(stage: str, as_of: object, timezone: str, *, inside_season: bool) -> str:
    """Return a flow run's name: the stage and the day it acts for, `(operator)` if run alone.

    `as_of` is the run's parameter as Prefect holds it (a date, an ISO string or None for
    today in `timezone`). The daily clock is `season`; a stage it runs is named by its day; a
    stage run on its own was started by someone, so it says so. Pure but for today's date.
    """
    if isinstance(as_of, str) and as_of:
        day = date.fromisoformat(as_of[:10])
    elif isinstance(as_of, date):
        day = as_of
    else:
        day = resolve_as_of(None, timezone)
    alone = stage != "season" and not inside_season
    return f"{stage} {day.isoformat()}" + (" (operator)" if alone else "")


def stage_run_name(stage: str) -> Callable[[], str]:
    """Return the `flow_run_name` callable of a stage flow (reads the running flow's parameters)."""

    def name() -> str:
        """Name the running flow run for its stage and day (reads Prefect's runtime context)."""
        return run_name_for(
            stage,
            flow_run.parameters.get("as_of"),
            Settings().timezone,
            inside_season=flow_run.parent_flow_run_id is not None,
        )

    return name
