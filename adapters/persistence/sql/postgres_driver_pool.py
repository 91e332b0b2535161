"""PostgresDriverPool: a few asyncpg connections of their own, without SQLAlchemy, for the
statements of the tool-call path: the usage meter's count and the request log batches.

The gate's common case is one prepared statement per call (asyncpg prepares a statement text
once per connection and keeps it). Run through the SQLAlchemy async engine, the statement's
cost was mostly the engine's (checkout and checkin through the greenlet bridge, parameter and
result processing), not PostgreSQL's; here it is an acquire, one round trip and a release. A
log batch likewise is one autocommitted executemany (atomic in asyncpg: one round trip) instead
of a checkout, BEGIN, the executemany and COMMIT through the engine.

Commit wait (the meter's pool; the log writer's, `durable_commit`, keeps the server's setting).
Each counting statement commits on its own (autocommit). With the default
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
client CPU. A release sends nothing (no statement leaves session state behind). A connection
closed by the server is replaced on its next use; one that broke or was cancelled mid-statement
is dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from adapters.turn_queue import TurnQueue

__all__ = ["METER_POOL_SIZE", "PostgresDriverPool"]

METER_POOL_SIZE = 3
"""The meter's connections per process: one short statement per call (a fraction of a
millisecond in PostgreSQL), so a few serve far more calls than one process can make."""
CONNECT_TIMEOUT_S = 5.0
"""Like the engine's: a database that hangs must not hold calls for asyncpg's default 60 s."""


class PostgresDriverPool:
    """A small asyncpg pool for autocommitted statements (the meter's, the log writer's)."""

    def __init__(
        self,
        connect_kwargs: dict[str, Any],
        *,
        durable_commit: bool = False,
        size: int = METER_POOL_SIZE,
    ) -> None:
        self._max_size = size
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
        """Connections open or being opened, at most `size`."""
        self._waiters = TurnQueue()
        """Calls waiting for a connection to be released (all `size` in use)."""

    @classmethod
    def for_url(
        cls, url: str, *, durable_commit: bool = False, size: int = METER_POOL_SIZE
    ) -> PostgresDriverPool | None:
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
        return cls(options, durable_commit=durable_commit, size=size)

    async def fetch_row(self, sql: str, *arguments: Any) -> asyncpg.Record | None:
        """The first row of one autocommitted statement (None if none)."""
        row: asyncpg.Record | None = await self._on_connection(
            lambda connection: connection.fetchrow(sql, *arguments)
        )
        return row

    async def fetch_rows(self, sql: str, *arguments: Any) -> list[asyncpg.Record]:
        """Every row of one autocommitted statement."""
        rows: list[asyncpg.Record] = await self._on_connection(
            lambda connection: connection.fetch(sql, *arguments)
        )
        return rows

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """`sql` once per row of `rows`, all or none: asyncpg sends them in one round trip and
        PostgreSQL commits them together."""
        await self._on_connection(lambda connection: connection.executemany(sql, rows))

    async def _on_connection(
        self, statement: Callable[[asyncpg.Connection], Awaitable[Any]]
    ) -> Any:
        """`statement` on a connection of the pool, released or dropped after it."""
        connection = await self._acquire()
        self._in_use.add(connection)
        try:
            result = await statement(connection)
        except BaseException as error:
            if (broke := self._failed(connection, error)) is None:
                raise
            raise broke from error
        self._release(connection)
        return result

    def _failed(self, connection: asyncpg.Connection, error: BaseException) -> Exception | None:
        """Release or drop `connection` after its statement raised `error`; the error to raise
        instead, if any."""
        if isinstance(error, asyncpg.PostgresError):
            # Raised by PostgreSQL for this statement (an autocommitted one): the connection
            # is fine.
            self._release(connection)
            return None
        # Otherwise the connection is not reused: cancelled or timed out mid-statement, the
        # protocol state is unknown.
        self._drop(connection)
        if isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError):
            # While PostgreSQL shuts down, a connection can be closed under us between the
            # check and the query ("connection is closed"), or left by the cut mid-protocol
            # ("cannot switch to state ...; another operation is in progress"). A connection is
            # never shared, so either is the outage, not a bug: the next statement opens a new
            # connection and the caller answers 503 and may retry (entrypoints/store_outage.py).
            return ConnectionResetError("The database connection broke.")
        return None

    async def _acquire(self) -> asyncpg.Connection:
        """An open connection: an idle one, a new one within the size, or the next released."""
        while True:
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed():
                    return connection
                self._drop(connection)  # closed by the server (a restart): replaced
            if self._size < self._max_size:
                self._size += 1
                try:
                    opened: asyncpg.Connection = await asyncpg.connect(**self._connect_kwargs)
                except BaseException:
                    self._size -= 1
                    self._waiters.wake_one()
                    raise
                return opened
            await self._waiters.wait_turn()

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
