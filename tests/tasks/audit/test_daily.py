"""The clock's daily audit: the day's violations as markdown and a count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from auditkit import seed_audited_season

from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.audit.daily import audit_day
from tasks.common.campaigns import ensure_campaign
from tasks.store import make_engine, session_scope


def test_the_days_audit_words_the_violations(campaign_2024: CampaignFile, workspace: Path) -> None:
    engine = make_engine(Settings())
    seed_audited_season(engine, campaign_2024, workspace)
    engine.dispose()

    audited = audit_day.fn(Settings(), 2024, date(2025, 1, 20))

    assert audited.violations == 12
    assert audited.markdown.startswith("**2025-01-20: 核查未通过 12 项，逾期待办 0 项")


def test_a_clean_season_is_one_line(campaign_2024: CampaignFile, workspace: Path) -> None:
    engine = make_engine(Settings())
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    engine.dispose()

    audited = audit_day.fn(Settings(), 2024, date(2024, 12, 3))

    assert (audited.violations, audited.markdown.count("\n")) == (0, 0)
