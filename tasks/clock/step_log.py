"""The clock's run log: one INFO line per step of the day, with its counts and its day.

The Prefect UI shows a run's logs; for the daily `season` run an operator reads one line per
step it ran (`2024-12-02 remind: 提醒 reminders.queued=12, mail_sent=12`), each with the
business day it stands for, so a replayed or late day is never mistaken for today. The counts
are the step's summary's non-zero whole numbers (nested summaries flattened with dots); ids,
years and sizes are not counts and are left out. Pure but for `log_step`, which writes the line
through the run logger (a no-op outside a run).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from datetime import date

from prefect import get_run_logger
from pydantic import BaseModel

from tasks.common.file_links import in_a_run

NOT_COUNTS = frozenset({"campaign_year", "batch_size", "report_year", "edition", "seed"})
MAX_COUNTS = 14  # a log line, not a report: the artifacts hold the rest
# counts whose name says someone should look (the 今日待办 page lists them: tasks/clock/attention)
STANDING = ("outbox.",)  # totals that are not the day's own
LOOK_WORDS = (
    "rejected",
    "failed",
    "ambiguous",
    "held",
    "problem",
    "lapsed",
    "overdue",
    "unmatched",
    "missing",
    "unreadable",
    "unrestorable",
    "refused",
    "warning",
)
STEP_WORDS: Mapping[str, str] = {
    "mobilize": "动员报名",
    "train": "培训",
    "submit": "报送",
    "remind": "提醒",
    "windows": "截止关闭",
    "review": "评审",
    "commend": "推优",
    "release": "发布",
    "deliver": "邮件投递",
    "audit": "核查",
}


def _counts(value: object, prefix: str = "") -> Iterator[tuple[str, int]]:
    """Yield (dotted name, number) for every non-zero whole number in a dumped summary."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if str(key) not in NOT_COUNTS:
                yield from _counts(inner, f"{prefix}{key}.")
    elif isinstance(value, int) and not isinstance(value, bool) and value:
        yield prefix.rstrip("."), value


def step_counts(result: object) -> str:
    """Return a step's counts as `name=n, ...` (its summary's non-zero numbers). Pure.

    A step that returns a bool (is anything due) says so; nothing to count says `nothing`.
    """
    if isinstance(result, bool):
        return f"due={str(result).lower()}"
    if isinstance(result, BaseModel):
        found = list(_counts(result.model_dump(mode="json")))
    elif isinstance(result, Mapping):
        found = list(_counts(result))
    else:
        found = []
    if not found:
        return "nothing to count (无计数)"
    shown = ", ".join(f"{name}={n}" for name, n in found[:MAX_COUNTS])
    more = len(found) - MAX_COUNTS
    return shown + (f", +{more} more" if more > 0 else "")


def needs_a_look(name: str) -> bool:
    """Return whether a count's dotted name says someone should look at it. Pure.

    A word of the name (split at `.`, `_`, `-`) starting with one of LOOK_WORDS; the outbox's
    standing totals (`outbox.failed`) are the season's, not the day's, and the audit lists them.
    """
    if name.startswith(STANDING):
        return False
    words = re.split(r"[._\-]", name)
    return any(w.startswith(look) for w in words for look in LOOK_WORDS)


def findings(step: str, result: object) -> str | None:
    """Return the step's counts that need a look (`step: name=n, ...`), or None. Pure."""
    dumped = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    found = [f"{name}={n}" for name, n in _counts(dumped) if needs_a_look(name)]
    return f"{step}: {', '.join(found)}" if found else None


def step_line(day: date, step: str, result: object) -> str:
    """Return the log line of one step of the day: day, step (Chinese and English), counts."""
    words = STEP_WORDS.get(step, "")
    named = f"{words} {step}" if words else step
    return f"{day.isoformat()} {named}: {step_counts(result)}"


def log_step(day: date, step: str, result: object) -> None:
    """Write the step's line at INFO to the run's log (shown in the Prefect UI); else nothing."""
    _log(step_line(day, step, result))


def log_day(day: date, stage: str, changed: bool) -> None:
    """Write the day's first line at INFO: the business day and the campaign's stage."""
    news = " (今日进入该阶段 entered today)" if changed else ""
    _log(f"{day.isoformat()} 业务日 business day: 阶段 stage {stage}{news}")


def _log(line: str) -> None:
    if not in_a_run():
        return
    logger = get_run_logger()
    if logger.isEnabledFor(logging.INFO):  # under WARNING the line is not even built twice
        logger.info(line)
