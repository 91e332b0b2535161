"""The PostgreSQL pool behaviour the restart test relies on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import text

from adapters.persistence.sql import create_sql_engine
from adapters.persistence.sql import engine as engine_module
from entrypoints.store_outage import is_store_unavailable


async def _backend_pids(engine, count: int) -> set[int]:  # type: ignore[no-untyped-def]
    """Check out `count` connections at once; their server process ids."""
    held = [await engine.connect() for _ in range(count)]
    try:
        return {(await c.execute(text("SELECT pg_backend_pid()"))).scalar_one() for c in held}
    finally:
        for connection in held:
            await connection.close()


@pytest.mark.postgres
async def test_pooled_connections_cut_by_the_server_are_replaced_without_a_failed_call(
    make_postgres_database: Callable[[], str],
) -> None:
    url = make_postgres_database()
    engine, admin = create_sql_engine(url), create_sql_engine(url)
    try:
        pooled = await _backend_pids(engine, 3)
        async with admin.connect() as connection:
            # What a restart or an idle-killing proxy does to every pooled connection.
            await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:p AS int[])) AS pid"),
                {"p": sorted(pooled)},
            )
        await asyncio.sleep(0.2)  # the loop sees the sockets close
        after = await _backend_pids(engine, 3)  # raises if a dead connection were handed out
        assert not pooled & after
    finally:
        await engine.dispose()
        await admin.dispose()


@pytest.mark.postgres
async def test_only_a_connection_idle_past_the_ping_age_is_pinged_and_a_failed_ping_replaces_it(
    make_postgres_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

    pings: list[bool] = []
    dead = {"now": False}

    def ping(self: AsyncAdapt_asyncpg_connection) -> None:
        pings.append(True)
        if dead["now"]:  # as if the server had vanished without closing the socket
            raise ConnectionResetError("no answer")

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", ping)
    engine = create_sql_engine(make_postgres_database())
    try:
        (pid,) = await _backend_pids(engine, 1)
        assert await _backend_pids(engine, 1) == {pid}
        assert pings == []  # recently used: no round trip spent on checking it

        monkeypatch.setattr(engine_module, "PING_WHEN_IDLE_S", 0.0)
        assert await _backend_pids(engine, 1) == {pid}
        assert pings == [True]  # idle long enough: pinged, alive, kept

        dead["now"] = True
        (replacement,) = await _backend_pids(engine, 1)  # no error reaches the caller
        assert replacement != pid
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
