"""The campaign database: engine from settings, short transactions, schema upgrades, bulk writes.

`make_engine` is the one switch between SQLite (default, a file in the workspace, WAL, busy
timeout, every transaction `BEGIN IMMEDIATE`) and PostgreSQL (by URL). Nothing opens an engine
at import time: a process builds one engine per database the first time it needs it (at its entry
point: the CLI, `serve`, a flow's first task) and reuses it for every transaction
(`campaign_engine`, `campaign_session`); a new engine per transaction cost ~17 ms on SQLite and a
new pool and connection on PostgreSQL. Schema changes go through Alembic (tasks/migrations) and
are applied only by `campaign db upgrade`, `serve` and the demo at start (`upgrade_database`);
flows check the revision (`check_schema`) and stop with a clear message when it is behind, so
several workers starting after a deploy never race on an upgrade.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import schemas.case_excerpt_tables
import schemas.outbox_table
import schemas.release_tables
import schemas.review_tables
import schemas.search_tables
import schemas.tables
import schemas.training_tables
from schemas.settings import Settings

BULK_CHUNK = 1000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
Ts = TypeVarTuple("Ts")

_ = (
    schemas.case_excerpt_tables,
    schemas.outbox_table,
    schemas.release_tables,
    schemas.review_tables,
    schemas.training_tables,
)  # other tables


def make_engine(settings: Settings | None = None, *, url: str | None = None) -> Engine:
    """Create an engine for the settings' database (or `url`); SQLite files get their folder."""
    target = url or (settings or Settings()).effective_database_url
    sa_url = sa.make_url(target)
    if sa_url.get_backend_name() != "sqlite":
        return sa.create_engine(target, pool_pre_ping=True, hide_parameters=True)
    if sa_url.database and sa_url.database != ":memory:":
        Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        target,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,  # parameters hold contacts and mail bodies: keep them out of errors
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """Apply WAL, busy timeout, foreign keys and BEGIN IMMEDIATE (SQLAlchemy's pysqlite recipe)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Open a session for one transaction: commit on success, roll back on error, always close.

    Rows stay readable after the block (expire_on_commit=False).
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Return the Alembic configuration for the product's migrations against `url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@functools.cache
def head_revisions() -> frozenset[str]:
    """Return the newest migration revision(s) of tasks/migrations (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


class SchemaNotCurrent(RuntimeError):
    """The campaign database's schema is not the one this code was written for."""

    def __init__(self, database: str, found: frozenset[str], wanted: frozenset[str]) -> None:
        self.database, self.found, self.wanted = database, found, wanted
        have = f"is at revision {', '.join(sorted(found))}" if found else "has no schema yet"
        super().__init__(
            f"the campaign database {database} {have}, this code needs revision "
            f"{', '.join(sorted(wanted))}: run `campaign db upgrade` first "
            "(数据库结构不是最新版本，请先运行 campaign db upgrade)"
        )


def schema_revisions(engine: Engine) -> frozenset[str]:
    """Return the migration revision(s) the database is at (empty when it has no schema). Reads."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def check_schema(engine: Engine) -> None:
    """Raise SchemaNotCurrent unless the database is at the newest migration. Reads only."""
    found = schema_revisions(engine)
    if found != head_revisions():
        raise SchemaNotCurrent(
            engine.url.render_as_string(hide_password=True), found, head_revisions()
        )


def upgrade_database(engine: Engine) -> None:
    """Bring the database schema to the newest migration (creates it when empty).

    A database already at the newest revision is left alone after one query: the clock and
    every stage flow check the schema first, and Alembic's full upgrade command costs ~13 ms
    even when there is nothing to do.
    """
    with engine.begin() as connection:
        if (
            frozenset(MigrationContext.configure(connection).get_current_heads())
            == head_revisions()
        ):
            return
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def fetch_columns(session: Session, statement: sa.Select[*Ts]) -> Sequence[sa.Row[*Ts]]:
    """Return the rows of a select of plain columns, read after the session's pending writes.

    For reads that touch every unit: a plain row costs ~1/10 of an ORM entity. Through the
    session's connection, which takes selects of any width (sqlmodel's typed `select` stops at
    4 columns) but does not autoflush, so the session is flushed first.
    """
    session.flush()
    return session.connection().execute(statement).all()


def bulk_insert(session: Session, rows: Sequence[SQLModel]) -> None:
    """Add many new rows in chunks and flush, so ids are assigned without one round trip each."""
    for start in range(0, len(rows), BULK_CHUNK):
        session.add_all(rows[start : start + BULK_CHUNK])
        session.flush()


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, other: object
) -> bool:
    """Return whether alembic compares a database object with the models: every one but the
    full-text index migration 0010 made outside them (schemas/search_tables.py). Pure."""
    return not schemas.search_tables.is_search_index(name)


def metadata() -> sa.MetaData:
    """Return the metadata of every product table (for migrations and drift checks)."""
    return SQLModel.metadata


class _ProcessEngines:
    """This process's engines, one per database URL, built on first use and reused.

    A forked child never reuses its parent's pooled connections: the engines are forgotten
    (not disposed, which would close the parent's sockets) when the process id changes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._engines: dict[str, Engine] = {}

    def get(self, url: str) -> Engine:
        """Return the engine for `url`, building it the first time this process asks."""
        with self._lock:
            if self._pid != os.getpid():
                self._pid, self._engines = os.getpid(), {}
            engine = self._engines.get(url)
            if engine is None:
                engine = self._engines[url] = make_engine(url=url)
            return engine

    def dispose(self) -> None:
        """Close every engine's pooled connections and forget the engines."""
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.dispose()


_ENGINES = _ProcessEngines()


def campaign_engine(settings: Settings) -> Engine:
    """Return this process's engine for the settings' database (built once, then reused)."""
    return _ENGINES.get(settings.effective_database_url)


def dispose_engines() -> None:
    """Close the pooled connections of every engine this process built (at exit, in tests)."""
    _ENGINES.dispose()


@contextmanager
def campaign_session(settings: Settings) -> Iterator[Session]:
    """Open one transaction on the settings' database, on this process's engine."""
    with session_scope(campaign_engine(settings)) as session:
        yield session
