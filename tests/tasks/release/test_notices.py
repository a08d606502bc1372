"""Release notices per certificate issue: an approved unit hears of its certificate and is
released; a released unit whose certificate is re-issued hears once per new version, with the new
PDF attached and the number it replaces named; nothing is sent twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from certificatekit import current, issues, rename_unit, seed_certified
from outboxkit import QueuedMail, with_bodies
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from notifications.outbox import key_head
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.outbox_table import OutboxMessage
from schemas.release_tables import MeetingDecision
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.release.certificates.issue import issue_certificates_now
from tasks.release.mail import send_release_mail
from tasks.release.notices import RELEASE_TEMPLATE, release_ref
from tasks.store import session_scope

REPO = Path(__file__).resolve().parents[3]
RELEASE_DAY = date(2025, 1, 16)
LATER, LATEST = date(2025, 2, 3), date(2025, 2, 10)


@pytest.fixture
def settings(engine: Engine, database_url: str, tmp_path: Path) -> Settings:
    """Settings on the test database and a fresh workspace."""
    return Settings(
        workspace=tmp_path / "ws", database_url=database_url, campaigns_dir=REPO / "campaigns"
    )


def _decided(engine: Engine) -> None:
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


def _notices(engine: Engine, participation_id: int) -> list[QueuedMail]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.template == RELEASE_TEMPLATE)
            .order_by(col(OutboxMessage.id))
        )
        ref = release_ref(participation_id)
        return with_bodies(
            session, [m for m in rows if key_head(m.idempotency_key).subject_ref == ref]
        )


def _run(settings: Settings, day: date) -> tuple[int, int, int]:
    issue_certificates_now(settings, 2024, day)
    summary = send_release_mail.fn(settings, 2024, day, "")
    return summary.released, summary.release_notices, summary.reissue_notices


def test_a_reissued_certificate_is_told_once_per_version_naming_the_number_it_replaces(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = seed_certified(engine, campaign_2024)  # units 1 and 3 approved, 2 released
    _decided(engine)

    assert _run(settings, RELEASE_DAY) == (2, 2, 0)
    first = current(engine)[ids[3]]
    rename_unit(engine, 3, "上海更名0003集团有限公司")
    assert _run(settings, LATER) == (0, 1, 1)
    assert _run(settings, LATER) == (0, 0, 0)  # once per version
    second = current(engine)[ids[3]]
    rename_unit(engine, 3, "上海再更名0003集团有限公司")
    assert _run(settings, LATEST) == (0, 1, 1)
    third = current(engine)[ids[3]]

    mine = _notices(engine, ids[3])
    assert [key_head(m.idempotency_key).version for m in mine] == ["1", "2", "3"]
    assert [m.attachments for m in mine] == [[c.stored_path] for c in (first, second, third)]
    assert first.number not in mine[0].subject
    for notice, replaced, issue in ((mine[1], first, second), (mine[2], second, third)):
        assert f"替换{replaced.number}" in notice.subject
        assert f"替换此前签发的证书{replaced.number}" in notice.body_text
        assert issue.number in notice.body_text
    assert [c.version for c in issues(engine) if c.participation_id == ids[3]] == [1, 2, 3]
    with session_scope(engine) as session:
        statuses = {p.id: p.status for p in session.exec(select(Participation))}
    assert statuses[ids[3]] == ParticipationStatus.RELEASED
