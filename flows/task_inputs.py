"""Hand large values to tasks without the engine walking through them.

Before a task runs, Prefect walks every parameter, item by item, looking for futures and states
to resolve and to record as upstream inputs. A summary holding 5,000 table rows takes ~0.45 s
to walk, on every call (measured with prefect 3.9.1; a task of small parameters costs ~35 ms in
all). Our flows call tasks with plain values, never futures, so nothing is lost by skipping the
walk: `as_is` wraps a value in Prefect's `quote`, which the engine unwraps before the task runs.
"""

from __future__ import annotations

from typing import TypeVar, cast

from prefect.utilities.annotations import quote

T = TypeVar("T")


def as_is(value: T) -> T:
    """Return `value` marked for the engine to pass to a task unwalked (typed as the value)."""
    return cast(T, quote(value))
