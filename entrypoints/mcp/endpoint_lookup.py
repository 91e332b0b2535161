"""Endpoint lookups shared by concurrent requests, without ever serving an older state.

Every MCP request needs its endpoint's current snapshot, and `EndpointCatalog.resolve` reads
the server row to stay exact (a rotated token or a deactivated server takes effect at once).
Under concurrent load that is one database transaction per request; on the embedded SQLite
database every transaction takes the single write lock, so lookups queue behind each other and
behind metering writes.

`CoalescedLookup` lets requests for the same endpoint share one lookup, but only a lookup that
*starts after they arrive*: a request that finds a lookup already in flight does not take its
answer (it may have read the row before a change this request should see); it waits for the
next lookup, which all requests that arrived meanwhile share. So at most one lookup per
endpoint runs and one waits, whatever the concurrency, and every request still gets a state
read after it arrived, exactly as with one lookup per request.

A request that finds nothing in flight looks up in its own task: nobody can share that lookup
(it started before any later request arrived), so it needs no task of its own. A task per
lookup cost ~50 us of CPU per MCP request (its creation, the shield and two more turns of the
event loop), a tenth of a whole tool call; only shared lookups run in a task now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["CoalescedLookup"]

T = TypeVar("T")


class CoalescedLookup(Generic[T]):
    """Wraps `lookup(key)`; concurrent callers for one key share lookups that start after them.

    The lookup runs in its own task, so a caller that is cancelled (a client that goes away)
    never cancels the lookup others wait for. Errors reach every caller that shared it.
    """

    def __init__(self, lookup: Callable[[str], Awaitable[T]]) -> None:
        self._lookup = lookup
        self._running: dict[str, asyncio.Future[T]] = {}
        self._next: dict[str, asyncio.Future[T]] = {}

    async def __call__(self, key: str) -> T:
        queued = self._next.get(key)
        if queued is None:
            running = self._running.get(key)
            if running is None:
                return await self._look_up_here(key)
            queued = self._next[key] = asyncio.get_running_loop().create_future()
            running.add_done_callback(lambda _: self._start_queued(key))
        return await asyncio.shield(queued)

    async def _look_up_here(self, key: str) -> T:
        """The lookup in the caller's task; requests arriving meanwhile queue for the next."""
        finished: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = finished
        try:
            return await self._lookup(key)
        finally:
            if self._running.get(key) is finished:
                del self._running[key]
            finished.cancel()  # only a signal: the queued lookup starts now

    def _start(self, key: str) -> asyncio.Future[T]:
        task = asyncio.ensure_future(self._lookup(key))
        self._running[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))
        return task

    def _finished(self, key: str, done: asyncio.Future[T]) -> None:
        if self._running.get(key) is done:
            del self._running[key]
        if not done.cancelled():
            done.exception()  # retrieved here: callers that went away do not leave it unread

    def _start_queued(self, key: str) -> None:
        queued = self._next.pop(key)
        task = self._start(key)

        def relay(done: asyncio.Future[T]) -> None:
            if queued.done():
                return
            if done.cancelled():
                queued.cancel()
            elif (error := done.exception()) is not None:
                queued.set_exception(error)
            else:
                queued.set_result(done.result())

        task.add_done_callback(relay)
