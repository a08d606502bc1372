"""Column types shared by the tables: enums stored as VARCHAR, timestamps kept in UTC.

Enums are stored by value as VARCHAR(32) on SQLite and PostgreSQL alike (no native PostgreSQL
ENUM, which `drop_table` leaves behind and new members need `ALTER TYPE` for). Timestamps are
stored as naive UTC and always read back as timezone-aware UTC, on both databases.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class NaiveTimestamp(ValueError):
    """A timestamp without a time zone was about to be stored; `value` is the naive datetime."""

    def __init__(self, value: datetime) -> None:
        self.value = value
        super().__init__(f"naive datetime {value!r}: pass an aware datetime")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp column that accepts aware datetimes and returns them aware, in UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware timestamp as naive UTC for storage; raise NaiveTimestamp if naive."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise NaiveTimestamp(value)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite may hand back text for computed expressions
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum: type[StrEnum]) -> sa.Enum:
    """Return a VARCHAR-backed SQLAlchemy Enum storing the members' values."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def enum_column(enum: type[StrEnum], *, index: bool = False) -> sa.Column[Any]:
    """Return a fresh non-null column for an enum field (a Column cannot be shared by tables)."""
    return sa.Column(enum_type(enum), nullable=False, index=index)


def utc_column(*, nullable: bool = True, index: bool = False) -> sa.Column[Any]:
    """Return a fresh timestamp column in UTC."""
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


def now_utc() -> datetime:
    """Return the current time, aware, in UTC (technical time: sent_at, leases, created_at)."""
    return datetime.now(UTC)
