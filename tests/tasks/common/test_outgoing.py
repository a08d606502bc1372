"""Tasks queue mail with the business day they run for: every row keeps it in its meta."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from mailkit import invitation
from sqlmodel import select

from notifications.headers import mailbox
from notifications.message_size import SizeRefusal
from notifications.outbox import OutgoingMail
from schemas.campaign_file import CampaignFile
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.common.outgoing import enqueue, refused_rows
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


def test_a_mail_over_the_size_cap_is_not_queued_and_is_reported_without_its_recipient(
    campaign_2024: CampaignFile,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CAMPAIGN_MAIL_MAX_MESSAGE_BYTES", "200000")
    (workspace / "sheet-big.xlsx").write_bytes(b"\0" * 300_000)
    big = _mail(campaign_2024).model_copy(
        update={"attachments": ("sheet-big.xlsx",), "version": 2, "subject_ref": "participation:2"}
    )
    engine = make_engine(Settings())
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        queued = enqueue(
            session, Settings(), [_mail(campaign_2024), big], business_day=date(2024, 10, 10)
        )
    with session_scope(engine) as session:
        keys = [r.idempotency_key for r in session.exec(select(OutboxMessage)).all()]
    engine.dispose()

    assert queued == 1
    assert keys == ["2024|invitation|participation:1|1|li@unit.example.com"]
    [warning] = [r for r in caplog.records if r.name == "tasks.common.outgoing"]
    assert warning.levelname == "WARNING"
    assert warning.getMessage().startswith(
        "invitation participation:2: 邮件过大：含附件 sheet-big.xlsx，发送时约 0.4 MB，"
        "超过上限 0.2 MB"
    )
    assert "li@unit.example.com" not in warning.getMessage()


def test_the_refused_table_names_record_files_and_sizes() -> None:
    refusal = SizeRefusal(
        template="release_notice",
        subject_ref="participation:7",
        files=("c.pdf",),
        estimated_bytes=12_345_678,
        limit_bytes=10_000_000,
    )

    [row] = refused_rows([refusal])

    assert {k: row[k] for k in ("code", "template", "record", "files", "size", "limit")} == {
        "code": "mail-too-large",
        "template": "release_notice",
        "record": "participation:7",
        "files": "c.pdf",
        "size": "12.3 MB",
        "limit": "10.0 MB",
    }
    assert row["reason_zh"] == refusal.reason_zh


@pytest.mark.usefixtures("prefect_harness")
def test_inside_a_run_the_refusal_is_published_as_the_mail_refused_artifact(
    campaign_2024: CampaignFile, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from artifactkit import artifact_table
    from prefect import flow

    monkeypatch.setenv("CAMPAIGN_MAIL_MAX_MESSAGE_BYTES", "200000")
    (workspace / "sheet-big.xlsx").write_bytes(b"\0" * 300_000)
    big = _mail(campaign_2024).model_copy(update={"attachments": ("sheet-big.xlsx",)})

    @flow(name="queue-a-mail-too-large")
    def queue_big() -> int:
        settings = Settings()
        with session_scope(make_engine(settings)) as session:
            ensure_campaign(session, campaign_2024, now_utc())
            return enqueue(session, settings, [big], business_day=date(2024, 10, 10))

    state = queue_big(return_state=True)
    rows, description = artifact_table("mail-refused", flow_run=state.state_details.flow_run_id)

    assert state.result() == 0
    assert [(r["template"], r["record"], r["files"], r["limit"]) for r in rows] == [
        ("invitation", "participation:1", "sheet-big.xlsx", "0.2 MB")
    ]
    assert "li@unit.example.com" not in str(rows)
    assert description.startswith("**邮件过大未发送 / mail too large, not queued**: 1 mails")
