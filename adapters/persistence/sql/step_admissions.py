"""StepAdmissions: admits of one (user, period) made in the same event-loop step are counted by
one statement, run synchronously at the start of the next step.

On a file SQLite database the meter's statement runs inline, on the event loop's thread
(`InlineSqlite`): nothing is ever in flight, so `AdmissionCoalescer` has nothing to gather behind.
Yet each statement is a write transaction of its own, whose cost hardly depends on how many
calls it counts: the `UPDATE`, its `RETURNING`, a WAL frame of 4 KiB, the file locks, with CPU
caches gone cold since the last one (about 60 us of CPU per call in the served process, a
fifth of a whole call). Under load the requests read off the sockets in one step reach the meter
together in the next; so the first admit of a key waits for one step (`loop.call_soon`) and
every admit of that key made meanwhile is counted by the same statement. Measured server-bound
(20 connections, one user): groups of 1 to 20, 9 on average, and metering's CPU per call
dropped from about +80 us to within the noise of no metering.

The rules are `AdmissionCoalescer`'s:

- All or none: `count(user, period, k)` counts the k calls only if all of them fit and returns
  the count after them, C; members get C - k + 1, ..., C in the order they came. None (not
  counted): every member gets None and takes the meter's full path, one call at a time, which
  decides and explains refusals exactly.
- A member cancelled before the step's statement runs is not counted. The statement runs
  without an await, so no member can be cancelled while it runs.
- The database locked (`busy`: another process writing, or this one on its asynchronous
  path): the group stays open and its statement is tried again after `retry_delays` (the
  calls made meanwhile join it); still locked after the last, `busy` is raised in every
  member, who then take the meter's asynchronous path, which waits for the lock. Going there
  at the first refusal made things worse under load: those statements, on aiosqlite's thread,
  lock out the next inline ones, which then go there too.
- Any other error of the statement is raised in every member; nothing was counted.
- A lone admit pays one future and one more trip through the event loop (a few microseconds).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Final

import msgspec

from application.ports.metering import Admission

__all__ = ["BUSY_RETRY_DELAYS_S", "CountNow", "StepAdmissions"]

BUSY_RETRY_DELAYS_S: Final = (0.0, 0.0005, 0.001, 0.002, 0.004, 0.008)
"""Waits before each new try of a group whose statement found the database locked (16 ms in
all: another process's statements hold the lock for tens of microseconds, its transactions
for a few milliseconds)."""

CountNow = Callable[[str, str, int], Admission | None]
"""count(user_id, period, k), synchronous: count k calls at once, all or none; the admission of
the last of them, or None when they were not counted. May raise (nothing counted)."""


class _Group:
    """The admits of one key waiting for the statement of the next step."""

    __slots__ = ("loop", "tries", "waiters")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiters: list[asyncio.Future[Admission | None]] = []
        self.tries = 0


class StepAdmissions:
    """Per-process grouping of the common-case admission by event-loop step (see module doc).

    `busy` is the error `count` raises when the database is locked (tried again after each of
    `retry_delays` seconds before it is raised in the members).
    """

    def __init__(
        self,
        count: CountNow,
        busy: type[Exception] | None = None,
        retry_delays: Sequence[float] = BUSY_RETRY_DELAYS_S,
    ) -> None:
        self._count = count
        self._busy = busy
        self._retry_delays = tuple(retry_delays)
        self._groups: dict[tuple[str, str], _Group] = {}

    @property
    def waiting(self) -> int:
        """Keys with admits waiting for their step's statement (tests, gauges)."""
        return len(self._groups)

    async def admit(self, user_id: str, period: str) -> Admission | None:
        """Count one call of the common case with the others of its key made in this step.

        Returns:
            Its admission (`calls`: its own number), or None: not counted, take the full path.

        Raises:
            Exception: the statement's error (nothing was counted).
        """
        key = (user_id, period)
        loop = asyncio.get_running_loop()
        group = self._groups.get(key)
        # A group of another event loop (closed before its step came: tests run apps on
        # several loops) will never be counted: start afresh.
        if group is None or group.loop is not loop:
            group = self._groups[key] = _Group(loop)
            loop.call_soon(self._run, key, group)
        waiter: asyncio.Future[Admission | None] = loop.create_future()
        group.waiters.append(waiter)
        return await waiter

    def _run(self, key: tuple[str, str], group: _Group) -> None:
        """The step's statement for one key: each member gets its verdict or the error."""
        members = group.waiters = [waiter for waiter in group.waiters if not waiter.done()]
        if not members:
            self._close(key, group)
            return
        try:
            counted = self._count(key[0], key[1], len(members))
        except Exception as error:  # handed to every member, raised there
            busy = self._busy is not None and isinstance(error, self._busy)
            if busy and group.tries < len(self._retry_delays):
                delay = self._retry_delays[group.tries]
                group.tries += 1
                group.loop.call_later(delay, self._run, key, group)  # still open to join
                return
            self._close(key, group)
            for waiter in members:
                waiter.set_exception(error)
            return
        self._close(key, group)
        if counted is None:
            for waiter in members:
                waiter.set_result(None)
            return
        first = counted.calls - len(members) + 1
        for number, waiter in enumerate(members, start=first):
            waiter.set_result(msgspec.structs.replace(counted, calls=number))

    def _close(self, key: tuple[str, str], group: _Group) -> None:
        """No more members: the key's next admit starts a new group."""
        if self._groups.get(key) is group:
            del self._groups[key]
