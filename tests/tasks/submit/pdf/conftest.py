"""The PDF pre-screen tests' rules (once a module) and test files (tests/screenkit.py, once)."""

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


@pytest.fixture(scope="package")
def files(campaign_2024: CampaignFile, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every test file (screenkit.write_test_files), written once for the package.

    Shared by test_screen.py and test_screen_faults.py: no test or screen writes to them (a test
    that needs a changed file copies one into its own tmp_path).
    """
    return write_test_files(campaign_2024, tmp_path_factory.mktemp("reports"))
