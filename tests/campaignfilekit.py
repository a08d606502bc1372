"""Where the campaign file tests (tests/schemas/test_campaign_file*.py) find the 2024 file, and the
name its errors are reported under."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]  # tests/ is beside campaigns/
FILE_2024 = REPO / "campaigns" / "2024.toml"
NAMED_2024 = Path("campaigns/2024.toml")
