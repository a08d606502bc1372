"""The score sheet tests' criteria: the 2024 review guide's six."""

from __future__ import annotations

import pytest

from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Criterion


@pytest.fixture
def criteria(campaign_2024: CampaignFile) -> tuple[Criterion, ...]:
    """The six criteria of the 2024 review guide (0-100 each)."""
    return tuple(campaign_2024.review.criteria)
