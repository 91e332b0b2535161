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

The connections are opened on first use, on the running event loop (nothing connects at
construction), and kept in a plain list, not an `asyncpg.Pool`: the pool's acquire and release
(a queue, a shielded release task per use) cost ~40 µs of CPU per use, a third of the statement's
client CPU. A release sends nothing (the meter leaves no session state behind). A connection
closed by the server is replaced on its next use; one that broke or was cancelled mid-statement
is dropped.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from adapters.turn_queue import TurnQueue

__all__ = ["METER_POOL_SIZE", "PostgresMeterPool"]

METER_POOL_SIZE = 3
"""Connections per process: one short statement per call (a fraction of a millisecond in
PostgreSQL), so a few serve far more calls than one process can make."""
CONNECT_TIMEOUT_S = 5.0
"""Like the engine's: a database that hangs must not hold calls for asyncpg's default 60 s."""


class PostgresMeterPool:
    """A small asyncpg pool for the meter's counting statements."""

    def __init__(self, connect_kwargs: dict[str, Any], *, durable_commit: bool = False) -> None:
        settings = dict(connect_kwargs.pop("server_settings", None) or {})
        if not durable_commit:
            settings["synchronous_commit"] = "off"
        self._connect_kwargs = {**connect_kwargs, "server_settings": settings}
        self._idle: list[asyncpg.Connection] = []
        """Open connections not in use; the last released is the next used."""
        self._in_use: set[asyncpg.Connection] = set()
        self._retired: set[asyncpg.Connection] = set()
        """In use when the pool was closed: closed when released."""
        self._size = 0
        """Connections open or being opened, at most METER_POOL_SIZE."""
        self._waiters = TurnQueue()
        """Calls waiting for a connection to be released (all METER_POOL_SIZE in use)."""

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
        connection = await self._acquire()
        self._in_use.add(connection)
        try:
            row: asyncpg.Record | None = await connection.fetchrow(sql, *arguments)
        except asyncpg.PostgresError:
            # Raised by PostgreSQL for this statement (an autocommitted one): the connection
            # is fine.
            self._release(connection)
            raise
        except (asyncpg.InterfaceError, asyncpg.InternalClientError) as error:
            # While PostgreSQL shuts down, a connection can be closed under us between the
            # check and the query ("connection is closed"), or left by the cut mid-protocol
            # ("cannot switch to state ...; another operation is in progress"). The meter
            # never shares a connection, so either is the outage, not a bug: the connection is
            # dropped (the next call opens a new one) and the caller answers 503 and may retry
            # (entrypoints/store_outage.py).
            self._drop(connection)
            raise ConnectionResetError("The meter's database connection broke.") from error
        except BaseException:
            # Cancelled or timed out mid-statement: the protocol state is unknown, so the
            # connection is not reused.
            self._drop(connection)
            raise
        self._release(connection)
        return row

    async def _acquire(self) -> asyncpg.Connection:
        """An open connection: an idle one, a new one within the size, or the next released."""
        while True:
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed():
                    return connection
                self._drop(connection)  # closed by the server (a restart): replaced
            if self._size < METER_POOL_SIZE:
                self._size += 1
                try:
                    opened: asyncpg.Connection = await asyncpg.connect(**self._connect_kwargs)
                except BaseException:
                    self._size -= 1
                    self._waiters.wake_one()
                    raise
                return opened
            waiter = self._waiters.join()
            try:
                await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._waiters.wake_one()  # pass the turn on
                raise

    def _release(self, connection: asyncpg.Connection) -> None:
        if connection in self._retired or connection.is_closed():
            self._drop(connection)
            return
        self._in_use.discard(connection)
        self._idle.append(connection)
        self._waiters.wake_one()

    def _drop(self, connection: asyncpg.Connection) -> None:
        connection.terminate()
        if connection in self._retired:
            self._retired.discard(connection)  # no longer counted since `close`
            return
        self._in_use.discard(connection)
        self._size -= 1
        self._waiters.wake_one()

    async def close(self) -> None:
        """Close the connections (the app's shutdown); ones in use close when released. A
        later call opens new ones (tests run one app on several event loops)."""
        idle, self._idle = self._idle, []
        self._retired.update(self._in_use)
        self._size -= len(idle) + len(self._in_use)
        self._in_use.clear()
        for connection in idle:
            try:
                await asyncio.wait_for(connection.close(), CONNECT_TIMEOUT_S)
            except Exception:
                connection.terminate()
        self._waiters.wake_one()
