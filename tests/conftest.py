"""Shared fixtures: isolated Prefect home, one Prefect test harness per session, databases.

Prefect settings are set here before prefect is imported anywhere, so no test writes to the
user's ~/.prefect. Database tests run on SQLite, and also on PostgreSQL when
CAMPAIGN_TEST_POSTGRES_URL is set (each test in its own scratch schema, dropped afterwards).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

_PREFECT_HOME = tempfile.mkdtemp(prefix="csr-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(Path(_PREFECT_HOME) / "storage"))

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from schemas.campaign_file import CampaignFile, load_campaign_file  # noqa: E402
from tasks.store import make_engine, upgrade_database  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("CAMPAIGN_TEST_POSTGRES_URL", "")


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


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a scratch schema on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'campaign.db'}"
        engine = make_engine(url=url)
        upgrade_database(engine)
        engine.dispose()
        yield url
        return
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
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    eng = make_engine(url=database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness (temporary server) for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh workspace and campaign settings in the environment, as a flow reads them."""
    ws = tmp_path / "workspace"
    ws.mkdir()
    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(ws))
    monkeypatch.setenv("CAMPAIGN_CAMPAIGNS_DIR", str(REPO / "campaigns"))
    monkeypatch.delenv("CAMPAIGN_DATABASE_URL", raising=False)
    return ws
