"""Tests for the season fuzzer's world (deployments/demo/fuzzworld.py): the days it plays
(every day an invariant or a perturbation depends on), what each event sends, and a day that
raises being reported while the season goes on."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from deployments.demo.fuzzworld import FuzzReplay, follow_up_days, fuzz_days, key_days
from deployments.demo.generate import generate
from deployments.demo.perturb import WorldEvent
from deployments.demo.replay import season_days
from schemas.campaign_file import CampaignFile
from schemas.settings import Settings


def test_key_days_hold_every_stage_start_deadline_and_the_days_after(
    campaign_2024: CampaignFile,
) -> None:
    days = key_days(campaign_2024)
    s = campaign_2024.stages
    assert {s.mobilize, s.train, s.submit, s.review, s.commend, s.meeting, s.release} <= days
    for deadline in campaign_2024.deadlines.values():
        assert deadline.date in days
    review = campaign_2024.deadline("review").date
    assert {review + timedelta(days=1), review + timedelta(days=2)} <= days
    assert {date(2024, 12, 3), date(2024, 12, 4)} <= days  # two working days into the review
    assert {campaign_2024.events.meeting, campaign_2024.events.release} <= days
    assert min(days) >= season_days(campaign_2024)[0]


@given(st.integers(min_value=0, max_value=10_000))
def test_fuzz_days_are_sorted_seeded_and_hold_every_event_day(seed: int) -> None:
    from conftest import REPO

    from schemas.campaign_file import load_campaign_file

    campaign = load_campaign_file(REPO / "campaigns" / "2024.toml")
    late = campaign.events.release + timedelta(days=3)
    events = (WorldEvent(date(2024, 11, 21), "report-again", "X"), WorldEvent(late, "x", "Y"))
    days = fuzz_days(campaign, events, seed)
    assert days == sorted(set(days))
    assert days == fuzz_days(campaign, events, seed)
    assert key_days(campaign) | {e.day for e in events} <= set(days)
    assert len(days) < len(season_days(campaign)) // 2


@pytest.fixture
def small_world(workspace: Path, campaign_2024: CampaignFile) -> FuzzReplay:
    """A generated 12-unit season (with PDFs) in a fresh workspace, its organisers passive."""
    generated = workspace / "generated"
    generate(campaign_2024, generated, enterprises=12, seed=5, bad_rate=0.0, workers=1)
    return FuzzReplay(Settings(), campaign_2024, generated, seed=5, organisers_react=False)


def _rows(path: Path) -> list[tuple[object, ...]]:
    book = load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def test_the_world_sends_each_event_as_its_kind_says(small_world: FuzzReplay) -> None:
    world, day = small_world, date(2024, 11, 20)
    unit = next(u for u in world.plan["units"] if u["registers_on"] and u["report_on"])
    uscc = unit["uscc"]
    same = world.send(WorldEvent(day, "report-again", uscc, "same"))
    changed = world.send(WorldEvent(day, "report-again", uscc, "changed"))
    original = (world.generated / "reports" / f"{uscc}.pdf").read_bytes()
    assert same is not None
    assert changed is not None
    assert same.read_bytes() == original
    assert changed.read_bytes().startswith(original)
    assert changed.read_bytes() != original
    assert uscc in same.name

    receipt = world.send(WorldEvent(day, "receipt-again", uscc, "changed"))
    renamed = world.send(WorldEvent(day, "name-correction", uscc, "上海更正名称有限公司"))
    assert receipt is not None
    assert renamed is not None
    headers, row = _rows(receipt)
    assert row[0] == uscc
    assert row[headers.index("联系电话")] == "021-55550000"
    assert _rows(renamed)[1][headers.index("单位名称")] == "上海更正名称有限公司"

    gone = world.plan["reviewers"][0]["email"]
    roster = world.send(WorldEvent(day, "roster-without", gone))
    assert roster == world.inbox / "review" / "reviewers.xlsx"
    emails = [r[1] for r in _rows(roster)[1:]]
    assert gone not in emails
    assert len(emails) == len(world.plan["reviewers"]) - 1
    assert world.send(WorldEvent(day, "sheet-again", gone, "same")) is None  # none returned


def test_a_day_that_raises_is_reported_and_the_season_goes_on(small_world: FuzzReplay) -> None:
    checked: list[date] = []
    days = [date(2024, 10, 2), date(2024, 10, 3), date(2024, 10, 4)]

    def clock(day: date) -> Any:
        if day == days[1]:
            raise RuntimeError("the clock broke")
        return None

    def check(day: date) -> list[str]:
        checked.append(day)
        return ["always one"] if day == days[2] else []

    small_world.clock = clock  # type: ignore[method-assign]
    found = small_world.fuzz(days, check)
    assert checked == days
    assert found == {
        days[1]: ["day-failed: 2024-10-03: RuntimeError: the clock broke"],
        days[2]: ["always one"],
    }
    assert small_world.delivered_until == days[2]


def test_the_day_after_each_filing_in_the_review_is_played(campaign_2024: CampaignFile) -> None:
    """A report filed during the review is assigned by the next day's clock, so that day is
    played (seed 95 blamed the product for the fuzz world's skipped day)."""
    review = campaign_2024.stages.review
    plan = {
        "units": [
            {"report_on": (review + timedelta(days=2)).isoformat()},
            {"info_on": (review - timedelta(days=20)).isoformat()},  # long before: not needed
            {"report_on": None},
        ]
    }
    assert follow_up_days(campaign_2024, plan) == {review + timedelta(days=3)}
    assert review + timedelta(days=3) in fuzz_days(campaign_2024, (), 95, plan)
