"""StepAdmissions: the admits made in one event-loop step are counted together at the start of
the next, synchronously: one statement per (user, period), all of them in one transaction.

On a file SQLite database the meter's statement runs inline, on the event loop's thread
(`InlineSqlite`): nothing is ever in flight, so `AdmissionCoalescer` has nothing to gather behind.
Yet each statement was a write transaction of its own, whose cost hardly depends on how many
calls it counts: the `UPDATE`, its `RETURNING`, a WAL frame of 4 KiB, the file locks, with CPU
caches gone cold since the last one (about 60 us of CPU per call in the served process, a
fifth of a whole call). Under load the requests read off the sockets in one step reach the meter
together in the next; so the first admit of a step waits for one step (`loop.call_soon`), every
admit made meanwhile joins it, and then `count_many` counts each (user, period) of the step
with one statement for its k calls, all the statements in one transaction (the commit, a third
of a lone statement's cost, is shared by the users of the step). Measured server-bound (20
connections): one user, groups of 1 to 20, 9 on average, metering's CPU per call from about
+80 us to within the noise of no metering; 20 users, see docs/metering.md.

The rules are `AdmissionCoalescer`'s:

- All or none per key: the k calls of a (user, period) are counted only if all of them fit,
  and its statement returns the count after them, C; its members get C - k + 1, ..., C in the
  order they came. None (not counted): each member gets None and takes the meter's full path,
  one call at a time, which decides and explains refusals exactly.
- A member cancelled before the step's statements run is not counted. They run without an
  await, so no member can be cancelled while they run.
- The database locked (`busy`: another process writing, or this one on its asynchronous
  path): the step stays open and is tried again after `retry_delays` (admits made meanwhile
  join it); still locked after the last, `busy` is raised in every member, who then take the
  meter's asynchronous path, which waits for the lock. Going there at the first refusal made
  things worse under load: those statements, on aiosqlite's thread, lock out the next inline
  ones, which then go there too.
- Any other error is raised in every member of the step; nothing was counted (one transaction).
- A lone admit pays one future and one more trip through the event loop (a few microseconds).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Final

from adapters.persistence.sql.group_verdicts import fail_waiters, hand_out
from application.ports.metering import Admission

__all__ = ["BUSY_RETRY_DELAYS_S", "CountMany", "StepAdmissions"]

BUSY_RETRY_DELAYS_S: Final = (0.0, 0.0005, 0.001, 0.002, 0.004, 0.008)
"""Waits before each new try of a step whose transaction found the database locked (16 ms in
all: another process's statements hold the lock for tens of microseconds, its transactions
for a few milliseconds)."""

Key = tuple[str, str]
CountMany = Callable[[Sequence[tuple[str, str, int]]], Sequence[Admission | None]]
"""count_many([(user_id, period, k), ...]), synchronous, atomic: for each key, count its k calls
at once, all or none; the admission of the last of them, or None when they were not counted.
May raise (nothing counted)."""


class _Step:
    """The admits of one event loop waiting for the next run of the statements, by key."""

    __slots__ = ("groups", "loop", "tries")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.groups: dict[Key, list[asyncio.Future[Admission | None]]] = {}
        self.tries = 0


class StepAdmissions:
    """Per-process grouping of the common-case admission by event-loop step (see module doc).

    `busy` is the error `count_many` raises when the database is locked (tried again after each
    of `retry_delays` seconds before it is raised in the members).
    """

    def __init__(
        self,
        count_many: CountMany,
        busy: type[Exception] | None = None,
        retry_delays: Sequence[float] = BUSY_RETRY_DELAYS_S,
    ) -> None:
        self._count_many = count_many
        self._busy = busy
        self._retry_delays = tuple(retry_delays)
        self._steps: dict[asyncio.AbstractEventLoop, _Step] = {}
        """The open step of each event loop (tests run apps on several loops)."""

    @property
    def waiting(self) -> int:
        """Keys with admits waiting for their step's statements (tests, gauges)."""
        return sum(len(step.groups) for step in self._steps.values())

    async def admit(self, user_id: str, period: str) -> Admission | None:
        """Count one call of the common case with the others of its key made in this step.

        Returns:
            Its admission (`calls`: its own number), or None: not counted, take the full path.

        Raises:
            Exception: the statements' error (nothing was counted).
        """
        loop = asyncio.get_running_loop()
        step = self._steps.get(loop)
        if step is None:
            for closed in [other for other in self._steps if other.is_closed()]:
                del self._steps[closed]  # its step never came
            step = self._steps[loop] = _Step(loop)
            loop.call_soon(self._run, step)
        waiter: asyncio.Future[Admission | None] = loop.create_future()
        step.groups.setdefault((user_id, period), []).append(waiter)
        return await waiter

    def _run(self, step: _Step) -> None:
        """The step's statements: each member gets its verdict, or the error."""
        groups = {}
        for key, waiters in step.groups.items():
            members = [waiter for waiter in waiters if not waiter.done()]
            if members:
                groups[key] = members
        step.groups = groups  # while tried again, later admits join these
        if not groups:
            self._close(step)
            return
        keys = list(groups)
        try:
            verdicts = self._count_many(
                [(user, period, len(groups[user, period])) for user, period in keys]
            )
        except Exception as error:  # handed to every member, raised there
            busy = self._busy is not None and isinstance(error, self._busy)
            if busy and step.tries < len(self._retry_delays):
                step.loop.call_later(self._retry_delays[step.tries], self._run, step)
                step.tries += 1
                return
            self._close(step)
            fail_waiters((waiter for members in groups.values() for waiter in members), error)
            return
        self._close(step)
        for key, counted in zip(keys, verdicts, strict=True):
            hand_out(groups[key], counted)

    def _close(self, step: _Step) -> None:
        """The step is done: the loop's next admit opens a new one."""
        if self._steps.get(step.loop) is step:
            del self._steps[step.loop]
