"""Migration 0012: queued mails keep their bodies when they move to outbox_body, and back."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from schemas.campaign_file import CampaignFile
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.store import alembic_config, make_engine, session_scope

ROW = {
    "campaign_year": 2024,
    "idempotency_key": "2024|invitation|u1|1|li@unit.example.com",
    "template": "invitation",
    "recipient": "li@unit.example.com",
    "subject": "邀请",
    "body_text": "正文：敬请参加",
    "body_html": "<p>正文：敬请参加</p>",
    "status": "sent",
    "attempts": 1,
    "not_before": "2024-10-10 02:00:00.000000",
    "message_id": "<m-1@example.org>",
    "created_at": "2024-10-10 02:00:00.000000",
}


def _migrate(engine: sa.Engine, to: str, *, down: bool = False) -> None:
    with engine.begin() as connection:
        cfg = alembic_config(str(engine.url))
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, to)


def _columns(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def test_bodies_move_to_outbox_body_and_back(tmp_path: Path, campaign_2024: CampaignFile) -> None:
    engine = make_engine(url=f"sqlite:///{tmp_path / 'campaign.db'}")
    try:
        _migrate(engine, "0011")
        with session_scope(engine) as session:
            ensure_campaign(session, campaign_2024, now_utc())
        names = ", ".join(ROW)
        marks = ", ".join(f":{k}" for k in ROW)
        with engine.begin() as connection:
            connection.execute(
                sa.text(f"INSERT INTO outbox_message ({names}) VALUES ({marks})"), ROW
            )

        _migrate(engine, "0012")
        assert not {"body_text", "body_html"} & _columns(engine, "outbox_message")
        with engine.connect() as connection:
            moved = connection.execute(sa.text("SELECT * FROM outbox_body")).mappings().all()
            subject = connection.execute(sa.text("SELECT subject FROM outbox_message")).scalar()
        assert [dict(r) for r in moved] == [
            {
                "outbox_id": 1,
                "body_text": ROW["body_text"],
                "body_html": ROW["body_html"],
                "alternative": None,  # queued before: encoded at delivery
            }
        ]
        assert subject == ROW["subject"]
        [fk] = sa.inspect(engine).get_foreign_keys("outbox_body")
        assert (fk["referred_table"], fk["referred_columns"]) == ("outbox_message", ["id"])

        _migrate(engine, "0011", down=True)
        assert "outbox_body" not in sa.inspect(engine).get_table_names()
        with engine.connect() as connection:
            back = connection.execute(sa.text("SELECT body_text, body_html FROM outbox_message"))
            assert back.all() == [(ROW["body_text"], ROW["body_html"])]
    finally:
        engine.dispose()
