"""The 2024 campaign file as raw TOML data and as a model, once a module (tests/campaignfilekit.py
names the file)."""

import tomllib
from typing import Any

import pytest
from campaignfilekit import FILE_2024

from schemas.campaign_file import CampaignFile, load_campaign_file


@pytest.fixture(scope="module")
def data_2024() -> dict[str, Any]:
    return tomllib.loads(FILE_2024.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cf() -> CampaignFile:
    return load_campaign_file(FILE_2024)
