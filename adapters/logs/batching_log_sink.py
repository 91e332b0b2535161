"""BatchingLogSink: log rows leave the caller's path and reach the store in batches.

`record` only appends to a list. A background task writes what has gathered every `interval`
seconds, or at once when `max_rows` are waiting, in one `add_many` (one multi-row INSERT).
A failed write keeps its rows for the next attempt; `aclose` (the app's shutdown) writes the
rest, so a clean shutdown loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from application.ports.request_logs import RequestLogStore
from domain.logs.request_log import RequestLog

__all__ = ["BatchingLogSink"]

log = logging.getLogger("specmcp.logs")

MAX_PENDING = 200_000
"""Rows kept while the store is down; past it the oldest go (memory is not unlimited)."""


class BatchingLogSink:
    """Started by the first `record` on the running event loop; stopped by `aclose`."""

    def __init__(self, store: RequestLogStore, interval: float = 0.2, max_rows: int = 500) -> None:
        self._store = store
        self._interval = interval
        self._max_rows = max_rows
        self._pending: list[RequestLog] = []
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()
        self._stopping = False

    def record(self, row: RequestLog) -> None:
        self._pending.append(row)
        if len(self._pending) > MAX_PENDING:
            del self._pending[: len(self._pending) - MAX_PENDING]
            log.error("request log store unreachable: oldest rows dropped")
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        if len(self._pending) >= self._max_rows:
            self._wake.set()

    async def flush(self) -> None:
        async with self._writing:
            while self._pending:
                rows, self._pending = self._pending, []
                try:
                    await self._store.add_many(rows)
                except BaseException:
                    self._pending[:0] = rows
                    raise

    async def aclose(self) -> None:
        """Stop the background task and write every row still waiting."""
        # Not cancelled: a write interrupted after its commit would be written twice.
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            self._wake.set()
            with contextlib.suppress(Exception):
                await task
            self._stopping = False
        await self.flush()

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.flush()
            except Exception:
                log.exception("writing request logs failed; retrying")
                await asyncio.sleep(self._interval)
