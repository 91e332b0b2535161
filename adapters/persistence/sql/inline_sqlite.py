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
  the aiosqlite connections, which write the request logs and everything else, do.

Each statement is its own transaction (autocommit), except `execute_many` (one transaction,
begun and ended within the call). So this process never holds the write lock across an await,
which is what made the inline statements find the database locked by this very process while
an aiosqlite transaction waited for its next hop. In WAL mode readers see the latest committed
state and never block writers, in this process or any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

__all__ = ["InlineBusy", "InlineSqlite"]


class InlineBusy(Exception):
    """The statement could not run at once (database locked, or not ready): go asynchronous."""


class InlineSqlite:
    """Short statements on a file SQLite database, run on the calling thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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

    def first(self, statement: sa.Executable, parameters: Mapping[str, Any]) -> sa.Row[Any] | None:
        """The statement's first row (None if none).

        Raises:
            InlineBusy: the database is locked, missing or not migrated yet; nothing was done.
        """
        try:
            with self._engine.connect() as connection:
                return connection.execute(statement, dict(parameters)).first()
        except OperationalError as error:
            raise InlineBusy(str(error.orig)) from error

    def execute_many(self, statement: sa.Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement for every row, all in one transaction (written together or not).

        Raises:
            InlineBusy: the database is locked, missing or not migrated yet; nothing was written.
        """
        try:
            with self._engine.connect() as connection:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    connection.execute(statement, [dict(row) for row in rows])
                except BaseException:
                    connection.exec_driver_sql("ROLLBACK")
                    raise
                connection.exec_driver_sql("COMMIT")
        except OperationalError as error:
            raise InlineBusy(str(error.orig)) from error

    def dispose(self) -> None:
        """Close the pooled connections."""
        self._engine.dispose()
