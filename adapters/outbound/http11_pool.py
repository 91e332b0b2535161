"""Keep-alive HTTP/1.1 connections per (scheme, host, port), bounded in number."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from adapters.outbound.http11_connection import Http11Connection
from adapters.turn_queue import TurnQueue

__all__ = ["Http11Pool", "PoolKey"]

PoolKey = tuple[str, str, int]
Connector = Callable[[str, str, int], Awaitable[Http11Connection]]


class Http11Pool:
    """Hands out idle connections (most recently used first) or opens new ones.

    Args:
        connect: opens a new connection for `(scheme, host, port)`.
        max_connections: open connections at most, busy and idle together; more callers wait.
        max_idle: idle connections kept; the oldest beyond are closed.
        keepalive_expiry: seconds an idle connection is kept (servers close theirs too).
    """

    def __init__(
        self,
        connect: Connector,
        *,
        max_connections: int = 100,
        max_idle: int = 20,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._connect = connect
        self._max_connections = max_connections
        self._max_idle = max_idle
        self._expiry = keepalive_expiry
        self._idle: dict[PoolKey, list[Http11Connection]] = {}
        self._idle_count = 0
        self._open: set[Http11Connection] = set()
        self._opening = 0
        self._waiters = TurnQueue()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def acquire(self, key: PoolKey) -> tuple[Http11Connection, bool]:
        """A connection for `key` and whether it was used before (a kept-alive one)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._forget_everything()  # connections belong to the loop that opened them
            self._loop = loop
        while True:
            idle = self._idle.get(key)
            now = loop.time()
            while idle:
                connection = idle.pop()
                self._idle_count -= 1
                if connection.reusable and now - connection.idle_since < self._expiry:
                    return connection, True
                self._discard(connection)
            if self._opening + len(self._open) < self._max_connections:
                break
            if not self._close_oldest_idle():
                await self._waiters.wait_turn()
        self._opening += 1
        try:
            connection = await self._connect(*key)
        except BaseException:
            self._opening -= 1
            self._waiters.wake_one()
            raise
        self._opening -= 1
        self._open.add(connection)
        return connection, False

    def release(self, key: PoolKey, connection: Http11Connection) -> None:
        """Take a connection back: kept when it can carry another request, closed otherwise."""
        if self._loop is None or not connection.reusable:
            self._discard(connection)
            return
        connection.idle_since = self._loop.time()
        self._idle.setdefault(key, []).append(connection)
        self._idle_count += 1
        if self._idle_count > self._max_idle:
            self._close_oldest_idle()
        self._waiters.wake_one()

    def discard(self, connection: Http11Connection) -> None:
        """Close a connection that is not idle (it failed, or its answer was not read)."""
        self._discard(connection)

    async def aclose(self) -> None:
        """Close every idle connection."""
        for connections in self._idle.values():
            for connection in connections:
                self._discard(connection)
        self._idle.clear()
        self._idle_count = 0

    def _discard(self, connection: Http11Connection) -> None:
        connection.close()
        if connection in self._open:
            self._open.discard(connection)
            self._waiters.wake_one()

    def _close_oldest_idle(self) -> bool:
        oldest: tuple[float, PoolKey] | None = None
        for key, connections in self._idle.items():
            if connections and (oldest is None or connections[0].idle_since < oldest[0]):
                oldest = (connections[0].idle_since, key)
        if oldest is None:
            return False
        self._idle_count -= 1
        self._discard(self._idle[oldest[1]].pop(0))
        return True

    def _forget_everything(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        self._idle_count = 0
        self._open.clear()
        self._opening = 0
        self._waiters.clear()
