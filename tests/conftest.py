"""Shared fixtures: isolated Prefect home, one Prefect test harness per session, databases.

Prefect settings are set here before prefect is imported anywhere, so no test writes to the
user's ~/.prefect. Database tests run on SQLite, and also on PostgreSQL when
CAMPAIGN_TEST_POSTGRES_URL is set. The schema is migrated once per session, never per test: a
SQLite test gets a copy of a migrated template file (~1 ms instead of a 0.2-0.45 s migration), a
PostgreSQL test gets the session's migrated scratch schema with every table emptied and its ids
restarted (TRUNCATE), the schema dropped at the end of the session. A test's engines are disposed
after it (the product keeps one engine per database per process).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

_PREFECT_HOME = tempfile.mkdtemp(prefix="csr-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(Path(_PREFECT_HOME) / "storage"))

from deployments.environment import SERVER_BATCHING  # noqa: E402  (imports no prefect)

# The test harness's server records task runs in batches, as the servers the product starts do:
# fewer "database is locked" retries on its SQLite database.
for _name, _value in SERVER_BATCHING.items():
    os.environ.setdefault(_name, _value)

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from schemas.campaign_file import CampaignFile, load_campaign_file  # noqa: E402
from tasks.store import dispose_engines, make_engine, metadata, upgrade_database  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# No timing in tests: a property holds or not, however busy the machine (a 200 ms deadline failed
# a 3 ms example that took 414 ms while two test workers and other sessions shared two cores).
hypothesis_settings.register_profile("campaign", deadline=None)
hypothesis_settings.load_profile("campaign")
POSTGRES_URL = os.environ.get("CAMPAIGN_TEST_POSTGRES_URL", "")


def _uses_harness(item: pytest.Item) -> bool:
    """Return whether a test uses the session's Prefect test harness."""
    return "prefect_harness" in getattr(item, "fixturenames", ())


def _start_order(item: pytest.Item) -> int:
    """Return when a test starts: harness tests first, then other flow tests, then the rest."""
    if _uses_harness(item):
        return 0
    return 1 if item.get_closest_marker("flow") else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the Prefect harness as a flow test (make test-fast skips it);
    start the flow tests first, the harness tests in front.

    The flow tests are the long ones (a season replay, a fuzzed season, real Prefect servers).
    With `--dist worksteal` (pyproject's addopts) the first worker takes the first half of
    this order and the other worker takes work from the end of its queue when it runs out:
    so the harness tests (about a third of the suite's time) all run on one worker, which
    starts the only harness of the run, and both workers end on short tests at the same time.
    The order within each group is the collection order (module fixtures stay shared).
    """
    for item in items:
        if _uses_harness(item):
            item.add_marker(pytest.mark.flow)
    items.sort(key=_start_order)  # stable


@pytest.fixture(scope="session")
def campaign_2024() -> CampaignFile:
    """The real 2024 campaign file."""
    return load_campaign_file(REPO / "campaigns" / "2024.toml")


def _database_params() -> list[object]:
    params: list[object] = ["sqlite"]
    params.append(
        pytest.param("postgres", marks=pytest.mark.postgres)
        if POSTGRES_URL
        else pytest.param(
            "postgres",
            marks=pytest.mark.skip(reason="CAMPAIGN_TEST_POSTGRES_URL is not set"),
        )
    )
    return params


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite campaign database, made once per session: tests copy it."""
    path = tmp_path_factory.mktemp("template") / "campaign.db"
    engine = make_engine(url=f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


def copy_sqlite_template(template: Path, target: Path) -> str:
    """Copy the migrated template to `target` (a new file) and return its URL."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """The session's scratch schema on PostgreSQL, migrated once; its URL. Dropped at the end."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url=url)
    upgrade_database(engine)
    engine.dispose()
    try:
        yield url
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _empty_postgres_tables(url: str) -> None:
    """Empty every product table of the scratch schema and restart its ids (not alembic's)."""
    tables = ", ".join(f'"{t.name}"' for t in metadata().sorted_tables)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


@pytest.fixture(params=_database_params())
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or the session's schema on PostgreSQL."""
    if request.param == "sqlite":
        yield copy_sqlite_template(sqlite_template, tmp_path / "campaign.db")
        return
    url = request.getfixturevalue("postgres_schema")
    _empty_postgres_tables(url)
    yield url


@pytest.fixture(autouse=True)
def _dispose_engines_after_test() -> Iterator[None]:
    """Close the connections of the engines a test's code built (one per database)."""
    yield
    dispose_engines()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    eng = make_engine(url=database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness (temporary server) for every flow test of the session.

    Flow runs started here have no heartbeat, as with the CLI and the demo (`in_process_runs`):
    Prefect 3.9 ends a flow run by joining its heartbeat thread, which sleeps in whole seconds.
    The harness's server does not store the events it receives (no test reads them): its
    event writer held the SQLite database when a flow run was created, the server answered
    503 (database is locked) and the client waited ~2 s before trying again, two to four
    times per season replay. Task runs are still recorded from those events.
    """
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    from deployments.environment import in_process_runs  # imports prefect when called

    with (
        temporary_settings(updates={"server.services.event_persister.enabled": False}),
        prefect_test_harness(server_startup_timeout=120),
        in_process_runs(),
    ):
        yield


@pytest.fixture
def empty_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace folder with no campaign database, set in the environment (read-only tests)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(empty))
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    return empty


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path) -> Path:
    """A fresh workspace with a migrated, empty database and the settings in the environment.

    As a flow reads them; flows check the schema, they do not migrate.
    """
    ws = tmp_path / "workspace"
    ws.mkdir()
    copy_sqlite_template(sqlite_template, ws / "campaign.db")
    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(ws))
    monkeypatch.setenv("CAMPAIGN_CAMPAIGNS_DIR", str(REPO / "campaigns"))
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    return ws
