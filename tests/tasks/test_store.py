"""The database layer: migrations match the models, timestamps stay UTC, transitions are saved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import select

from schemas.enums import ParticipationStatus, UnitKind
from schemas.participation import IllegalTransition, transition
from schemas.tables import Campaign, Participation, StageTransition, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.store import bulk_insert, include_object, metadata, session_scope

NOW = datetime(2024, 10, 10, 2, 0, tzinfo=UTC)


def test_migrations_leave_no_drift_from_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata())

    assert diff == []


def test_timestamps_come_back_aware_in_utc(engine: Engine, campaign_2024) -> None:
    shanghai = timezone(timedelta(hours=8))
    with session_scope(engine) as session:
        row = ensure_campaign(
            session, campaign_2024, datetime(2024, 10, 10, 10, 0, tzinfo=shanghai)
        )
        row.stage_changed_at = datetime(2024, 10, 10, 10, 0, tzinfo=shanghai)

    with session_scope(engine) as session:
        stored = session.get(Campaign, 2024)
        assert stored is not None
        assert stored.stage_changed_at == datetime(2024, 10, 10, 2, 0, tzinfo=UTC)
        assert stored.stage_changed_at.tzinfo is not None


def test_a_transition_and_its_audit_row_commit_together(engine: Engine, campaign_2024) -> None:
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, NOW)
        unit = Unit(uscc="91310115MA1K3YJ12X", name="上海测试有限公司", kind=UnitKind.ENTERPRISE)
        bulk_insert(session, [unit])
        assert unit.id is not None
        p = Participation(
            campaign_year=2024,
            unit_id=unit.id,
            status=ParticipationStatus.RECOMMENDED,
            status_changed_at=NOW,
            created_on=date(2024, 10, 10),
        )
        bulk_insert(session, [p])
        session.add(transition(p, ParticipationStatus.REGISTERED, actor="test", at=NOW))

    with session_scope(engine) as session:
        [stored] = session.exec(select(Participation)).all()
        [audit] = session.exec(select(StageTransition)).all()
        with pytest.raises(IllegalTransition, match="cannot move from registered to released"):
            transition(stored, ParticipationStatus.RELEASED, actor="test", at=NOW)

    assert stored.status == ParticipationStatus.REGISTERED
    assert (audit.from_status, audit.to_status, audit.actor, audit.participation_id) == (
        ParticipationStatus.RECOMMENDED,
        ParticipationStatus.REGISTERED,
        "test",
        stored.id,
    )


def test_upgrade_creates_the_schema_and_brings_an_older_one_to_the_newest(tmp_path) -> None:
    from alembic import command

    from tasks.store import alembic_config, head_revisions, make_engine, upgrade_database

    engine = make_engine(url=f"sqlite:///{tmp_path / 'campaign.db'}")

    def revisions() -> set[str]:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())

    try:
        upgrade_database(engine)
        assert revisions() == set(head_revisions())
        upgrade_database(engine)  # already the newest: left alone
        assert revisions() == set(head_revisions())

        with engine.begin() as connection:
            cfg = alembic_config(str(engine.url))
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "-1")
        assert revisions() != set(head_revisions())
        upgrade_database(engine)
        assert revisions() == set(head_revisions())
    finally:
        engine.dispose()


def _older_schema(url: str) -> None:
    """Migrate a database to the newest revision, then one step back."""
    from alembic import command

    from tasks.store import alembic_config, make_engine, upgrade_database

    engine = make_engine(url=url)
    try:
        upgrade_database(engine)
        with engine.begin() as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "-1")
    finally:
        engine.dispose()


def test_check_schema_tells_the_operator_to_upgrade_and_never_migrates(tmp_path) -> None:
    from tasks.store import SchemaNotCurrent, check_schema, head_revisions, make_engine
    from tasks.store import schema_revisions as revisions

    empty = make_engine(url=f"sqlite:///{tmp_path / 'empty.db'}")
    older_url = f"sqlite:///{tmp_path / 'older.db'}"
    _older_schema(older_url)
    older = make_engine(url=older_url)
    try:
        with pytest.raises(SchemaNotCurrent, match=r"no schema yet.*run `campaign db upgrade`"):
            check_schema(empty)
        before = revisions(older)
        with pytest.raises(SchemaNotCurrent, match="run `campaign db upgrade`") as caught:
            check_schema(older)

        assert (revisions(empty), revisions(older)) == (frozenset(), before)
        assert (caught.value.found, caught.value.wanted) == (before, head_revisions())
        assert before != head_revisions()
    finally:
        empty.dispose()
        older.dispose()


def test_a_flow_on_a_database_behind_the_code_stops_before_writing(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemas.settings import Settings
    from tasks.common.campaigns import prepare_campaign
    from tasks.store import SchemaNotCurrent, make_engine, schema_revisions

    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", f"sqlite:///{tmp_path / 'campaign.db'}")
    _older_schema(f"sqlite:///{tmp_path / 'campaign.db'}")
    engine = make_engine(url=f"sqlite:///{tmp_path / 'campaign.db'}")
    before = schema_revisions(engine)

    with pytest.raises(SchemaNotCurrent, match="campaign db upgrade"):
        prepare_campaign.fn(Settings(), 2024)

    assert schema_revisions(engine) == before
    engine.dispose()


def test_a_process_reuses_one_engine_per_database(
    tmp_path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    from schemas.settings import Settings
    from tasks.store import campaign_engine, campaign_session, dispose_engines

    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", database_url)
    other = Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}")
    first = campaign_engine(Settings())
    with campaign_session(Settings()) as session:
        assert session.get_bind() is first
    with campaign_session(Settings()) as session:
        assert session.get_bind() is first

    assert campaign_engine(Settings()) is first
    assert campaign_engine(other) is not first
    monkeypatch.setattr("os.getpid", lambda: -1)  # as a forked child would see it
    assert campaign_engine(Settings()) is not first  # never the parent's pooled connections
    dispose_engines()
