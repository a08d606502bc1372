"""Which deadlines a mail tells its reader to meet, read from the mail's context. Pure.

The outbox stores them with the mail (meta "deadlines") so `campaign audit` can check that every
deadline a mail sets lies after the business day it was queued on. What counts: every
`DeadlineContext` and every date field whose name holds "deadline" or "due" (or is a `reply_by`:
the commendation invitation's answer date), anywhere in the context, except the campaign's
shared calendar (`CampaignContext`, in every mail) and the deadline of a mail that reports it as
passed (an overdue notice, a late acknowledgement, an overdue reviewer reminder).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from notifications.contexts import CampaignContext, DeadlineContext, OverdueNoticeContext

DEADLINE_WORDS = ("deadline", "due", "reply_by")


def reports_passed(model: BaseModel) -> bool:
    """Return whether this context tells its deadline as already passed. Pure."""
    if isinstance(model, OverdueNoticeContext):
        return True
    return getattr(model, "late", False) is True or getattr(model, "overdue", False) is True


def _is_day(value: Any) -> bool:
    """Return whether `value` is a calendar date (not a timestamp). Pure."""
    return isinstance(value, date) and not isinstance(value, datetime)


def _walk(name: str, value: Any, passed: bool) -> Iterator[date]:
    """Yield the deadlines told by one named value of a context (recursing). Pure."""
    if isinstance(value, CampaignContext):
        return
    if isinstance(value, DeadlineContext):
        if not passed:
            yield value.date
        return
    if isinstance(value, BaseModel):
        yield from _fields(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(str(key), item, passed)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(name, item, passed)
    elif _is_day(value) and not passed and any(w in name.lower() for w in DEADLINE_WORDS):
        yield value


def _fields(model: BaseModel) -> Iterator[date]:
    """Yield the deadlines told by a context model's fields. Pure."""
    passed = reports_passed(model)
    for name in type(model).model_fields:
        yield from _walk(name, getattr(model, name), passed)


def told_deadlines(context: BaseModel | Mapping[str, Any]) -> tuple[date, ...]:
    """Return the distinct deadlines a mail's context tells its reader to meet, sorted. Pure."""
    found = _fields(context) if isinstance(context, BaseModel) else _walk("", context, False)
    return tuple(sorted(set(found)))
