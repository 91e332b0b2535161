"""KeyBatches: the admission statements that the groups of different users need go to
PostgreSQL together, one statement and one round trip for all of them.

`AdmissionCoalescer` gathers the calls of one (user, period) into one statement; with the calls
spread over many users each group is small and each was a round trip of its own (~65 us of the
server's CPU: the socket write and read, asyncpg, the pool). Here the counts asked for by the
groups of all users are sent together, one batch in flight at a time:

- Nothing in flight: the first count waits for the next event-loop step (`loop.call_soon`),
  and the counts asked for meanwhile go with it (the groups of one step start together).
- A batch in flight: the counts asked for meanwhile wait for it to return and then go
  together, as the coalescer's groups do for one user.
- `count_many` counts each key's calls, all or none, as its own statement would. A key asked
  for twice (it cannot be, the coalescer keeps one statement per key in flight) would go in
  the next batch.
- A count cancelled before its batch is sent is left out; once sent, its outcome is unknowable
  before it returns, so the batch runs on in a task of its own and the others get their
  verdicts (a cancelled count may have been counted, as a lone statement cancelled mid-flight
  may have been). An error of the batch's statement is raised in every count of the batch; an
  error of one key's own statement (see `count_many`) in that key's count only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from adapters.persistence.sql.group_verdicts import fail_waiters
from application.ports.metering import Admission

__all__ = ["CountMany", "KeyBatches"]

CountMany = Callable[
    [Sequence[tuple[str, str, int]]], Awaitable[Sequence[Admission | Exception | None]]
]
"""count_many([(user_id, period, k), ...]) (keys distinct): for each key its k calls counted
at once, all or none: the admission of the last of them, None when they were not counted, or
the error of a statement of that key alone (the others' verdicts stand)."""

_Ask = tuple[str, str, int, "asyncio.Future[Admission | None]"]


class _Line:
    """One event loop's counts waiting to be sent, and its batch in flight (`task`: also the
    reference that keeps the task alive, the loop holding only a weak one)."""

    __slots__ = ("asks", "loop", "scheduled", "task")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.asks: list[_Ask] = []
        self.scheduled = False
        self.task: asyncio.Task[None] | None = None


class KeyBatches:
    """Per-process batching of the admission statements of many users (see the module doc)."""

    def __init__(self, count_many: CountMany) -> None:
        self._count_many = count_many
        self._lines: dict[asyncio.AbstractEventLoop, _Line] = {}

    async def count(self, user_id: str, period: str, count: int) -> Admission | None:
        """Count `count` calls of the key, in the next batch."""
        loop = asyncio.get_running_loop()
        line = self._lines.get(loop)
        if line is None:
            for closed in [other for other in self._lines if other.is_closed()]:
                del self._lines[closed]  # tests run apps on several loops
            line = self._lines[loop] = _Line(loop)
        waiter: asyncio.Future[Admission | None] = loop.create_future()
        line.asks.append((user_id, period, count, waiter))
        if line.task is None and not line.scheduled:
            line.scheduled = True
            loop.call_soon(self._send, line)
        return await waiter

    def _send(self, line: _Line) -> None:
        """Send the waiting counts as one batch (each key once; a repeated key waits)."""
        line.scheduled = False
        batch: list[_Ask] = []
        later: list[_Ask] = []
        keys: set[tuple[str, str]] = set()
        for ask in line.asks:
            if ask[3].done():
                continue
            key = (ask[0], ask[1])
            (later if key in keys else batch).append(ask)
            keys.add(key)
        line.asks = later
        if batch:
            line.task = line.loop.create_task(self._run(line, batch))

    async def _run(self, line: _Line, batch: list[_Ask]) -> None:
        try:
            verdicts = await self._count_many([(user, period, k) for user, period, k, _ in batch])
        except BaseException as error:
            fail_waiters((ask[3] for ask in batch), error)
            if not isinstance(error, Exception):
                raise
        else:
            for (*_key, waiter), verdict in zip(batch, verdicts, strict=True):
                if waiter.done():
                    continue
                if isinstance(verdict, Exception):
                    waiter.set_exception(verdict)  # this key's own statement failed
                else:
                    waiter.set_result(verdict)
        finally:
            line.task = None
            if line.asks and not line.loop.is_closed():
                self._send(line)  # those that waited for this batch go now
