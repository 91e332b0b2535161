"""TurnQueue: callers waiting for a bounded resource (a pooled connection), woken one at a time."""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["TurnQueue"]


class TurnQueue:
    """First come, first woken; a waiter cancelled meanwhile is skipped, never woken."""

    def __init__(self) -> None:
        self._waiters: deque[asyncio.Future[None]] = deque()

    def __len__(self) -> int:
        return len(self._waiters)

    async def wait_turn(self) -> None:
        """Return when this caller's turn comes (see `wake_one`). A caller cancelled before
        its turn leaves the queue; one cancelled after it came passes it on, so no turn is lost."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.wake_one()
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def wake_one(self) -> None:
        """Give the turn to the first waiter still waiting."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def clear(self) -> None:
        """Forget every waiter (a pool that is closing)."""
        self._waiters.clear()
