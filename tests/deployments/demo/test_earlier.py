"""The demo's earlier season: the year before's campaign file, half the units (the same
enterprises by USCC), the clock's key days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from deployments.demo.earlier import earlier_campaign, earlier_days, earlier_units
from deployments.demo.population import make_units
from schemas.settings import Settings

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("main", "earlier"), [(60, 30), (30, 15), (12, 10), (300, 150)])
def test_the_earlier_season_has_half_the_units_at_least_ten(main: int, earlier: int) -> None:
    assert earlier_units(main) == earlier


def test_the_earlier_units_are_the_main_seasons_first_by_uscc() -> None:
    main = make_units(60, 7, 2023)
    before = make_units(earlier_units(60), 7, 2022)

    assert [u.uscc for u in before] == [u.uscc for u in main[:30]]
    assert before[0].report_title != main[0].report_title  # each edition reports on its own year


def test_the_year_before_2024_is_the_demo_2023_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_CAMPAIGNS_DIR", str(REPO / "campaigns"))

    found = earlier_campaign(Settings(), 2024)

    assert found is not None
    assert (found.year, found.campaign.edition, found.campaign.report_year) == (2023, 12, 2022)
    assert set(found.provenance.values()) == {"assumed"}


def test_no_file_for_the_year_before_means_one_season(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CAMPAIGN_CAMPAIGNS_DIR", str(tmp_path))

    assert earlier_campaign(Settings(), 2024) is None


def test_the_key_days_run_from_mobilization_to_release(tmp_path: Path) -> None:
    campaign = earlier_campaign(Settings(campaigns_dir=REPO / "campaigns"), 2024)
    assert campaign is not None
    (tmp_path / "plan.json").write_text('{"units": []}', encoding="utf-8")

    days = earlier_days(campaign, tmp_path)

    assert days[0] == campaign.stages.mobilize == date(2023, 10, 10)
    assert campaign.events.release in days
    assert campaign.events.meeting in days
    assert len(days) < 60  # a short season: not every day from October to January
