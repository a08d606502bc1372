"""The demo's short earlier season: the year before the main one, played first in the same
workspace and database, so units have reports in two editions.

It is the campaign file of the year before (campaigns/<year - 1>.toml; the demo plays one
season when there is none), with half the main season's units (at least MIN_UNITS). The
generator keys each unit by seed and index, so with the same seed the earlier season's units
are the first units of the main season: the same enterprises by USCC, with their earlier
report. Only the clock's key days are played (the season fuzzer's choice: stage starts,
deadlines and the days after, window closings, the chair's, meeting and release days, and the
day after each filing in the review); what the world sends on other days is delivered before
the next played day. The release day's clock releases the season as in the main one: its
certificates, its catalogue (release/<year>/catalogue) and its search index. A demo tool:
product code never imports it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from schemas.campaign_file import CampaignFile, load_campaign_file

if TYPE_CHECKING:
    from schemas.settings import Settings

MIN_UNITS = 10
SHARE = 2  # the earlier season has half the main season's units


def earlier_campaign(settings: Settings, year: int) -> CampaignFile | None:
    """Return the campaign file of the year before `year`, or None when there is none."""
    path = settings.campaign_file(year - 1)
    return load_campaign_file(path) if path.is_file() else None


def earlier_units(enterprises: int) -> int:
    """Return how many units the earlier season has: half, at least MIN_UNITS. Pure."""
    return max(MIN_UNITS, enterprises // SHARE)


def earlier_days(campaign: CampaignFile, generated: Path) -> list[date]:
    """Return the days the earlier season's clock runs, in order (see the module docstring)."""
    from deployments.demo.fuzzworld import follow_up_days, key_days  # the fuzzer's key days

    plan = json.loads((generated / "plan.json").read_text(encoding="utf-8"))
    return sorted(key_days(campaign) | follow_up_days(campaign, plan))
