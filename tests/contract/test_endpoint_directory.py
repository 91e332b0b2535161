"""The per-call endpoint lookup returns exactly the stored server, on every SQL path it takes.

`sqlite-inline` and `postgres-pool` are what `specmcp serve` runs on its embedded database and
on PostgreSQL: the statement on the driver, its row through the column types by hand
(`DriverColumns`); `sqlite` and `postgres` go through the engine. All must give the Server the
repository stored, field for field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import text

from adapters.persistence.sql import SqlUnitOfWorkFactory, create_sql_engine
from adapters.persistence.sql.endpoint_directory import SqlEndpointDirectory
from adapters.persistence.sql.inline_sqlite import InlineSqlite
from adapters.persistence.sql.postgres_driver_pool import PostgresDriverPool
from application.usecases.endpoint_catalog import EndpointCatalog
from tests.contract.conftest import migrated_sql_url
from tests.contract.test_repositories import NESTED, T0, seed, server


@pytest.fixture(
    params=[
        "sqlite-inline",
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("postgres-pool", marks=pytest.mark.postgres),
    ]
)
async def stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[SqlUnitOfWorkFactory, SqlEndpointDirectory]]:
    url = migrated_sql_url(request, tmp_path, request.param)
    engine = create_sql_engine(url)
    inline = InlineSqlite.for_url(url) if request.param == "sqlite-inline" else None
    pool = PostgresDriverPool.for_url(url) if request.param == "postgres-pool" else None
    try:
        async with engine.begin() as connection:
            for table in ("tools", "servers", "specs", "users"):
                await connection.execute(text(f"DELETE FROM {table}"))
        yield SqlUnitOfWorkFactory(engine), SqlEndpointDirectory(engine, inline, pool)
    finally:
        if inline is not None:
            inline.dispose()
        if pool is not None:
            await pool.close()
        await engine.dispose()


async def test_the_lookup_returns_the_stored_server_field_for_field(stores: Any) -> None:
    factory, directory = stores
    await seed(factory, servers=0)
    stored = server(
        auth_mode="oauth2",
        auth_config={"tokenUrl": "https://auth.example.com/t", "scopes": ["a", "b"], "x": NESTED},
        is_active=False,
        rate_limit_per_minute=7,
        updated_at=T0 + timedelta(hours=3),
    )
    async with factory() as uow:
        await uow.servers.add(stored)
        await uow.commit()
    found = await directory.server_for_endpoint(stored.endpoint_id)
    assert found == stored
    assert msgspec.json.encode(found) == msgspec.json.encode(stored)  # key order of the JSON too
    assert found is not None and found.created_at.tzinfo is not None
    assert await directory.server_for_endpoint("ep-unknown") is None


async def test_a_change_is_seen_by_the_next_lookup(stores: Any) -> None:
    factory, directory = stores
    await seed(factory)
    before = await directory.server_for_endpoint("ep-srv_1")
    assert before is not None and before.is_active
    async with factory() as uow:
        current = await uow.servers.get("user_1", "srv_1")
        assert current is not None
        await uow.servers.update(msgspec.structs.replace(current, is_active=False))
        await uow.commit()
    after = await directory.server_for_endpoint("ep-srv_1")
    assert after is not None and not after.is_active and after.revision > before.revision


async def test_the_revision_lookup_follows_the_row(stores: Any) -> None:
    factory, directory = stores
    await seed(factory)
    before = await directory.server_for_endpoint("ep-srv_1")
    assert before is not None
    assert await directory.revision_of_endpoint("ep-srv_1") == (before.id, before.revision)
    async with factory() as uow:
        await uow.servers.touch(before.id)  # a tool or credential changed
        await uow.commit()
    after = await directory.revision_of_endpoint("ep-srv_1")
    assert after is not None and after[0] == before.id and after[1] > before.revision
    async with factory() as uow:
        assert await uow.servers.delete(before.owner_id, before.id)
        await uow.commit()
    assert await directory.revision_of_endpoint("ep-srv_1") is None
    assert await directory.revision_of_endpoint("ep-unknown") is None


async def test_the_catalog_serves_the_current_server_and_reuses_an_unchanged_one(
    stores: Any,
) -> None:
    factory, directory = stores
    await seed(factory)
    catalog = EndpointCatalog(factory, directory=directory)
    first = await catalog.resolve("ep-srv_1")
    assert first is not None and first.server.id == "srv_1"
    assert await catalog.resolve("ep-srv_1") is first  # unchanged row: nothing re-read
    async with factory() as uow:
        current = await uow.servers.get("user_1", "srv_1")
        assert current is not None
        await uow.servers.update(msgspec.structs.replace(current, token_digest="rotated"))
        await uow.commit()
    rotated = await catalog.resolve("ep-srv_1")
    assert rotated is not None and rotated.server.token_digest == "rotated"
    async with factory() as uow:
        assert await uow.servers.delete("user_1", "srv_1")
        await uow.commit()
    assert await catalog.resolve("ep-srv_1") is None
    assert await catalog.resolve("ep-srv_1") is None
