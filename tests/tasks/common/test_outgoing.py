"""Tasks queue mail with the business day they run for: every row keeps it in its meta."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from mailkit import invitation
from sqlmodel import select

from notifications.headers import mailbox
from notifications.outbox import OutgoingMail
from schemas.campaign_file import CampaignFile
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.common.outgoing import enqueue
from tasks.store import make_engine, session_scope


def _mail(campaign: CampaignFile) -> OutgoingMail:
    return OutgoingMail(
        campaign_year=2024,
        to=mailbox("li@unit.example.com", "李明"),
        mail=invitation(campaign),
        subject_ref="participation:1",
        version=1,
        facts={"participation_id": 1},
    )


def test_a_queued_mail_keeps_its_business_day_facts_and_deadlines(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine = make_engine(Settings())
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        queued = enqueue(
            session, Settings(), [_mail(campaign_2024)], business_day=date(2024, 10, 10)
        )
    with session_scope(engine) as session:
        [row] = session.exec(select(OutboxMessage)).all()
    engine.dispose()

    assert queued == 1
    assert row.meta["business_day"] == "2024-10-10"
    assert row.meta["facts"] == {"participation_id": 1}
    assert row.meta["deadlines"] == ["2024-11-15"]


def test_the_business_day_is_required(campaign_2024: CampaignFile, workspace: Path) -> None:
    with pytest.raises(TypeError):
        enqueue(None, Settings(), [_mail(campaign_2024)])  # type: ignore[arg-type,call-arg]
