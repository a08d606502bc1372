"""Tests for schemas/sqltypes.py: timestamps are stored as UTC and a naive one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from schemas.sqltypes import NaiveTimestamp, UTCDateTime

SHANGHAI = timezone(timedelta(hours=8))


def _table() -> tuple[sa.Engine, sa.Table]:
    """Return an in-memory SQLite engine holding one table with a UTCDateTime column."""
    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    table = sa.Table("stamps", metadata, sa.Column("at", UTCDateTime(), nullable=True))
    metadata.create_all(engine)
    return engine, table


def test_an_aware_timestamp_is_stored_as_utc_and_read_back_aware() -> None:
    engine, table = _table()
    with engine.begin() as connection:
        connection.execute(
            sa.insert(table).values(at=datetime(2024, 11, 15, 17, 0, tzinfo=SHANGHAI))
        )
        stored = connection.execute(sa.select(table.c.at)).scalar_one()

    assert stored == datetime(2024, 11, 15, 9, 0, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_a_naive_timestamp_is_refused_with_the_value() -> None:
    naive = datetime(2024, 11, 15, 17, 0)  # noqa: DTZ001 - the value under test

    with pytest.raises(NaiveTimestamp, match="pass an aware datetime") as info:
        UTCDateTime().process_bind_param(naive, sa.create_engine("sqlite://").dialect)

    assert info.value.value == naive
    assert str(info.value) == f"naive datetime {naive!r}: pass an aware datetime"
    assert isinstance(info.value, ValueError)


def test_a_naive_timestamp_never_reaches_the_database() -> None:
    engine, table = _table()
    naive = datetime(2024, 11, 15, 17, 0)  # noqa: DTZ001 - the value under test

    with engine.begin() as connection, pytest.raises(sa.exc.StatementError) as info:
        connection.execute(sa.insert(table).values(at=naive))

    assert isinstance(info.value.orig, NaiveTimestamp)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
