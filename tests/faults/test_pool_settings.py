"""The PostgreSQL pool settings the restart test relies on (checked without a database)."""

from __future__ import annotations

from adapters.persistence.sql import create_sql_engine
from entrypoints.store_outage import is_store_unavailable


async def test_postgres_connections_are_pinged_before_use() -> None:
    engine = create_sql_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        # A connection cut by a restart is replaced at checkout instead of failing a call.
        assert engine.pool._pre_ping is True  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_refused_connection_is_told_apart_from_a_bug() -> None:
    engine = create_sql_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        async with engine.connect():
            raise AssertionError("port 9 is not PostgreSQL")
    except Exception as error:
        assert is_store_unavailable(error), repr(error)
    finally:
        await engine.dispose()
    assert not is_store_unavailable(ValueError("a bug"))
    assert not is_store_unavailable(KeyError("x"))
