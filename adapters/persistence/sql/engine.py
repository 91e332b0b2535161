"""`create_sql_engine`: an AsyncEngine configured for SQLite (aiosqlite) or PostgreSQL (asyncpg).

SQLite and concurrent writers: every transaction starts with `BEGIN IMMEDIATE`, so it takes
the database's single write lock up front and other transactions wait for it (busy_timeout,
spent in aiosqlite's worker thread, not on the event loop). With the default deferred BEGIN, two
transactions that both read and then write deadlock, and SQLite fails one of them at once with
"database is locked" whatever the timeout. The unit of work cannot tell a reading transaction
from a writing one, so all of them are serialized (units of work are short); WAL keeps readers
in other processes (the CLI, a backup) unblocked meanwhile. The cost: one unit of work at a time
per database, and code holding a unit of work must not open a second one (it would wait on
itself until busy_timeout). The memory adapter serializes its units of work the same way.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["create_sql_engine"]

SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_WHEN_IDLE_S = 10.0
"""A pooled PostgreSQL connection unused for longer than this is pinged before it is used."""


def _json_serializer(value: Any) -> str:
    # msgspec keeps key order (like json.dumps) and is much faster on 10 MB documents.
    return msgspec.json.encode(value).decode()


def create_sql_engine(url: str) -> AsyncEngine:
    """Create the engine for `url` (`sqlite+aiosqlite://...` or `postgresql+asyncpg://...`)."""
    options: dict[str, Any] = {
        "json_serializer": _json_serializer,
        "json_deserializer": msgspec.json.decode,
    }
    if make_url(url).get_backend_name() == "sqlite":
        # Every unit of work ends its transaction itself (commit, or rollback on exit), so the
        # pool's reset-on-return would only add a ROLLBACK: one more trip to aiosqlite's thread
        # on every checkout of the hot path.
        engine = create_async_engine(url, pool_reset_on_return=None, **options)
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=30,
        pool_recycle=1800,
        # asyncpg waits 60 s for a new connection by default: a database that hangs would hold
        # calls that long. Fail fast; the caller gets a clean 503. (A statement time limit can
        # be set in DATABASE_URL: `?command_timeout=30`.)
        connect_args={"timeout": 5},
        **options,
    )
    _check_connections_on_checkout(engine)
    return engine


def _check_connections_on_checkout(engine: AsyncEngine) -> None:
    """Replace dead pooled connections before use, without a round trip on the hot path.

    `pool_pre_ping` costs three round trips (BEGIN, `;`, ROLLBACK) on every checkout, which
    was a fifth of a metered call's database time. Instead: a connection the server closed (a
    restart, an idle-killing proxy) is known to asyncpg without asking (`is_closed`), and only
    a connection idle for a while is pinged. A connection that dies unnoticed in between fails
    its statement as a disconnect, and SQLAlchemy then recycles the whole pool.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.driver_connection.is_closed():
            raise DisconnectionError("the server closed this connection")
        returned_at = record.info.get("returned_at")
        if returned_at is not None and time.monotonic() - returned_at > PING_WHEN_IDLE_S:
            try:
                dbapi_connection.ping()
            except Exception as error:  # any failure: the pool tries another connection
                raise DisconnectionError("the pooled connection is dead") from error


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below); the driver's own implicit BEGIN is deferred.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # foreign_keys is per connection and off by default: without it no cascade happens.
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _enter_wal_mode(dbapi_connection, cursor)
            # NORMAL is durable across application crashes in WAL mode; only a power loss can
            # lose the last transactions, which is the usual trade for an embedded database.
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Autocommit connections (read-only units of work, single atomic statements) run
        # each statement on its own: no explicit transaction, and no write lock for reads.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _enter_wal_mode(dbapi_connection: Any, cursor: Any) -> None:
    """Switch the database to WAL, waiting out other connections doing the same.

    On a new database several connections (workers starting together, concurrent migrations)
    switch at once. Each holds a shared lock while it waits for the exclusive one, and SQLite
    breaks that deadlock by failing one of them with "database is locked" at once, without
    the busy handler. The pauses are the event loop's (`run_async`): this hook runs on it.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause_s = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() + pause_s > deadline:
                raise
        dbapi_connection.run_async(lambda _driver, pause_s=pause_s: asyncio.sleep(pause_s))
        pause_s = min(pause_s * 2, 0.05)
