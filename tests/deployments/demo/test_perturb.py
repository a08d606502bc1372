"""Tests for the season fuzzer's perturbations (deployments/demo/perturb.py): seeded, pure, and
each one changes the world where and when it says."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deployments.demo.perturb import NAMES, PERTURBATIONS, perturb
from schemas.campaign_file import CampaignFile


def small_plan(units: int = 12, reviewers: int = 5) -> dict[str, Any]:
    """A plan.json-shaped season: units filing in November, reviewers returning in December."""
    return {
        "units": [
            {
                "uscc": f"91310000TEST{i:06d}",
                "name": f"上海测试{i}有限公司",
                "registers_on": f"2024-11-{1 + i % 14:02d}",
                "report_on": None if i % 5 == 4 else f"2024-11-{10 + i % 18:02d}",
                "revises": i % 6 == 0,
                "revised_on": "2024-12-18" if i % 6 == 0 else None,
            }
            for i in range(units)
        ],
        "reviewers": [
            {"email": f"expert{j}@review.example.org", "returns_sheet_on": f"2024-12-{5 + j:02d}"}
            for j in range(reviewers)
        ],
    }


@given(st.integers(min_value=0, max_value=10_000))
def test_a_seed_decides_the_whole_perturbed_world_and_the_plan_given_is_left_alone(
    seed: int,
) -> None:
    from conftest import REPO

    from schemas.campaign_file import load_campaign_file

    campaign = load_campaign_file(REPO / "campaigns" / "2024.toml")
    plan = small_plan()
    before = copy.deepcopy(plan)
    first, again = perturb(plan, campaign, seed), perturb(plan, campaign, seed)
    assert plan == before
    assert first == again
    assert set(first.applied) <= set(NAMES)
    assert first.chair_absent == ("chair-absent" in first.applied)
    assert list(first.events) == sorted(first.events, key=lambda e: (e.day, e.kind, e.target))


def test_every_perturbation_applies_at_rate_one_and_none_at_rate_zero(
    campaign_2024: CampaignFile,
) -> None:
    assert perturb(small_plan(), campaign_2024, 1, rate=1.0).applied == NAMES
    nothing = perturb(small_plan(), campaign_2024, 1, rate=0.0)
    assert (nothing.applied, nothing.events, nothing.plan) == ((), (), small_plan())


@pytest.mark.parametrize("seed", range(20))
def test_each_perturbation_moves_dates_where_its_name_says(
    seed: int, campaign_2024: CampaignFile
) -> None:
    import random

    review = campaign_2024.deadline("review").date
    revision = campaign_2024.deadline("revision").date
    release = campaign_2024.events.release

    def run(name: str) -> tuple[dict[str, Any], list[Any]]:
        plan = small_plan()
        events = PERTURBATIONS[name](plan, campaign_2024, random.Random(seed))
        return plan, events

    def returns(plan: dict[str, Any]) -> list[date | None]:
        return [
            date.fromisoformat(r["returns_sheet_on"]) if r["returns_sheet_on"] else None
            for r in plan["reviewers"]
        ]

    base = returns(small_plan())
    late = [d for d, b in zip(returns(run("late-sheets")[0]), base, strict=True) if d != b]
    assert late
    assert all(d is not None and review <= d <= review + timedelta(1) for d in late)
    after = [d for d, b in zip(returns(run("sheets-after-decisions")[0]), base, strict=True)]
    assert sum(d is not None and d >= review + timedelta(2) for d in after) in (1, 2)
    assert returns(run("missing-sheets")[0]).count(None) in (1, 2)
    plan, events = run("experts-absent")
    assert [e.kind for e in events] == ["roster-without"]
    (absent,) = [r for r in plan["reviewers"] if r["returns_sheet_on"] is None]
    assert events[0].target == absent["email"]
    assert events[0].day > campaign_2024.stages.review
    plan, _ = run("late-revisions")
    moved = [u["revised_on"] for u in plan["units"] if u["revised_on"] not in (None, "2024-12-18")]
    assert all(date.fromisoformat(d) > revision for d in moved)
    assert [u["uscc"] for u in plan["units"] if u["revised_on"]] == [
        u["uscc"] for u in plan["units"] if u["revises"]
    ]
    _, events = run("name-corrections")
    assert events
    assert all(e.kind == "name-correction" and e.day > release for e in events)
    assert all(e.variant.endswith("（更名）") for e in events)
    _, events = run("duplicate-filings")
    assert {e.kind for e in events} == {"receipt-again", "report-again", "sheet-again"}
    assert {e.variant for e in events} <= {"same", "changed"}
