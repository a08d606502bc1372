"""Business time: which day a run acts for (`as_of`) and who is acting.

Business time is `as_of` (a replayed season passes it explicitly); technical times come from
the real clock (schemas.sqltypes.now_utc).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from prefect.runtime import flow_run


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
