"""The PDF pre-screen tests' rules and test files (tests/screenkit.py), made once a module."""

from __future__ import annotations

from pathlib import Path

import pytest
from screenkit import write_test_files

from schemas.campaign_file import CampaignFile
from schemas.screening import ScreenRules, rules_from_campaign


@pytest.fixture(scope="module")
def rules(campaign_2024: CampaignFile) -> ScreenRules:
    """The 2024 campaign's screen rules."""
    return rules_from_campaign(campaign_2024)


@pytest.fixture(scope="module")
def files(campaign_2024: CampaignFile, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every test file (screenkit.write_test_files), written once for the module."""
    return write_test_files(campaign_2024, tmp_path_factory.mktemp("reports"))
