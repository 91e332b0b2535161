"""UtcDateTime on SQLite: its one-step bind processor writes exactly SQLAlchemy's text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from adapters.persistence.sql.column_types import UtcDateTime

DIALECT = sqlite.dialect()
FAST = UtcDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
# What SQLAlchemy does without the override: process_bind_param, then SQLite DATETIME's text.
GENERIC = sa.types.TypeDecorator.bind_processor(UtcDateTime().dialect_impl(DIALECT), DIALECT)


@pytest.mark.parametrize(
    "value",
    [
        None,
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2026, 6, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_the_sqlite_text_is_sqlalchemys(value: datetime | None) -> None:
    assert FAST is not None and GENERIC is not None
    assert FAST(value) == GENERIC(value)


def test_naive_datetimes_are_refused() -> None:
    assert FAST is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        FAST(datetime(2026, 3, 1))
