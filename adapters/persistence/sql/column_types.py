"""Column types shared by the tables and the migrations, identical on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = ["JsonDocument", "SortableText", "UtcDateTime"]


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC datetime in, an aware UTC datetime out, on every backend.

    SQLite has no time zones: values are stored as naive UTC text (which sorts correctly) and
    marked UTC again on the way out. PostgreSQL keeps `timestamptz`.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive value would silently mean "server local time" on PostgreSQL.
            raise ValueError("datetimes stored must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        # The text SQLite's DATETIME makes of process_bind_param's value, in one step: about a
        # third of the CPU (it was over half of preparing a request log row for the driver).
        return _naive_utc_text

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_SQLITE_DATETIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
"""SQLAlchemy's storage format for SQLite DATETIME (naive, microseconds always written)."""


def _naive_utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetimes stored must be timezone-aware")
    utc = value.astimezone(UTC)
    return _SQLITE_DATETIME % (
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
        utc.microsecond,
    )


# Plain JSON, not JSONB, on PostgreSQL as well: JSONB reorders object keys (by length, then
# bytes), and key order is meaningful here -- the order of `inputSchema.properties` is the order
# MCP clients show a tool's arguments in, and the raw document's order is the user's. The columns
# are never queried by content, and storing JSON text is also cheaper for 10 MB documents.
# Switching to JSONB is this one line, but the key-order contract test would then fail.
JsonDocument: sa.types.TypeEngine[Any] = sa.JSON(none_as_null=True)

# Ids and tool names are ordered on; collation "C" makes PostgreSQL order them by code point,
# exactly like SQLite's BINARY collation and Python's `sorted` in the memory adapter.
SortableText: sa.types.TypeEngine[str] = sa.Text().with_variant(
    sa.Text(collation="C"), "postgresql"
)
