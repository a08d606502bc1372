"""Flow runs are named for their stage and the day they act for."""

from __future__ import annotations

from datetime import date

import pytest

from tasks.common.business_day import resolve_as_of, run_name_for


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 12, 2), "season 2024-12-02"),
        ("2024-12-02", "season 2024-12-02"),
        ("2024-12-02T00:00:00", "season 2024-12-02"),
    ],
)
def test_the_clock_is_named_for_the_day_it_acts_for(as_of: object, expected: str) -> None:
    assert run_name_for("season", as_of, "Asia/Shanghai", inside_season=False) == expected


def test_a_stage_run_on_its_own_says_an_operator_started_it() -> None:
    alone = run_name_for("mobilize", date(2024, 10, 8), "Asia/Shanghai", inside_season=False)
    inside = run_name_for("mobilize", date(2024, 10, 8), "Asia/Shanghai", inside_season=True)

    assert alone == "mobilize 2024-10-08 (operator)"
    assert inside == "mobilize 2024-10-08"


def test_without_a_day_the_run_is_named_for_today_in_the_campaign_time_zone() -> None:
    today = resolve_as_of(None, "Asia/Shanghai").isoformat()

    assert run_name_for("meeting", None, "Asia/Shanghai", inside_season=False) == (
        f"meeting {today} (operator)"
    )
