"""BatchingLogSink: log rows leave the caller's path and reach the store in batches.

`record` only appends to a list. A background task writes what has gathered every `interval`
seconds, or at once when `max_rows` are waiting, in one `add_many` (one multi-row INSERT).

Failures (docs/security.md, Faults):

- the store is down (nothing can be written): every row is kept for the next attempt, and the
  attempts back off up to `MAX_BACKOFF_SECONDS`; one traceback per outage, not one per attempt;
- the store refuses some rows while it takes others (a value it cannot hold): the refused batch
  is split in halves until the refused rows are alone, the others are written at once; a row
  refused alone `MAX_REFUSALS` times is dropped and logged (its id and server, no content), so
  one bad row can never hold back every row after it;
- `aclose` (the app's shutdown) writes the rest, trying for at most `CLOSE_RETRY_SECONDS` while
  the store is down, so a clean shutdown loses nothing and an unclean one says what it lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

from application.ports.request_logs import RequestLogStore
from domain.logs.request_log import RequestLog

__all__ = ["BatchingLogSink", "StoreRefusedEverything"]

log = logging.getLogger("specmcp.logs")

MAX_PENDING = 200_000
"""Rows kept while the store is down; past it the oldest go (memory is not unlimited)."""
MAX_BACKOFF_SECONDS = 5.0
MAX_REFUSALS = 3
"""Times a row is refused alone, while other rows are written, before it is dropped."""
PROBES_BEFORE_DOWN = 4
"""Failed parts of a refused batch, with nothing written, after which the store counts as down."""
CLOSE_RETRY_SECONDS = 3.0


class StoreRefusedEverything(Exception):
    """No part of a batch could be written: the store is (taken as) down."""


class BatchingLogSink:
    """Started by the first `record` on the running event loop; stopped by `aclose`."""

    def __init__(self, store: RequestLogStore, interval: float = 0.2, max_rows: int = 500) -> None:
        self._store = store
        self._interval = interval
        self._max_rows = max_rows
        self._pending: list[RequestLog] = []
        self._refusals: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()
        self._stopping = False
        self._stop = asyncio.Event()
        self.dropped = 0
        """Rows given up on (refused alone MAX_REFUSALS times, or past MAX_PENDING)."""

    @property
    def backlog(self) -> int:
        """Rows recorded and not yet written (a gauge for operators)."""
        return len(self._pending)

    def record(self, row: RequestLog) -> None:
        self._pending.append(row)
        if len(self._pending) > MAX_PENDING:
            excess = len(self._pending) - MAX_PENDING
            del self._pending[:excess]
            self.dropped += excess
            log.error("request log store unreachable: oldest rows dropped")
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        if len(self._pending) >= self._max_rows:
            self._wake.set()

    async def flush(self) -> None:
        """Write every pending row.

        Raises:
            Exception: the store's error when nothing could be written (every row is kept).
        """
        async with self._writing:
            while self._pending:
                rows, self._pending = self._pending, []
                try:
                    await self._store.add_many(rows)
                except BaseException as error:
                    if not isinstance(error, Exception):
                        self._pending[:0] = rows
                        raise
                    written: set[str] = set()
                    try:
                        retry = await self._isolate(rows, written)
                    except BaseException:
                        self._pending[:0] = [r for r in rows if r.id not in written]
                        raise
                    self._pending[:0] = retry
                    if retry:
                        return  # the refused rows wait for the next round, not a busy loop
                else:
                    for row in rows:
                        self._refusals.pop(row.id, None)

    async def _isolate(self, rows: Sequence[RequestLog], written: set[str]) -> list[RequestLog]:
        """Split a refused batch: write what the store takes (ids added to `written`), return
        the rows still to retry.

        Raises:
            StoreRefusedEverything: no part could be written (the store is down).
        """
        failures = 0
        refused: list[RequestLog] = []
        last: Exception | None = None
        stack: list[Sequence[RequestLog]] = [rows]
        while stack:
            batch = stack.pop()
            if len(batch) == 1:
                refused.append(batch[0])
                continue
            middle = len(batch) // 2
            for part in (batch[middle:], batch[:middle]):
                if not written and failures >= PROBES_BEFORE_DOWN:
                    raise StoreRefusedEverything(str(last)) from last
                try:
                    await self._store.add_many(part)
                except Exception as error:
                    failures, last = failures + 1, error
                    stack.append(part)
                else:
                    for row in part:
                        written.add(row.id)
                        self._refusals.pop(row.id, None)
        # Nothing written: the store is down, unless every row left is one it refused before
        # while taking others (a refused row that is alone now still uses up its chances).
        if not written and not all(row.id in self._refusals for row in refused):
            raise StoreRefusedEverything(str(last)) from last
        retry = []
        for row in refused:
            count = self._refusals.get(row.id, 0) + 1
            if count < MAX_REFUSALS:
                self._refusals[row.id] = count
                retry.append(row)
                continue
            self._refusals.pop(row.id, None)
            self.dropped += 1
            log.error(
                "request log row %s of server %s refused by the store %d times: dropped",
                *(row.id, row.server_id, count),
            )
        return retry

    async def aclose(self) -> None:
        """Stop the background task and write every row still waiting."""
        # Not cancelled: a write interrupted after its commit would be written twice.
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            self._stop.set()
            self._wake.set()
            with contextlib.suppress(Exception):
                await task
            self._stopping = False
            self._stop.clear()
        deadline = time.monotonic() + CLOSE_RETRY_SECONDS
        delay = self._interval
        while True:
            try:
                await self.flush()
            except Exception:
                if time.monotonic() + delay > deadline:
                    lost, self._pending = self._pending, []
                    self.dropped += len(lost)
                    log.exception(
                        "request log store unreachable at shutdown: %d rows lost", len(lost)
                    )
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                continue
            if not self._pending:
                return
            await asyncio.sleep(self._interval)  # refused rows get their remaining attempts
            if time.monotonic() > deadline:
                lost, self._pending = self._pending, []
                self.dropped += len(lost)
                log.error("%d request log rows refused by the store at shutdown", len(lost))
                return

    async def _run(self) -> None:
        failing_since: float | None = None
        delay = self._interval
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.flush()
            except Exception as error:
                if failing_since is None:
                    failing_since = time.monotonic()
                    log.exception("writing request logs failed; retrying with back-off")
                else:
                    log.warning(
                        "writing request logs still failing (%s); %d rows waiting",
                        *(type(error).__name__, self.backlog),
                    )
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                # Back off for real: new rows must not wake a flush the store will refuse.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
                continue
            if failing_since is not None:
                log.warning(
                    "request log store writable again after %.1f s",
                    time.monotonic() - failing_since,
                )
                failing_since = None
            delay = self._interval
