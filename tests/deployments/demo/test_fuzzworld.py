"""Tests for the days the season fuzzer plays (deployments/demo/fuzzworld.py `key_days`,
`fuzz_days`): every day an invariant or a perturbation depends on is played."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from deployments.demo.fuzzworld import fuzz_days, key_days
from deployments.demo.perturb import WorldEvent
from deployments.demo.replay import season_days
from schemas.campaign_file import CampaignFile


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
