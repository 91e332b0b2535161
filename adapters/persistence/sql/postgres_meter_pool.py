"""PostgresMeterPool: the usage meter's own few asyncpg connections, without SQLAlchemy.

The gate's common case is one prepared statement per call (asyncpg prepares a statement text
once per connection and keeps it). Run through the SQLAlchemy async engine, the statement's
cost was mostly the engine's (checkout and checkin through the greenlet bridge, parameter and
result processing), not PostgreSQL's; here it is an acquire, one round trip and a release.

Commit wait. Each counting statement commits on its own (autocommit). With the default
`synchronous_commit = on` that commit waits for the WAL flush (an fsync), which made a metered
call wait ~2 ms longer on an idle disk and far more on a busy one. These connections run with
`synchronous_commit = off` unless `durable_commit` (SPECMCP_METER_DURABLE_COMMIT=1): the
statement returns once its commit is in the WAL buffers, and the WAL writer flushes it within
3 x `wal_writer_delay` (0.6 s by default). Atomicity, isolation and the row lock that keeps
concurrent admits from passing a limit are unchanged; only a crash of PostgreSQL itself (not
a clean restart, not a crash of this process) can forget the counts of that last ~0.6 s: an
under-count in the customer's favour, never a double count (docs/metering.md).

The pool is created on first use, on the running event loop, and connects lazily (nothing
connects at construction). Its release skips asyncpg's default reset query (`RESET ALL`,
...): the meter leaves no session state behind, so that would be a wasted round trip per call.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

__all__ = ["METER_POOL_SIZE", "PostgresMeterPool"]

METER_POOL_SIZE = 3
"""Connections per process: one short statement per call (a fraction of a millisecond in
PostgreSQL), so a few serve far more calls than one process can make."""
CONNECT_TIMEOUT_S = 5.0
"""Like the engine's: a database that hangs must not hold calls for asyncpg's default 60 s."""


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Release without a reset round trip (the meter sets no session state)."""


class PostgresMeterPool:
    """A small asyncpg pool for the meter's counting statements."""

    def __init__(self, connect_kwargs: dict[str, Any], *, durable_commit: bool = False) -> None:
        settings = dict(connect_kwargs.pop("server_settings", None) or {})
        if not durable_commit:
            settings["synchronous_commit"] = "off"
        self._connect_kwargs = {**connect_kwargs, "server_settings": settings}
        self._pool: asyncpg.Pool | None = None
        self._creating: asyncio.Task[asyncpg.Pool] | None = None

    @classmethod
    def for_url(cls, url: str, *, durable_commit: bool = False) -> PostgresMeterPool | None:
        """For a `postgresql+asyncpg://` URL (its query options included); None otherwise."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            return None
        _, kwargs = parsed.get_dialect()().create_connect_args(parsed)
        options: dict[str, Any] = {"timeout": CONNECT_TIMEOUT_S, **kwargs}
        # SQLAlchemy's names for asyncpg's options (pgbouncer users set the cache size to 0).
        if "prepared_statement_cache_size" in options:
            options["statement_cache_size"] = int(options.pop("prepared_statement_cache_size"))
        options.pop("prepared_statement_name_func", None)
        for name in ("timeout", "command_timeout"):
            if options.get(name) is not None:
                options[name] = float(options[name])
        return cls(options, durable_commit=durable_commit)

    async def fetch_row(self, sql: str, *arguments: Any) -> asyncpg.Record | None:
        """The first row of one autocommitted statement (None if none)."""
        pool = self._pool or await self._created()
        async with pool.acquire() as connection:
            try:
                return await connection.fetchrow(sql, *arguments)
            except (asyncpg.InterfaceError, asyncpg.InternalClientError) as error:
                # While PostgreSQL shuts down, a connection can be closed under us between the
                # pool's check and the query ("connection is closed"), or left by the cut
                # mid-protocol ("cannot switch to state ...; another operation is in
                # progress"). The meter never shares a connection, so either is the outage,
                # not a bug: the connection is dropped (the pool opens a new one) and the
                # caller answers 503 and may retry (entrypoints/store_outage.py).
                connection.terminate()
                raise ConnectionResetError("The meter's database connection broke.") from error

    async def _created(self) -> asyncpg.Pool:
        if self._creating is None:
            self._creating = asyncio.get_running_loop().create_task(self._create())
        try:
            self._pool = await asyncio.shield(self._creating)
        except BaseException:
            if self._creating.done():
                self._creating = None  # try again on the next call
            raise
        return self._pool

    async def _create(self) -> asyncpg.Pool:
        pool: asyncpg.Pool = await asyncpg.create_pool(
            min_size=0,
            max_size=METER_POOL_SIZE,
            reset=_keep_session,
            **self._connect_kwargs,
        )
        return pool

    async def close(self) -> None:
        """Close the connections (the app's shutdown)."""
        pool, self._pool, self._creating = self._pool, None, None
        if pool is not None:
            await pool.close()
