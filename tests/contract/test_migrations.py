"""The migrations build exactly the schema of tables.py, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from adapters.persistence.sql import create_sql_engine, migrate
from adapters.persistence.sql.tables import metadata


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    make: Callable[[], str] = request.getfixturevalue("make_postgres_database")
    return make()


def _schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def differences_from_tables(url: str) -> tuple[list[Any], set[str]]:
    """Alembic's autogenerate diff between the database and tables.py, and the table names."""
    engine = create_sql_engine(url)
    try:
        async with engine.connect() as connection:
            diffs = await connection.run_sync(_schema_differences)
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    return diffs, names


async def test_upgrading_an_empty_database_builds_exactly_the_tables(
    empty_database_url: str,
) -> None:
    await migrate(empty_database_url)

    diffs, names = await differences_from_tables(empty_database_url)

    assert diffs == []
    assert names == set(metadata.tables) | {"alembic_version"}
    assert {"users", "specs", "servers", "tools", "credentials"} <= names


async def test_the_comparison_sees_a_missing_schema(empty_database_url: str) -> None:
    # Guards the test above against passing vacuously.
    diffs, _ = await differences_from_tables(empty_database_url)

    assert {diff[1].name for diff in diffs if diff[0] == "add_table"} == set(metadata.tables)


async def test_migrating_again_or_concurrently_is_harmless(empty_database_url: str) -> None:
    await asyncio.gather(migrate(empty_database_url), migrate(empty_database_url))
    await migrate(empty_database_url)

    diffs, _ = await differences_from_tables(empty_database_url)

    assert diffs == []


async def test_a_new_sqlite_database_another_connection_is_writing_is_waited_for(
    tmp_path: Path,
) -> None:
    # Workers starting together on a new database: the first connection of each switches it to
    # WAL, which needs the write lock while it already reads; SQLite fails such a connection at
    # once ("database is locked", whatever busy_timeout) when another one holds the lock.
    path = tmp_path / "new.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    release = asyncio.get_running_loop().call_later(0.2, other.execute, "ROLLBACK")
    try:
        await migrate(f"sqlite+aiosqlite:///{path}")
    finally:
        release.cancel()
        other.close()

    diffs, _ = await differences_from_tables(f"sqlite+aiosqlite:///{path}")
    assert diffs == []
