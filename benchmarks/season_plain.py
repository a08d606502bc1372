"""The season benchmark's plain mode (benchmarks/season.py): the flows without the Prefect engine.

`plain_prefect()` makes a Flow or Task object call its `.fn` and counts the calls and the tasks'
seconds in TASK_SECONDS and RUNS; it stubs the calls the flows and tasks make to the Prefect API
(artifacts, the meeting pack's "already published?") as a fresh server would answer them, so the
same business code runs without a server; `plain_meeting()` records the meeting's decision with the
product's own functions, since the meeting cannot pause without the engine. Does not time the
season or start anything (benchmarks/season_replay.py does).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

DECIDED_BY = "基准测试：指导单位工作会议"
TASK_SECONDS: dict[str, float] = {}  # plain mode: wall seconds per task name, over the season
RUNS: Counter[str] = Counter()  # plain mode: calls per flow and task name (the engine's runs)


@contextmanager
def plain_prefect() -> Iterator[None]:
    """Within the block, calling a Prefect Flow or Task object calls its `.fn` directly.

    Benchmark only: patches prefect.Flow.__call__ and prefect.Task.__call__, the artifact
    functions the flows and tasks modules imported (no-ops) and `already_published` (False, as on
    a fresh server with no meeting pack published: no API call), disables the run loggers;
    restores everything on exit.
    """
    import prefect
    from prefect.logging import disable_run_logger

    def call_fn(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            RUNS[self.name] += 1
            if isinstance(self, prefect.Task):  # tasks never nest: their wall time adds up
                TASK_SECONDS[self.name] = TASK_SECONDS.get(self.name, 0.0) + (
                    time.perf_counter() - started
                )

    def no_artifact(*args: Any, **kwargs: Any) -> None:
        return None

    def never_published(label: str) -> bool:
        return False  # a fresh server holds no `meeting-pack` artifact (tasks/meeting/pack_files)

    stubs = {
        "create_markdown_artifact": no_artifact,
        "create_table_artifact": no_artifact,
        "already_published": never_published,
    }
    saved: list[tuple[object, str, object]] = [
        (prefect.Flow, "__call__", prefect.Flow.__call__),
        (prefect.Task, "__call__", prefect.Task.__call__),
    ]
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in {"flows", "tasks"}:
            for attr, stub in stubs.items():
                if hasattr(module, attr):
                    saved.append((module, attr, getattr(module, attr)))
                    setattr(module, attr, stub)
    prefect.Flow.__call__ = call_fn  # type: ignore[method-assign]
    prefect.Task.__call__ = call_fn  # type: ignore[method-assign]
    try:
        with disable_run_logger():
            yield
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


def plain_meeting(campaign_year: int, day: date) -> None:
    """Record the meeting's decision (approved as proposed) without pausing: the pack, then
    record_decision, as flows/meeting.py does once the answer arrives."""
    from schemas.settings import Settings
    from tasks.common.business_day import current_run_label
    from tasks.common.campaigns import prepare_campaign
    from tasks.meeting.decision import MeetingChanges, MeetingDecisionInput
    from tasks.meeting.pack_files import build_meeting_pack
    from tasks.meeting.record import record_decision

    settings = Settings()
    prepare_campaign(settings, campaign_year)
    pack = build_meeting_pack(settings, campaign_year, day, f"reports/{current_run_label()}")
    decision = MeetingDecisionInput(
        changes=MeetingChanges(), meeting_date=day, decided_by=DECIDED_BY, source="cli"
    )
    outcome = record_decision(settings, campaign_year, day, decision, pack.fingerprint)
    if outcome.decision is None:
        raise RuntimeError(f"the meeting decision was not recorded: {outcome.problems}")
