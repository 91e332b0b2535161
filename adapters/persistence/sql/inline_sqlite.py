"""InlineSqlite: the hot path's short statements on a file SQLite database, without a thread hop.

aiosqlite runs every step of a statement (check out, set the isolation level, execute, fetch,
close the cursor) as a separate job on its worker thread, each a round trip through a queue
and the event loop: on the tool-call path that machinery cost far more than the statements
(an indexed one-row read or the metering upsert take tens of microseconds in SQLite). These
statements run here instead, synchronously on the caller's thread, on their own connections
to the same file, with two guards that keep the event loop from ever waiting:

- `busy_timeout` is 0: when another connection holds the write lock (or, rarely, a reader
  would have to wait), the statement fails at once with `InlineBusy` and the caller takes the
  usual asynchronous path, which waits for the lock on aiosqlite's thread;
- `wal_autocheckpoint` is 0: these connections never run a checkpoint (which syncs the file);
  the aiosqlite connections do, and the request log store has `checkpoint` run on a worker
  thread every second.

`fetch_one`, `in_transaction` and `execute_many` take driver SQL (`DriverStatement`, compiled
once) and plain values, and run on `sqlite3` connections this object keeps checked out: no
SQLAlchemy work per call. Each `fetch_one` is its own transaction (autocommit); `in_transaction`
and `execute_many` run one transaction, begun and ended within the call. So this process never
holds the write lock across an await, which is what made the inline statements find the
database locked by this very process while an aiosqlite transaction waited for its next hop.
In WAL mode readers see the latest committed state and never block writers, in this process or
any other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import PoolProxiedConnection

__all__ = ["FetchOne", "InlineBusy", "InlineSqlite"]

T = TypeVar("T")
Row = tuple[Any, ...]
FetchOne = Callable[[str, Mapping[str, Any] | Sequence[Any]], Row | None]
"""fetch_one(driver SQL, values): the first row (None if none), as the driver returns it."""


class InlineBusy(Exception):
    """The statement could not run at once (database locked, or not ready): go asynchronous."""


class InlineSqlite:
    """Short statements on a file SQLite database, run on the calling thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._idle: list[tuple[PoolProxiedConnection, sqlite3.Connection]] = []
        """Driver connections kept checked out between calls (a pool checkout costs more than
        a short statement), each with its `sqlite3` connection (the pool's proxy takes a
        property lookup to reach it). One per thread using this object at the same time."""

    @classmethod
    def for_url(cls, url: str) -> InlineSqlite | None:
        """For a file SQLite URL (`sqlite+aiosqlite:///path`); None for anything else."""
        parsed = make_url(url)
        database = parsed.database or ""
        if (
            parsed.get_backend_name() != "sqlite"
            or database in ("", ":memory:")
            or database.startswith("file:")
            or parsed.query.get("mode") == "memory"
        ):
            return None
        engine = sa.create_engine(
            parsed.set(drivername="sqlite+pysqlite"),
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,
            # Used by one thread at a time, but not always the thread that opened it (tests
            # run apps on several event loops).
            connect_args={"check_same_thread": False, "timeout": 0},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA busy_timeout = 0")
                cursor.execute("PRAGMA wal_autocheckpoint = 0")
                cursor.execute("PRAGMA foreign_keys = ON")
                cursor.execute("PRAGMA synchronous = NORMAL")
            finally:
                cursor.close()

        return cls(engine)

    def fetch_one(self, sql: str, parameters: Mapping[str, Any] | Sequence[Any]) -> Row | None:
        """The first row of driver SQL (None if none), as the driver returns it.

        Raises:
            InlineBusy: the database is locked, missing or not migrated yet; nothing was done.
        """
        # No context manager, and the `sqlite3` connection kept next to the pool's proxy: around
        # `SELECT 1` this method cost 2.7 us with them, 1.2 us without (the bare driver 0.9).
        checked_out = self._check_out()
        try:
            # fetchall, not fetchone: the statement must run to its end, which is when an
            # autocommitted write (an upsert with RETURNING) commits and frees the write lock.
            rows = checked_out[1].execute(sql, parameters).fetchall()
        except sqlite3.OperationalError as error:
            raise InlineBusy(str(error)) from error
        finally:
            self._check_in(checked_out)
        return rows[0] if rows else None

    def in_transaction(self, work: Callable[[FetchOne], T]) -> T:
        """`work(fetch_one)` inside one write transaction: its statements take effect together
        or not at all (what `work` raises rolls them back and is raised).

        Raises:
            InlineBusy: the database is locked, missing or not migrated yet; nothing was done.
        """

        def run(connection: sqlite3.Connection) -> T:
            def fetch_one(sql: str, parameters: Mapping[str, Any] | Sequence[Any]) -> Row | None:
                rows = connection.execute(sql, parameters).fetchall()
                return rows[0] if rows else None

            return work(fetch_one)

        return self._transaction(run)

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run driver SQL for every row, all in one transaction (written together or not).

        Raises:
            InlineBusy: the database is locked, missing or not migrated yet; nothing was written.
        """
        self._transaction(lambda connection: connection.executemany(sql, rows))

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` on a checked-out connection between BEGIN IMMEDIATE and COMMIT (ROLLBACK
        and raise when it raises); InlineBusy when SQLite refuses (nothing done)."""
        checked_out = self._check_out()
        connection = checked_out[1]
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                done = work(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise InlineBusy(str(error)) from error
        finally:
            self._check_in(checked_out)
        return done

    def checkpoint(self) -> None:
        """Copy the WAL back into the database file: PASSIVE, it neither waits for nor blocks
        readers and writers. For a worker thread (it syncs the file), on a pooled connection
        that is never one of the inline ones: in WAL mode a connection drops its page cache
        when another one has committed since its last statement, so the inline statements
        must keep finding the connection they wrote with."""
        try:
            pooled = self._engine.raw_connection()
            connection = cast(sqlite3.Connection, pooled.driver_connection)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                pooled.close()
        except (OperationalError, sqlite3.OperationalError):
            # Busy or locked (another process checkpointing, say): the next one copies it.
            # Raising would make the log sink write rows again that are already written.
            return

    def _check_out(self) -> tuple[PoolProxiedConnection, sqlite3.Connection]:
        if self._idle:
            return self._idle.pop()
        try:
            pooled = self._engine.raw_connection()
        except OperationalError as error:
            raise InlineBusy(str(error.orig)) from error
        return pooled, cast(sqlite3.Connection, pooled.driver_connection)

    def _check_in(self, checked_out: tuple[PoolProxiedConnection, sqlite3.Connection]) -> None:
        if checked_out[1].in_transaction:
            # A ROLLBACK failed: never keep a connection that may hold the write lock.
            checked_out[0].invalidate()
        else:
            self._idle.append(checked_out)

    def dispose(self) -> None:
        """Close the pooled connections."""
        idle, self._idle = self._idle, []
        for pooled, _connection in idle:
            pooled.close()
        self._engine.dispose()
