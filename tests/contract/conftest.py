"""Persistence fixtures: a unit-of-work factory per adapter, and throwaway databases.

PostgreSQL comes from `SPECMCP_TEST_POSTGRES_URL` (an admin URL; each session creates its own
`specmcp_test_<random>` databases next to it and drops them at the end). When it cannot be
reached, the PostgreSQL tests skip locally but fail under CI or `SPECMCP_REQUIRE_POSTGRES=1`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.persistence.memory import MemoryUnitOfWorkFactory
from adapters.persistence.sql import SqlUnitOfWorkFactory, create_sql_engine, migrate
from application.ports.unit_of_work import UnitOfWorkFactory

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"

T = TypeVar("T")


def run_outside_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even while an event loop is running."""
    # Session fixtures may be first requested from inside an async test's loop, where
    # asyncio.run() refuses to start; a worker thread has no loop of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _postgres_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("SPECMCP_REQUIRE_POSTGRES") == "1"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin_execute(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The reachable admin URL; skips (or fails under CI) when PostgreSQL is not there."""
    url = os.environ.get("SPECMCP_TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL)
    try:
        run_outside_loop(_admin_execute(url, "SELECT 1"))
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        shown = make_url(url).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL is unreachable at {shown} ({type(error).__name__}: {error}). "
            "Start it or set SPECMCP_TEST_POSTGRES_URL to an admin URL."
        )
        if _postgres_required():
            pytest.fail(
                f"{message} It is required here (CI or SPECMCP_REQUIRE_POSTGRES=1).", pytrace=False
            )
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def make_postgres_database(postgres_admin_url: str) -> Iterator[Callable[[], str]]:
    """Creates empty databases on demand (returns their URL); drops them all at the end."""
    created: list[str] = []

    def make() -> str:
        name = f"specmcp_test_{secrets.token_hex(6)}"
        run_outside_loop(_admin_execute(postgres_admin_url, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(postgres_admin_url).set(database=name).render_as_string(False)

    yield make
    for name in created:
        statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        run_outside_loop(_admin_execute(postgres_admin_url, statement))


@pytest.fixture(scope="session")
def migrated_postgres_url(make_postgres_database: Callable[[], str]) -> str:
    """One migrated database for the whole contract suite (emptied before each test)."""
    url = make_postgres_database()
    run_outside_loop(migrate(url))
    return url


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: cheaper than migrating every time."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    run_outside_loop(migrate(f"sqlite+aiosqlite:///{path}"))
    return path


def migrated_sql_url(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> str:
    """A migrated database for one test: a copy of the SQLite template when `kind` starts
    with "sqlite", else the session's PostgreSQL database (callers empty its tables)."""
    if kind.startswith("sqlite"):
        database = tmp_path / "specmcp.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), database)
        return f"sqlite+aiosqlite:///{database}"
    return str(request.getfixturevalue("migrated_postgres_url"))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def uow_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[UnitOfWorkFactory]:
    """An empty store behind each persistence adapter in turn."""
    if request.param == "memory":
        yield MemoryUnitOfWorkFactory()
        return
    url = migrated_sql_url(request, tmp_path, request.param)
    engine = create_sql_engine(url)
    try:
        async with engine.begin() as connection:
            for table in ("tools", "servers", "specs", "users"):
                await connection.execute(text(f"DELETE FROM {table}"))
        yield SqlUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()
