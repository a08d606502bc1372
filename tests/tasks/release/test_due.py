"""Whether the release has work: after every approved unit is released, a name correction makes
the clock run the release again (a re-issue is owed), and again until the re-issued certificate's
notice is in the outbox; then nothing is due."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from certificatekit import rename_unit, seed_certified
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from schemas.release_tables import MeetingDecision
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.release.certificates.issue import issue_certificates_now
from tasks.release.due import release_due
from tasks.release.mail import send_release_mail
from tasks.store import session_scope

REPO = Path(__file__).resolve().parents[3]
RELEASE_DAY, LATER = date(2025, 1, 16), date(2025, 2, 3)


@pytest.fixture
def settings(engine: Engine, database_url: str, tmp_path: Path) -> Settings:
    """Settings on the test database and a fresh workspace."""
    return Settings(
        workspace=tmp_path / "ws", database_url=database_url, campaigns_dir=REPO / "campaigns"
    )


def _due(settings: Settings, day: date) -> tuple[bool, int, int, int]:
    state = release_due.fn(settings, 2024, day)
    return (
        state.release_due,
        state.approved_unreleased,
        state.certificates_to_issue,
        state.reissue_notices_owed,
    )


def test_a_name_corrected_after_the_release_makes_the_release_due_until_told(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    seed_certified(engine, campaign_2024)
    with session_scope(engine) as session:
        session.add(
            MeetingDecision(
                campaign_year=2024,
                meeting_date=date(2024, 12, 27),
                decided_by="指导单位工作会议",
                decided_at=now_utc(),
                source="cli",
            )
        )
    assert _due(settings, RELEASE_DAY) == (True, 2, 0, 0)
    issue_certificates_now(settings, 2024, RELEASE_DAY)
    send_release_mail.fn(settings, 2024, RELEASE_DAY, "")
    assert _due(settings, RELEASE_DAY) == (False, 0, 0, 0)

    rename_unit(engine, 3, "上海更名0003集团有限公司")
    assert _due(settings, LATER) == (True, 0, 1, 0)
    issue_certificates_now(settings, 2024, LATER)
    assert _due(settings, LATER) == (True, 0, 0, 1)
    send_release_mail.fn(settings, 2024, LATER, "")
    assert _due(settings, LATER) == (False, 0, 0, 0)
