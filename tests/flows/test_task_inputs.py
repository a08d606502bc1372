"""A value handed over with `as_is` reaches the task whole, and is not walked by the engine."""

from __future__ import annotations

import pytest
from prefect import flow, task

from flows.task_inputs import as_is


@task
def count_rows(rows: list[dict[str, int]]) -> tuple[str, int]:
    return type(rows).__name__, len(rows)


@flow
def hand_over(rows: int) -> tuple[str, int]:
    return count_rows(as_is([{"rank": i} for i in range(rows)]))


@pytest.mark.usefixtures("prefect_harness")
def test_the_task_gets_the_list_itself() -> None:
    assert hand_over(5000) == ("list", 5000)


def test_as_is_is_prefects_quote_around_the_same_object() -> None:
    rows = [{"rank": 1}]

    assert as_is(rows).unwrap() is rows  # type: ignore[attr-defined]  # Prefect's quote
