"""Reading stored filings for the 绩效评价 (schemas/performance_inputs.py): the report's topic
coverage from its pre-screen, fiscal years from the financial statements; odd values are None."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.performance import evaluate
from schemas.performance_inputs import (
    ReportCoverage,
    YearFigures,
    coverage_from_stored,
    inputs_from_stored,
    years_from_stored,
)
from schemas.screening import ScreenCode, ScreenResult, TopicCoverage, screen_problem


def _topics(core_covered: int, focus_covered: int) -> list[TopicCoverage]:
    core = [
        TopicCoverage(key=f"c{i}", name=f"核心{i}", kind="core", hits=3, pages=[1],
                      covered=i < core_covered)
        for i in range(9)
    ]  # fmt: skip
    focus = [
        TopicCoverage(key=f"f{i}", name=f"重点{i}", kind="focus", hits=3, pages=[2],
                      covered=i < focus_covered)
        for i in range(2)
    ]  # fmt: skip
    return core + focus


def _screen(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"file": "r.pdf", "size": 10, "opened": True, "topics": _topics(7, 1)}
    values.update(fields)
    return ScreenResult(**values).to_stored()


def test_coverage_is_read_from_a_stored_pre_screen() -> None:
    coverage = coverage_from_stored(_screen())

    assert coverage == ReportCoverage(
        core_total=9,
        core_covered=tuple(f"核心{i}" for i in range(7)),
        focus_total=2,
        focus_covered=("重点0",),
    )


@pytest.mark.parametrize(
    ("screening", "why"),
    [
        (None, "the report has no pre-screen result"),
        (
            {"problems": [screen_problem(ScreenCode.ENCRYPTED).model_dump(mode="json")]},
            "the latest report PDF is not usable (its pre-screen found an error)",
        ),
        (
            {"scanned": True, "topics": []},
            "the latest report PDF has little extractable text (scanned); topics unseen",
        ),
        ({"problems": []}, "the report's pre-screen lists no core topics"),
        ({"topics": [{"key": "x"}]}, "the report's pre-screen topics are unreadable"),
    ],
)
def test_an_unusable_pre_screen_gives_no_coverage_and_says_why(
    screening: dict[str, Any] | None, why: str
) -> None:
    inputs = inputs_from_stored(None, None, screening, report_filed=True)

    assert (inputs.report, inputs.report_note) == (None, why)
    assert evaluate(inputs).result("focus_areas_covered").basis == why


def test_stored_financials_become_fiscal_years_and_odd_values_become_none() -> None:
    stored = {
        "2023": {"revenue": 10.0, "operating_cost": "8", "profit": float("nan")},
        "2022": {"revenue": 9, "total_assets": True},
        "note": {"revenue": 1},
    }

    assert years_from_stored(stored) == {
        2022: YearFigures(revenue=9),
        2023: YearFigures(revenue=10),
    }
