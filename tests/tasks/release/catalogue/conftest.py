"""The catalogue's browser tests share one Chromium (installed when missing and root); the search
tests share a fixture catalogue of two seasons built from real report PDFs (tests/sitekit.py)."""

from __future__ import annotations

import pytest
from browserkit import chromium_binary
from sitekit import FixtureSite, build_fixture

from schemas.campaign_file import CampaignFile


@pytest.fixture(scope="session")
def chromium() -> str:
    """The chromium binary (the test is skipped with the reason when there is none)."""
    return chromium_binary()


@pytest.fixture(scope="module")
def two_seasons(
    campaign_2024: CampaignFile, tmp_path_factory: pytest.TempPathFactory
) -> FixtureSite:
    """The fixture catalogue of two seasons and its site over both years (built once a module)."""
    return build_fixture(campaign_2024, tmp_path_factory.mktemp("two-seasons"))
